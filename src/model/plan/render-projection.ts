import { formatBytes } from '../byte-units.js';
import { UPX_CAVEATS } from '../predict/upx.js';
import type { ActionProjection, Projection } from './project-plan.js';

const MAX_UPX_LINES = 20;

/** The distinct `estimatedBy` of a UPX action's numbers (packed files and refusals). */
export function upxEstimatedBy(a: ActionProjection): string[] {
  return [
    ...new Set([...a.packed, ...a.refusals].flatMap((x) => (x.estimatedBy !== undefined ? [x.estimatedBy] : []))),
  ];
}

const isUpx = (p: Projection, id: string): boolean => p.plan.actions.find((x) => x.id === id)?.action.kind === 'upx';

const pad = (s: string, n: number, right = false): string => (right ? s.padStart(n) : s.padEnd(n));
const signed = (n: number): string => (n === 0 ? '0 B' : n > 0 ? `−${formatBytes(n)}` : `+${formatBytes(-n)}`);

/** The what-if projection as a text table: per layer before → after, on disk and compressed, then the actions. */
export function renderProjectionTable(p: Projection, width = 100): string {
  const c = p.codec;
  const rows: string[][] = [['layer', 'size now', 'after', `${c} now`, 'after', 'command']];
  for (const l of p.layers) {
    const mark = l.compressedBasis === 'blob' ? '' : l.compressedBasis === 'estimate' ? '~' : '≈';
    rows.push([
      String(l.index),
      formatBytes(l.before.size),
      formatBytes(l.after.size),
      `${mark}${formatBytes(l.before.compressed)}`,
      `${mark}${formatBytes(l.after.compressed)}`,
      l.command,
    ]);
  }
  rows.push([
    'total',
    formatBytes(p.total.before.size),
    formatBytes(p.total.after.size),
    formatBytes(p.total.before.compressed),
    formatBytes(p.total.after.compressed),
    `saves ${signed(p.total.before.size - p.total.after.size)} on disk, ${signed(p.total.before.compressed - p.total.after.compressed)} ${c}`,
  ]);
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  const fixed = widths.reduce((s, w) => s + w + 2, 0);
  const out = rows.map((r, ri) => {
    const cells = r.slice(0, 5).map((cell, i) => pad(cell, widths[i]!, i > 0));
    const cmd = r[5]!;
    const room = Math.max(10, width - fixed);
    return `${cells.join('  ')}  ${cmd.length > room && ri > 0 && ri < rows.length - 1 ? `${cmd.slice(0, room - 1)}…` : cmd}`;
  });
  out.push('');
  if (p.actions.length > 0) {
    out.push('actions:');
    for (const a of p.actions) {
      out.push(
        `  ${a.id}  ${a.label}: ${signed(a.size)} on disk, ${signed(a.compressed)} ${c} (${a.entries} entries${a.unchanged > 0 ? `, ${a.unchanged} unchanged` : ''}${a.refusals.length > 0 ? `, ${a.refusals.length} refused` : ''})`,
      );
      if (isUpx(p, a.id)) {
        const by = upxEstimatedBy(a);
        for (const f of a.packed.slice(0, MAX_UPX_LINES))
          out.push(
            `        packed ${f.path}: ${formatBytes(f.before)} → ${formatBytes(f.size)}${f.gzipSize !== undefined ? ` (${formatBytes(f.gzipSize)} gzip)` : ''}${by.length > 1 && f.estimatedBy ? ` [${f.estimatedBy}]` : ''}`,
          );
        if (a.packed.length > MAX_UPX_LINES)
          out.push(`        … and ${a.packed.length - MAX_UPX_LINES} more packed (see --json)`);
        for (const r of a.refusals.slice(0, MAX_UPX_LINES)) out.push(`        refused ${r.path}: ${r.reason}`);
        if (a.refusals.length > MAX_UPX_LINES)
          out.push(`        … and ${a.refusals.length - MAX_UPX_LINES} more refused (see --json)`);
        if (by.length > 0) out.push(`        UPX sizes: ${by.join(' / ')}`);
      } else for (const r of a.refusals.slice(0, 5)) out.push(`        refused ${r.path}: ${r.reason}`);
    }
  }
  const upx = p.actions.filter((a) => isUpx(p, a.id));
  if (upx.length > 0) {
    const disk = upx.reduce((s, a) => s + a.size, 0);
    const comp = upx.reduce((s, a) => s + a.compressed, 0);
    out.push(`UPX caveats (UPX here: ${signed(disk)} on disk, only ${signed(comp)} ${c}):`);
    for (const cav of UPX_CAVEATS) out.push(`  - ${cav}`);
  }
  for (const w of p.warnings)
    out.push(`warning: ${w.message}${w.neededBy.length ? ` (needed by ${w.neededBy.join(', ')})` : ''}`);
  out.push(`final filesystem (squashed): ${formatBytes(p.finalFs.before)} → ${formatBytes(p.finalFs.after)}`);
  out.push(
    `estimates: ${c}: ${p.methods.compressed} (~ = estimated, ≈ = guessed); strip: ${p.methods.strip}; UPX: ${p.methods.upx}`,
  );
  return `${out.join('\n')}\n`;
}

/** The projection as plain data for `--json`'s `plan` section. */
export function projectionJson(p: Projection): unknown {
  return {
    codec: p.codec,
    actions: p.actions.map((a) => ({
      id: a.id,
      label: a.label,
      action: p.plan.actions.find((x) => x.id === a.id)?.action ?? null,
      sizeSaved: a.size,
      tarSaved: a.tarSize,
      compressedSaved: a.compressed,
      entries: a.entries,
      unchanged: a.unchanged,
      perLayer: a.perLayer,
      upxRefusals: a.refusals,
      ...(isUpx(p, a.id) ? { upxPacked: a.packed, estimatedBy: upxEstimatedBy(a) } : {}),
    })),
    layers: p.layers.map((l) => ({
      index: l.index,
      command: l.command,
      before: l.before,
      after: l.after,
      compressedBasis: l.compressedBasis,
    })),
    total: p.total,
    finalFilesystem: p.finalFs,
    warnings: p.warnings,
    methods: p.methods,
    ...(p.actions.some((a) => isUpx(p, a.id)) ? { upxCaveats: UPX_CAVEATS } : {}),
  };
}
