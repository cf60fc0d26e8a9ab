import type { Analysis } from '../model/analysis.js';
import { formatBytes } from '../model/byte-units.js';
import type { FsNode } from '../model/file-tree.js';
import { binaryAt, elfOf, findingsFor, libcNeedOf, type BinaryRecord } from '../model/libc/index.js';
import { displayEntry } from './layer-view.js';
import { SEVERITY_LABEL } from './findings-view.js';
import { wrapText } from './row-format.js';

/** A details line with a tone the pane colours (red for what will fail, green for what resolves). */
export type Tone = 'error' | 'warn' | 'ok' | 'dim';
export type DetailLine = string | { readonly text: string; readonly tone: Tone };

export type LibcTag = 'glibc' | 'musl' | 'static' | 'none' | 'unknown';

export interface ElfMarks {
  /** Per node id: the libc the ELF file needs (undefined: not an ELF file at the last layer). */
  readonly tag: ReadonlyMap<number, LibcTag>;
  /** Node ids of executables whose verdict is 'will not start'. */
  readonly failing: ReadonlySet<number>;
}

const marksCache = new WeakMap<Analysis, ElfMarks>();

/** The tree's ELF marks: every ELF file of the final filesystem, the libc it needs, and the failing ones. */
export function elfMarks(analysis: Analysis): ElfMarks {
  const hit = marksCache.get(analysis);
  if (hit) return hit;
  const tag = new Map<number, LibcTag>();
  const failing = new Set<number>();
  const last = analysis.image.layers.length - 1;
  for (const b of analysis.binaries.binaries) {
    const node = analysis.tree.byPath.get(b.path.replace(/^\/+/, ''));
    if (!node) continue;
    const elf = elfOf(displayEntry(node, last));
    if (elf && b.kind !== 'object') tag.set(node.id, libcNeedOf(elf));
    if (b.verdict?.status === 'will not start') failing.add(node.id);
  }
  const marks = { tag, failing };
  marksCache.set(analysis, marks);
  return marks;
}

/** A short tag for the tree row: ` glibc`, ` musl`, ` static` (nothing for libc-free libraries). */
export const libcTagText = (t: LibcTag | undefined): string =>
  t === undefined || t === 'none' ? '' : t === 'unknown' ? '?libc' : t;

function goLine(b: BinaryRecord): string | undefined {
  const g = b.go;
  if (!g) return undefined;
  const parts = [`Go ${g.goVersion}`];
  if (g.mainModule?.path ?? g.path) parts.push(g.mainModule?.path ?? g.path!);
  if (g.cgoEnabled !== undefined) parts.push(`CGO_ENABLED=${g.cgoEnabled ? 1 : 0}`);
  parts.push(g.ldflags ? `-ldflags '${g.ldflags}'${g.stripped ? '' : ' (no -s -w)'}` : 'no -ldflags');
  if (g.trimpath) parts.push('-trimpath');
  if (g.goos || g.goarch) parts.push(`${g.goos ?? '?'}/${g.goarch ?? '?'}`);
  return parts.join(' · ');
}

/**
 * Details of an ELF file of the final filesystem: kind, interpreter, needed, verdict, the resolved library
 * tree (like lddtree: each library's path and layer, missing ones in red), min GLIBC, Go build info,
 * symbol/debug bytes, and the findings about it with their fixes. Empty for other nodes.
 */
export function elfLines(analysis: Analysis, node: FsNode | undefined, width = 1000): DetailLine[] {
  if (!node || node.id === 0) return [];
  const b = binaryAt(analysis.binaries, node.path);
  if (!b) return [];
  const tag = elfMarks(analysis).tag.get(node.id);
  const out: DetailLine[] = [
    `ELF ${b.kind} · ${b.machine} · ${b.class}-bit${tag && tag !== 'none' ? ` · needs ${tag}` : ''}`,
  ];
  if (b.malformed) out.push({ text: `malformed: ${b.malformed}`, tone: 'error' });
  const res = b.resolution;
  if (b.interpreter) {
    const i = res?.interpreter;
    if (i?.found) out.push(`interpreter ${b.interpreter} → ${i.found.realPath} (layer ${i.found.layer})`);
    else if (i?.problem) out.push({ text: `✗ interpreter ${b.interpreter}: ${i.problem}`, tone: 'error' });
    else out.push(`interpreter ${b.interpreter}`);
  }
  if (b.needed.length > 0) out.push(`needed ${b.needed.join(', ')}`);
  if (b.soname) out.push(`soname ${b.soname}`);
  if (b.rpath.length + b.runpath.length > 0)
    out.push(
      `${b.runpath.length > 0 ? `runpath ${b.runpath.join(':')}` : ''}${b.rpath.length > 0 ? ` rpath ${b.rpath.join(':')}` : ''}`.trim(),
    );
  const v = b.verdict;
  if (v?.status === 'will not start') out.push({ text: `✗ will not start: ${v.reason}`, tone: 'error' });
  else if (v?.status === 'will start') out.push({ text: `✓ will start${v.reason ? `: ${v.reason}` : ''}`, tone: 'ok' });
  else if (v) out.push({ text: `? unknown: ${v.reason}`, tone: 'warn' });
  if (b.minGlibc) out.push(`min GLIBC ${b.minGlibc}`);
  const go = goLine(b);
  if (go) out.push(go);
  out.push(
    `symbols ${formatBytes(b.symbolBytes)} · debug ${formatBytes(b.debugBytes)}${b.stripped ? ' (stripped)' : ''}`,
  );
  if (res && (res.libs.length > 0 || res.missing.length > 0)) {
    out.push(`Libraries (${res.flavour} loader):`);
    for (const l of res.libs) {
      const real = l.realPath !== l.path ? ` → ${l.realPath}` : '';
      out.push(`${'  '.repeat(l.depth)}${l.name} ⇒ ${l.path}${real} (layer ${l.layer}, ${l.via})`);
    }
    for (const m of res.missing)
      out.push({
        text: `  ✗ ${m.name} not found${m.neededBy !== b.path ? ` (needed by ${m.neededBy})` : ''}${m.reason !== 'not found' ? `: ${m.reason}` : ''}`,
        tone: 'error',
      });
    for (const p of res.versionProblems)
      out.push({ text: `  ✗ ${p.version} not in ${p.file} (${p.library}), needed by ${p.object}`, tone: 'error' });
    for (const n of res.needsLdconfig)
      out.push({ text: `  ? ${n}: found only through ld.so.conf, and the image has no ld.so.cache`, tone: 'warn' });
  }
  const findings = findingsFor(analysis.binaries, node.path);
  if (findings.length > 0) {
    out.push('Findings:');
    for (const f of findings) {
      out.push({
        text: `${SEVERITY_LABEL[f.severity]} ${f.code}: ${f.evidence}`,
        tone: f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warn' : 'dim',
      });
      out.push(`  fix: ${f.fix}`);
    }
  }
  return wrapLines(out, width, 4);
}

/** Wraps each line to `width` (continuations indented), at most `maxLines` per line. */
export function wrapLines(lines: readonly DetailLine[], width: number, maxLines: number): DetailLine[] {
  const out: DetailLine[] = [];
  for (const l of lines) {
    const text = typeof l === 'string' ? l : l.text;
    if (text.length <= width) {
      out.push(l);
      continue;
    }
    const indent = /^ */.exec(text)![0] + '  ';
    wrapText(text, width - indent.length, maxLines).forEach((part, i) => {
      const t = i === 0 ? part : `${indent}${part}`;
      out.push(typeof l === 'string' ? t : { text: t, tone: l.tone });
    });
  }
  return out;
}
