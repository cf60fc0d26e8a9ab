/** Text of the compare view's panes: the side-by-side layer rows, the difference rows and the details. */
import type { Analysis } from '../model/analysis.js';
import { formatBytes } from '../model/byte-units.js';
import type { DiffNode, ImageDiff, LayerPair, PathSide } from '../model/diff/index.js';
import { shortCommand } from '../model/history.js';
import type { DetailLine } from './elf-details.js';
import { modeString } from './row-format.js';

export const signedBytes = (n: number): string =>
  n > 0 ? `+${formatBytes(n)}` : n < 0 ? `-${formatBytes(-n)}` : '0 B';

const STATUS_MARK: Record<LayerPair['status'], string> = {
  shared: '=',
  'same-content': '≈',
  'only-a': '-',
  'only-b': '+',
};

/** A row of the layers pane: A's layer beside B's (the shared base aligned, the rest side by side in order). */
export interface LayerRowPair {
  readonly a: number | null;
  readonly b: number | null;
  readonly markA: string;
  readonly markB: string;
  readonly shared: boolean;
}

const rowsCache = new WeakMap<ImageDiff, LayerRowPair[]>();
export function compareLayerRows(d: ImageDiff): LayerRowPair[] {
  const hit = rowsCache.get(d);
  if (hit) return hit;
  const markA = new Map<number, string>();
  const markB = new Map<number, string>();
  for (const p of d.layers) {
    if (p.a !== null) markA.set(p.a, STATUS_MARK[p.status]);
    if (p.b !== null) markB.set(p.b, STATUS_MARK[p.status]);
  }
  const rows: LayerRowPair[] = [];
  for (let i = 0; i < d.sharedBase; i++) rows.push({ a: i, b: i, markA: '=', markB: '=', shared: true });
  for (let k = 0; d.sharedBase + k < Math.max(d.a.layerCount, d.b.layerCount); k++) {
    const i = d.sharedBase + k;
    const a = i < d.a.layerCount ? i : null;
    const b = i < d.b.layerCount ? i : null;
    rows.push({
      a,
      b,
      markA: a !== null ? (markA.get(a) ?? ' ') : ' ',
      markB: b !== null ? (markB.get(b) ?? ' ') : ' ',
      shared: false,
    });
  }
  rowsCache.set(d, rows);
  return rows;
}

function layerCell(a: Analysis, index: number | null, width: number): string {
  if (index === null) return ''.padEnd(width);
  const l = a.image.layers[index]!;
  const cmd = shortCommand(l.history?.createdBy) || l.history?.comment || '';
  const text = `${String(index).padStart(3)} ${formatBytes(l.size).padStart(8)} ${cmd}`;
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

/** One row per layer pair: `mark  A's layer │ B's layer`; `▸` marks the layers that hold the selected path. */
export function compareLayerRow(
  d: ImageDiff,
  a: Analysis,
  b: Analysis,
  row: number,
  width: number,
  holds: { a: number | null; b: number | null },
): string {
  const p = compareLayerRows(d)[row]!;
  const half = Math.max(10, Math.floor((width - 7) / 2));
  const ma = p.a !== null && p.a === holds.a ? '▸' : ' ';
  const mb = p.b !== null && p.b === holds.b ? '▸' : ' ';
  return `${p.a !== null ? p.markA : ' '}${ma}${layerCell(a, p.a, half)} │ ${p.b !== null ? p.markB : ' '}${mb}${layerCell(b, p.b, half)}`;
}

export const changeMark = (n: DiffNode): string =>
  n.change === 'added' ? '+' : n.change === 'removed' ? '-' : n.change === 'changed' ? '~' : ' ';

/** A difference row: mark, delta, the size in A → B, the name. */
export function diffRowText(n: DiffNode, guide: string, flat: boolean, collapsed: boolean): string {
  const sizes = `${(n.a ? formatBytes(n.a.size) : '–').padStart(8)} → ${(n.b ? formatBytes(n.b.size) : '–').padEnd(8)}`;
  const name = flat ? `/${n.path}` : `${guide}${n.name}${n.isDir ? '/' : ''}`;
  const attrs = n.change === 'changed' && n.attrs.length > 0 ? `  [${n.attrs.join(',')}]` : '';
  return `${changeMark(n)} ${signedBytes(n.delta).padStart(9)} ${sizes} ${name}${collapsed ? ' …' : ''}${attrs}`;
}

function sideLines(label: string, a: Analysis, s: PathSide | null, path: string): string[] {
  if (!s) return [`${label}: not in the image`];
  const l = a.image.layers[s.layer];
  const cmd = shortCommand(l?.history?.createdBy);
  const e = { kind: s.kind, mode: s.mode, size: s.size, uid: s.uid, gid: s.gid, mtime: 0, path } as const;
  const lines = [
    `${label}: ${formatBytes(s.size)} ${modeString(e)} ${s.uid}:${s.gid}${s.linkTarget !== undefined ? ` → ${s.linkTarget}` : ''}`,
    `  layer ${s.layer}${cmd ? `: ${cmd}` : ''}`,
  ];
  if (s.sha256) lines.push(`  sha256 ${s.sha256.slice(0, 16)}…`);
  return lines;
}

/** The selected path's history in one image: each layer that wrote or removed it. */
export function historyLines(a: Analysis, side: 'A' | 'B', path: string, max: number): string[] {
  const node = a.tree.byPath.get(path);
  if (!node) return [`In ${side}: no layer ever had /${path}`];
  const out = [`In ${side} (${a.image.repoTags[0] ?? a.image.reference}):`];
  for (const v of node.versions.slice(-max)) {
    const cmd = shortCommand(a.image.layers[v.layer]?.history?.createdBy);
    out.push(
      `  layer ${v.layer}: ${v.entry === null ? `removed (${v.removedBy ?? 'whiteout'})` : v.entry.implicit ? 'implied directory' : `${v.entry.kind} ${formatBytes(v.entry.size)}`}${cmd ? ` · ${cmd}` : ''}`,
    );
  }
  return out;
}

export function compareDetailLines(
  d: ImageDiff,
  a: Analysis,
  b: Analysis,
  n: DiffNode | undefined,
  side: 'A' | 'B',
): (readonly DetailLine[])[] {
  const head = [
    `A ${d.a.reference}: ${formatBytes(d.a.sizeBytes)} · ${d.a.layerCount} layers`,
    `B ${d.b.reference}: ${formatBytes(d.b.sizeBytes)} · ${d.b.layerCount} layers`,
    `${signedBytes(d.b.sizeBytes - d.a.sizeBytes)} · ${d.nodes[0]!.added} added, ${d.nodes[0]!.removed} removed, ${d.nodes[0]!.changed} changed · ${d.sharedBase} shared layers`,
    `reclaimable ${formatBytes(d.a.reclaimableBytes)} → ${formatBytes(d.b.reclaimableBytes)} · findings +${d.findings.new.length} new, ${d.findings.resolved.length} resolved`,
  ];
  if (!n || n.id === 0) return [head];
  const what: DetailLine[] = [
    `/${n.path}${n.isDir ? '/' : ''}: ${n.change ?? 'holds changes'} ${signedBytes(n.delta)}${n.attrs.length > 0 ? ` (${n.attrs.join(', ')})` : ''}`,
  ];
  if (n.isDir) what.push(`  below: ${n.added} added, ${n.removed} removed, ${n.changed} changed`);
  if (n.layerB !== null)
    what.push(`  caused by B's layer ${n.layerB}${d.commandsB[n.layerB] ? `: ${d.commandsB[n.layerB]}` : ''}`);
  else if (n.change === 'removed') what.push('  not in any layer of B');
  what.push(...sideLines('A', a, n.a, n.path), ...sideLines('B', b, n.b, n.path));
  const bin = d.binaries.find((c) => c.path === `/${n.path}`);
  if (bin)
    what.push({
      text: `binary: ${bin.fields.join(', ')} changed (libc ${bin.a.libc} → ${bin.b.libc}; ${bin.a.stripped ? 'stripped' : 'not stripped'} → ${bin.b.stripped ? 'stripped' : 'not stripped'}; ${bin.a.verdict ?? '–'} → ${bin.b.verdict ?? '–'})`,
      tone: bin.b.verdict === 'will not start' ? 'error' : 'warn',
    });
  for (const f of d.findings.new)
    if (f.path === `/${n.path}`)
      what.push({ text: `new finding: ${f.severity} ${f.code}`, tone: f.severity === 'error' ? 'error' : 'warn' });
  for (const f of d.findings.resolved)
    if (f.path === `/${n.path}`) what.push({ text: `resolved: ${f.severity} ${f.code}`, tone: 'ok' });
  return [what, historyLines(side === 'A' ? a : b, side, n.path, 6), head];
}
