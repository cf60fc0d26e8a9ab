import { formatBytes } from '../byte-units.js';
import type { FixList } from './fix-list.js';
import type { LayerDockerfileFact } from '../dockerfile/attach.js';
import { UPX_BY_GUESS } from './predictors.js';

const minus = (n: number): string => (n === 0 ? '0 B' : n > 0 ? `−${formatBytes(n)}` : `+${formatBytes(-n)}`);
const pct = (part: number, whole: number): string => (whole > 0 ? `${((part / whole) * 100).toFixed(1)} %` : 'n/a');
const at = (i: LayerDockerfileFact): string =>
  `${i.file.replace(/^.*\//, '')} line ${i.endLine > i.line ? `${i.line}–${i.endLine}` : i.line}`;
const codecName = (c: string): string => (c === 'zstd' ? 'zstd' : 'gzip');

/** The fix list for people: markdown, grouped by the layer to change, each item with its saving. */
export function renderFixListMarkdown(f: FixList): string {
  const out: string[] = [];
  const c = codecName(f.codec);
  out.push(`# Slimming fix list for \`${f.image}\``, '');
  out.push(`|  | on disk | pull size (${c}) |`, '|---|---:|---:|');
  out.push(`| now | ${formatBytes(f.before.size)} | ${formatBytes(f.before.compressed)} |`);
  out.push(`| after the fixes | ${formatBytes(f.after.size)} | ${formatBytes(f.after.compressed)} |`);
  out.push(
    `| **saving** | **${minus(f.saved.size)}** (${pct(f.saved.size, f.before.size)}) | **${minus(f.saved.compressed)}** (${pct(f.saved.compressed, f.before.compressed)}) |`,
    '',
  );
  if (f.errors.length > 0) {
    out.push(`## ✗ Will not start — fix first`, '');
    for (const e of f.errors)
      out.push(
        `- \`${e.path}\`${e.layer !== undefined ? ` (layer ${e.layer}${e.instruction ? `, ${at(e.instruction)}` : ''})` : ''}: ${e.evidence}. **Fix:** ${e.fix}`,
      );
    out.push('');
  }
  if (f.actions.length === 0) out.push('The plan is empty: nothing to change.', '');
  else {
    out.push('Plan:', '');
    for (const a of f.actions)
      out.push(`- ${a.label}: ${minus(a.size)}, ${minus(a.compressed)} compressed (${a.entries} entries)`);
    out.push('');
  }
  if (f.warnings.length > 0) {
    out.push('## ⚠ Safety', '');
    for (const w of f.warnings)
      out.push(
        `- ${w.message}${w.neededBy.length > 0 ? ` (needed by ${w.neededBy.map((p) => `\`${p}\``).join(', ')})` : ''}`,
      );
    out.push('');
  }
  for (const g of f.groups) {
    out.push(`## Layer ${g.layer}${g.fromBase ? ' (base image)' : ''}: \`${g.command.replace(/`/g, "'")}\``, '');
    if (g.instruction)
      out.push(
        `Made by ${at(g.instruction)}: \`${g.instruction.text.replace(/`/g, "'")}\`${g.instruction.how === 'keyword' ? ' (matched by position: the command differs from the history)' : ''}`,
        '',
      );
    out.push(`Saves ${formatBytes(g.bytes)} on disk, ${formatBytes(g.compressed)} compressed.`, '');
    for (const i of g.items)
      out.push(
        `- ${i.text} — **${minus(i.bytes)}**, ${minus(i.compressed)} compressed${i.upx ? ` (${formatBytes(i.upx.before)} → ${formatBytes(i.upx.size)}${i.estimatedBy ? `, ${i.estimatedBy}` : ''})` : ''}`,
      );
    out.push('');
  }
  if (f.refusals.length > 0) {
    out.push('## UPX refusals', '');
    for (const r of f.refusals)
      out.push(`- \`${r.path}\`: ${r.reason}${r.estimatedBy === UPX_BY_GUESS ? ` (${r.estimatedBy})` : ''}`);
    out.push('');
  }
  if (f.upxCaveats.length > 0) {
    const upx = f.groups.flatMap((g) => g.items.filter((i) => i.kind === 'upx'));
    const disk = upx.reduce((s, i) => s + i.bytes, 0);
    const comp = upx.reduce((s, i) => s + i.compressed, 0);
    out.push('## UPX caveats', '');
    out.push(
      `UPX here: ${minus(disk)} on disk, but only ${minus(comp)} of the pull size (${c}). Before packing, weigh:`,
      '',
    );
    for (const cav of f.upxCaveats) out.push(`- ${cav}`);
    out.push('');
  }
  if (f.notes.length > 0) {
    out.push('## Notes', '');
    for (const n of f.notes) out.push(`- ${n}`);
    out.push('');
  }
  out.push('## How these numbers were estimated', '');
  out.push(`- on disk: ${f.methods.size}`);
  out.push(`- pull size (${c}): ${f.methods.compressed}`);
  out.push(`- strip: ${f.methods.strip}`);
  out.push(`- UPX: ${f.methods.upx}`);
  out.push(`- squashed final filesystem: ${formatBytes(f.finalFs.before)} → ${formatBytes(f.finalFs.after)}`);
  out.push('');
  return out.join('\n');
}

export const FIX_LIST_SCHEMA = 'slimtui-fixlist/1';

/** The fix list for tools: plain data (the same content as the markdown). */
export function fixListJson(f: FixList): unknown {
  return {
    schema: FIX_LIST_SCHEMA,
    image: f.image,
    codec: f.codec,
    before: f.before,
    after: f.after,
    saved: f.saved,
    finalFilesystem: f.finalFs,
    actions: f.actions,
    errors: f.errors,
    groups: f.groups.map((g) => ({ ...g, items: g.items.map(({ entryPaths: _paths, ...i }) => ({ ...i })) })),
    warnings: f.warnings,
    upxRefusals: f.refusals,
    ...(f.upxCaveats.length > 0 ? { upxCaveats: f.upxCaveats } : {}),
    notes: f.notes,
    methods: f.methods,
  };
}
