/**
 * The binaries report: every ELF file of the final filesystem (records.ts), its resolved dependency tree
 * (resolve.ts), a verdict for each executable (verdicts.ts), the image's libc inventory, and the findings
 * (finding-rules.ts, run by findings.ts). Pure: works on the file tree and the facts the ELF and text
 * analysers left on the entries.
 */
import type { Image } from '../image.js';
import { entryAt, type FileTree } from '../file-tree.js';
import { elfFactOf, isMalformed, type ElfSummary } from './elf-summary.js';
import { FinalFs } from './final-fs.js';
import { FINDING_RULES } from './finding-rules.js';
import { runFindingRules, sortFindings, type Finding, type ImageFacts, type Subject } from './findings.js';
import { compare, envValue, libcInventory, splitLdLibraryPath, type LibcInventory } from './inventory.js';
import { readMuslPath } from './ld-conf.js';
import { malformedRecord, recordOf, type BinaryRecord } from './records.js';
import { resolveBinary, type LoaderFlavour, type ResolveEnv } from './resolve.js';
import { EXECUTABLE_KINDS, runnableMachines, verdictOf } from './verdicts.js';
import { legacyHwcapsApply, type CpuLevel, type CpuVendor } from './hwcaps.js';

/** Records and verdicts live in their own modules; kept importable from here for existing callers. */
export type { BinaryRecord } from './records.js';
export type { Verdict } from './verdicts.js';

export interface BinaryReport {
  /** False when no ELF facts were collected (the ELF analyser did not run). */
  analysed: boolean;
  binaries: BinaryRecord[];
  byPath: ReadonlyMap<string, BinaryRecord>;
  inventory: LibcInventory;
  findings: Finding[];
  findingsByPath: ReadonlyMap<string, Finding[]>;
}

const abs = (p: string): string => `/${p}`;

export interface BinaryOptions {
  /** x86-64 level the glibc-hwcaps choice is made for (default 1: the baseline copy). */
  cpuLevel?: CpuLevel;
  /** The CPU's vendor, for glibc < 2.37's legacy subdirectory names (default: not Intel). */
  cpuVendor?: CpuVendor;
}

export function analyseBinaries(image: Image, tree: FileTree, options: BinaryOptions = {}): BinaryReport {
  const fs = new FinalFs(tree);
  const top = tree.layerCount - 1;
  const inventory = libcInventory(fs, image.config);
  const llp = envValue(image.config.env, 'LD_LIBRARY_PATH');
  const workdir = (image.config.workdir ?? '/').replace(/^\/+/, '');
  const muslCache = new Map<string, readonly string[] | undefined>();
  const env: ResolveEnv = {
    fs,
    ldLibraryPath: llp === undefined ? [] : splitLdLibraryPath(llp),
    ldSoConfDirs: inventory.ldSoConf.dirs,
    hasLdSoCache: inventory.hasLdSoCache,
    ...(inventory.ldCache ? { ldCache: inventory.ldCache } : {}),
    cpuLevel: options.cpuLevel ?? 1,
    ...(options.cpuVendor ? { cpuVendor: options.cpuVendor } : {}),
    // The image's own glibc decides (its highest GLIBC_x.y version node; several copies: the newest). A glibc
    // release that adds no version node of its own reads as the one before it: not checked here for 2.37.
    legacyHwcaps: legacyHwcapsApply(newestGlibc(inventory.glibc.map((g) => g.version))),
    muslPathDirs(file) {
      if (!muslCache.has(file)) muslCache.set(file, readMuslPath(fs, file.replace(/^\/+/, '')).dirs);
      return muslCache.get(file);
    },
    workdir,
  };
  const hint: LoaderFlavour = inventory.glibc.length > 0 ? 'glibc' : inventory.musl.length > 0 ? 'musl' : 'unknown';
  const runnable = runnableMachines(image.platform.architecture);

  // Every ELF file live in the final filesystem (symlinks are not separate files).
  const binaries: BinaryRecord[] = [];
  const subjects: Subject[] = [];
  const malformed: Subject[] = [];
  let analysed = false;
  for (const node of tree.nodes) {
    const live = entryAt(node, top);
    if (!live || (live.kind !== 'file' && live.kind !== 'hardlink')) continue;
    const data = fs.dataEntryOf(node);
    const fact = elfFactOf(data);
    if (data?.facts && 'elf' in data.facts) analysed = true;
    if (!fact) continue;
    analysed = true;
    const layer = fs.layerOfNode(node) ?? 0;
    const path = abs(node.path);
    if (isMalformed(fact)) {
      const b = malformedRecord(path, layer, live, fact.malformed);
      binaries.push(b);
      malformed.push({ b, elf: STAND_IN, isExec: false, archOk: true });
      continue;
    }
    const b = recordOf(path, layer, data!, fact);
    binaries.push(b);
    subjects.push({
      b,
      elf: fact,
      isExec: EXECUTABLE_KINDS.has(b.kind),
      archOk: !runnable || runnable.includes(fact.machine),
    });
  }

  const used = new Set<string>();
  for (const s of subjects) {
    const { b, elf } = s;
    if ((b.kind === 'dynamic-exec' || b.kind === 'shared-lib') && (elf.needed.length > 0 || elf.interpreter)) {
      b.resolution = resolveBinary(env, b.path, elf, hint);
      for (const l of b.resolution.libs) used.add(l.realPath);
      if (b.resolution.interpreter?.found) used.add(b.resolution.interpreter.found.realPath);
    }
    if (s.isExec) b.verdict = verdictOf(b, elf, s.archOk);
  }

  const facts: ImageFacts = {
    image,
    fs,
    inventory,
    scratchLike: inventory.glibc.length === 0 && inventory.musl.length === 0 && !fs.exists('bin/sh'),
    used,
    cpuLevel: options.cpuLevel ?? 1,
    elsewhere: basenameIndex(tree, top),
  };
  const sorted = sortFindings(runFindingRules(FINDING_RULES, subjects, malformed, facts));
  const byPath = new Map(binaries.map((b) => [b.path, b] as const));
  const findingsByPath = new Map<string, Finding[]>();
  for (const f of sorted) {
    const list = findingsByPath.get(f.path);
    if (list) list.push(f);
    else findingsByPath.set(f.path, [f]);
  }
  return { analysed, binaries, byPath, inventory, findings: sorted, findingsByPath };
}

/** Where files of a base name live (absolute paths), built on first use: most images never need it. */
function basenameIndex(tree: FileTree, top: number): (name: string) => string[] {
  // Node ids, not paths: the index holds every file's name, and only the few names asked for need their paths.
  let basenames: Map<string, number[]> | undefined;
  return (name) => {
    if (!basenames) {
      basenames = new Map();
      for (const n of tree.nodes) {
        const e = entryAt(n, top);
        if (!e || e.kind === 'dir' || e.kind === 'whiteout' || e.kind === 'opaque') continue;
        const list = basenames.get(n.name);
        if (list) list.push(n.id);
        else basenames.set(n.name, [n.id]);
      }
    }
    return (basenames.get(name) ?? []).map((id) => abs(tree.nodes[id]!.path));
  };
}

/** The malformed-file rules read only the record; their subject carries an empty summary. */
const STAND_IN: ElfSummary = {
  class: 64,
  endian: 'le',
  type: 'other',
  machine: 0,
  machineName: 'unknown',
  kind: 'other',
  needed: [],
  rpath: [],
  runpath: [],
  flags1: 0,
  programHeaders: [],
  sections: [],
  hasTls: false,
  versionNeeds: [],
  versionDefs: [],
  symbolBytes: 0,
  debugBytes: 0,
  stripped: true,
  fileSize: 0,
};

/** The newest of some glibc versions ("2.36"), null when none is known. */
function newestGlibc(versions: readonly (string | null)[]): string | null {
  let best: number[] | undefined;
  let text: string | null = null;
  for (const v of versions) {
    if (!v) continue;
    const parts = v.split('.').map(Number);
    if (!best || compare(parts, best) > 0) {
      best = parts;
      text = v;
    }
  }
  return text;
}
