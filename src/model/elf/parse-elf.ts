/**
 * parseElf: everything slimtui needs from one ELF file, read through a ByteSource without copying the file.
 * Never throws: broken required structures give `{ ok: false }`, broken optional ones a partial result
 * with `warnings`.
 */
import { Malformed, readCString, readClamped, decodeUtf8, MAX_CSTRING, type ByteSource } from './byte-reader.js';
import { parseDynamic, DF_1_PIE, type DynamicInfo } from './dynamic.js';
import { machineName, parseElfHeader, type ElfHeader } from './elf-header.js';
import { parseGoBuildInfo, type GoBuildInfo } from './go-buildinfo.js';
import {
  parseProgramHeaders,
  PF_X,
  PT_DYNAMIC,
  PT_GNU_STACK,
  PT_INTERP,
  PT_TLS,
  type ProgramHeader,
} from './program-headers.js';
import { parseSections, SHT_NOBITS, type RawSection, type Section } from './sections.js';
import { minGlibcOf, parseVersions, type VersionInfo } from './versions.js';

export type ElfKind = 'static' | 'static-pie' | 'dynamic-exec' | 'shared-lib' | 'object' | 'other';

export interface ElfInfo {
  class: 32 | 64;
  endian: 'le' | 'be';
  type: 'rel' | 'exec' | 'dyn' | 'core' | 'other';
  machine: number;
  machineName: string;
  entry: number;
  kind: ElfKind;
  interpreter?: string;
  needed: string[];
  soname?: string;
  rpath: string[];
  runpath: string[];
  /** DT_FLAGS_1 (0 when absent). */
  flags1: number;
  programHeaders: ProgramHeader[];
  sections: Section[];
  /** PT_GNU_STACK's PF_X; undefined when there is no PT_GNU_STACK. */
  hasGnuStackExec?: boolean;
  hasTls: boolean;
  /** .gnu.version_r: per needed file, the version names required from it. */
  versionNeeds: { file: string; versions: string[] }[];
  /** .gnu.version_d names, excluding the base (file-name) entry. */
  versionDefs: string[];
  /** Highest GLIBC_x.y[.z] needed, e.g. "2.34". */
  minGlibc?: string;
  /** Sizes of .symtab + .strtab. */
  symbolBytes: number;
  /** Sizes of .debug_* and .zdebug_* sections. */
  debugBytes: number;
  /** No symbol table and no debug sections. */
  stripped: boolean;
  go?: GoBuildInfo;
  /** Problems in optional structures (present only when there were some; at most 20). */
  warnings?: string[];
}

export type ElfParseResult = { ok: true; elf: ElfInfo } | { ok: false; malformed: string };

const MAX_WARNINGS = 20;

function readInterpreter(src: ByteSource, p: ProgramHeader): string | undefined {
  if (p.offset >= src.size || p.filesz === 0) return undefined;
  const limit = Math.min(src.size, p.offset + p.filesz);
  const s = readCString(src, p.offset, limit);
  if (s !== undefined) return s;
  // No NUL inside the segment: take its bytes (readelf does the same).
  return decodeUtf8(readClamped(src, p.offset, Math.min(p.filesz, MAX_CSTRING)));
}

/**
 * The kind of file, per DOMAIN.md §4, with one refinement: an ET_DYN with PT_INTERP that has a DT_SONAME and
 * no DF_1_PIE is a shared library that can also be run (glibc's libc.so.6, libpthread on older glibc), not an
 * executable. A PIE built by a modern linker always carries DF_1_PIE, so real PIEs are unaffected.
 */
export function classify(h: ElfHeader, hasInterp: boolean, hasDynamic: boolean, dyn: DynamicInfo): ElfKind {
  const pie = (dyn.flags1 & DF_1_PIE) !== 0;
  switch (h.type) {
    case 'rel':
      return 'object';
    case 'exec':
      return hasInterp ? 'dynamic-exec' : 'static';
    case 'dyn':
      if (hasInterp) return dyn.soname !== undefined && !pie ? 'shared-lib' : 'dynamic-exec';
      if (!hasDynamic) return 'static';
      return pie ? 'static-pie' : 'shared-lib';
    default:
      return 'other';
  }
}

function sizes(sections: readonly RawSection[]): { symbolBytes: number; debugBytes: number } {
  let symbolBytes = 0;
  let debugBytes = 0;
  for (const s of sections) {
    if (s.type === SHT_NOBITS) continue;
    if (s.name === '.symtab' || s.name === '.strtab') symbolBytes += s.size;
    else if (s.name.startsWith('.debug_') || s.name.startsWith('.zdebug_')) debugBytes += s.size;
  }
  return { symbolBytes, debugBytes };
}

function guard<T>(warnings: string[], what: string, fallback: T, f: () => T): T {
  try {
    return f();
  } catch (e) {
    warnings.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    return fallback;
  }
}

/** Parses an ELF file. Never throws. */
export function parseElf(src: ByteSource): ElfParseResult {
  try {
    return { ok: true, elf: parseElfUnsafe(src) };
  } catch (e) {
    if (e instanceof Malformed) return { ok: false, malformed: e.message };
    return { ok: false, malformed: `unreadable ELF: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function parseElfUnsafe(src: ByteSource): ElfInfo {
  const warnings: string[] = [];
  const h = parseElfHeader(src);
  const table = guard(warnings, 'section headers', { sections: [] as RawSection[] }, () =>
    parseSections(src, h, warnings),
  );
  const sections = table.sections;
  const phnum = h.phnum === 0xffff && table.extendedPhnum !== undefined ? table.extendedPhnum : h.phnum;
  const phdrs = parseProgramHeaders(src, h, phnum, warnings);

  const interpPh = phdrs.find((p) => p.type === PT_INTERP);
  const hasDynamicPh = phdrs.some((p) => p.type === PT_DYNAMIC);
  const emptyDyn: DynamicInfo = { entries: [], needed: [], rpath: [], runpath: [], flags1: 0, hasDynamic: false };
  const dyn = guard(warnings, 'dynamic section', emptyDyn, () => parseDynamic(src, h, phdrs, sections, warnings));
  const versions = guard<VersionInfo>(warnings, 'symbol versions', { versionNeeds: [], versionDefs: [] }, () =>
    parseVersions(src, h, phdrs, sections, dyn, warnings),
  );
  const go = guard(warnings, 'Go build info', undefined, () => parseGoBuildInfo(src, phdrs, sections));
  const stack = phdrs.find((p) => p.type === PT_GNU_STACK);
  const { symbolBytes, debugBytes } = sizes(sections);

  const elf: ElfInfo = {
    class: h.is64 ? 64 : 32,
    endian: h.le ? 'le' : 'be',
    type: h.type,
    machine: h.machine,
    machineName: machineName(h.machine, h.is64),
    entry: h.entry,
    kind: classify(h, interpPh !== undefined, hasDynamicPh || dyn.hasDynamic, dyn),
    needed: dyn.needed,
    rpath: dyn.rpath,
    runpath: dyn.runpath,
    flags1: dyn.flags1,
    programHeaders: phdrs.map(({ vaddrExact: _exact, ...p }) => p),
    sections: sections.map(({ name, type, flags, addr, offset, size, addralign }) => ({
      name,
      type,
      flags,
      addr,
      offset,
      size,
      addralign,
    })),
    hasTls: phdrs.some((p) => p.type === PT_TLS),
    versionNeeds: versions.versionNeeds,
    versionDefs: versions.versionDefs,
    symbolBytes,
    debugBytes,
    stripped: symbolBytes === 0 && debugBytes === 0,
  };
  if (interpPh) {
    const interp = readInterpreter(src, interpPh);
    if (interp !== undefined) elf.interpreter = interp;
    else warnings.push('PT_INTERP outside the file');
  }
  if (dyn.soname !== undefined) elf.soname = dyn.soname;
  if (stack) elf.hasGnuStackExec = (stack.flags & PF_X) !== 0;
  const minGlibc = minGlibcOf(versions.versionNeeds);
  if (minGlibc !== undefined) elf.minGlibc = minGlibc;
  if (go) elf.go = go;
  if (warnings.length > 0) elf.warnings = [...new Set(warnings)].slice(0, MAX_WARNINGS);
  return elf;
}
