/** `slimtui diff --summary`: Markdown fit for a pull-request comment, and the `--ci` lines. */
import { formatBytes, formatPercent } from '../model/byte-units.js';
import type { DiffNode, DiffRuleResult, ImageDiff } from '../model/diff/index.js';
import { growthBytes, growthRatio, topContributors } from '../model/diff/index.js';

const signed = (n: number): string => (n > 0 ? `+${formatBytes(n)}` : n < 0 ? `−${formatBytes(-n)}` : '±0 B');
const signedPct = (r: number): string =>
  !Number.isFinite(r) ? 'new' : `${r >= 0 ? '+' : '−'}${formatPercent(Math.abs(r), 1).replace(' %', '%')}`;
/** Inline code that survives backticks in the text. */
const code = (s: string): string => (s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``);
const clip = (s: string, n = 48): string => (s.length > n ? `${s.slice(0, n - 1).trimEnd()} …` : s);

/** `layer 5: RUN pip install …` for what B's layer did; '' when no B layer caused it. */
export function layerNote(d: ImageDiff, layer: number | null): string {
  if (layer === null) return '';
  const cmd = d.commandsB[layer];
  return cmd ? `layer ${layer}: ${clip(cmd)}` : `layer ${layer}`;
}

/** `+38.0 MB /usr/lib/python3.11 (layer 5: RUN pip install …)` */
export function contributorText(d: ImageDiff, n: DiffNode): string {
  const note = layerNote(d, n.layerB);
  return `${signed(n.delta)} /${n.path}${n.isDir ? '/' : ''}${note ? ` (${note})` : ''}`;
}

/** The one headline: `+41.2 MB: +38.0 MB /usr/lib/python3.11 (layer 5: RUN pip install …), …`. */
export function headline(d: ImageDiff, bold = false): string {
  const g = growthBytes(d);
  const top = topContributors(d, 3, g >= 0 ? 1 : -1);
  const total = bold ? `**${signed(g)}**` : signed(g);
  return `${total}${top.length > 0 ? `: ${top.map((n) => contributorText(d, n)).join(', ')}` : ''}`;
}

export function diffSummaryMarkdown(d: ImageDiff, maxRows = 10): string {
  const root = d.nodes[0]!;
  const g = growthBytes(d);
  const out: string[] = [];
  out.push(`### slimtui diff: ${code(d.a.reference)} → ${code(d.b.reference)}`, '');
  out.push(headline(d, true), '');
  out.push('| | before | after | change |', '|---|---:|---:|---:|');
  out.push(
    `| image size | ${formatBytes(d.a.sizeBytes)} | ${formatBytes(d.b.sizeBytes)} | ${signed(g)} (${signedPct(growthRatio(d))}) |`,
  );
  out.push(`| layers | ${d.a.layerCount} | ${d.b.layerCount} | ${d.sharedBase} shared |`);
  out.push(
    `| reclaimable | ${formatBytes(d.a.reclaimableBytes)} | ${formatBytes(d.b.reclaimableBytes)} | ${signed(d.b.reclaimableBytes - d.a.reclaimableBytes)} |`,
  );
  out.push(
    `| wasted (dive) | ${formatBytes(d.a.wastedBytes)} | ${formatBytes(d.b.wastedBytes)} | ${signed(d.b.wastedBytes - d.a.wastedBytes)} |`,
  );
  out.push(
    `| findings | ${d.a.findingCount} | ${d.b.findingCount} | +${d.findings.new.length} new, ${d.findings.resolved.length} resolved |`,
  );
  out.push('', `**Paths:** ${root.added} added, ${root.removed} removed, ${root.changed} changed.`);
  const grew = topContributors(d, 5, 1);
  const shrank = topContributors(d, 5, -1);
  if (grew.length > 0) out.push('', '**Grew**', ...grew.map((n) => `- ${contributorText(d, n)}`));
  if (shrank.length > 0) out.push('', '**Shrank**', ...shrank.map((n) => `- ${contributorText(d, n)}`));
  const files = d.paths.filter((n) => !n.isDir);
  if (files.length > 0) {
    out.push(
      '',
      `<details><summary>Largest file changes (${Math.min(maxRows, files.length)} of ${files.length})</summary>`,
      '',
      '| change | path | delta | what | layer |',
      '|---|---|---:|---|---|',
    );
    const rows = [...files]
      .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta) || (x.path < y.path ? -1 : 1))
      .slice(0, maxRows);
    for (const n of rows)
      out.push(
        `| ${n.change} | ${code(`/${n.path}`)} | ${signed(n.delta)} | ${n.attrs.join(', ') || '–'} | ${layerNote(d, n.layerB).replace(/\|/g, '\\|') || '–'} |`,
      );
    out.push('', '</details>');
  }
  if (d.binaries.length > 0) {
    out.push('', '**Binaries changed**');
    for (const c of d.binaries) {
      const parts: string[] = [];
      for (const f of c.fields) {
        if (f === 'libc') parts.push(`libc ${c.a.libc} → ${c.b.libc}`);
        else if (f === 'needed')
          parts.push(`needs ${c.a.needed.join(' ') || '(nothing)'} → ${c.b.needed.join(' ') || '(nothing)'}`);
        else if (f === 'verdict') parts.push(`${c.a.verdict ?? 'n/a'} → ${c.b.verdict ?? 'n/a'}`);
        else if (f === 'stripped') parts.push(c.b.stripped ? 'now stripped' : 'no longer stripped');
        else parts.push(`Go build settings ${goChange(c.a.go, c.b.go)}`);
      }
      out.push(`- ${code(c.path)}: ${parts.join('; ')}`);
    }
  }
  if (d.findings.new.length > 0) {
    out.push('', `**New findings (${d.findings.new.length})**`);
    for (const f of d.findings.new.slice(0, maxRows))
      out.push(`- ${f.severity.toUpperCase()} ${code(f.code)} ${code(f.path)}: ${f.evidence}`);
    if (d.findings.new.length > maxRows) out.push(`- … ${d.findings.new.length - maxRows} more (see --json)`);
  }
  if (d.findings.resolved.length > 0) {
    out.push('', `**Resolved findings (${d.findings.resolved.length})**`);
    for (const f of d.findings.resolved.slice(0, maxRows))
      out.push(`- ${f.severity.toUpperCase()} ${code(f.code)} ${code(f.path)}`);
    if (d.findings.resolved.length > maxRows) out.push(`- … ${d.findings.resolved.length - maxRows} more (see --json)`);
  }
  if (!d.a.digests || !d.b.digests)
    out.push('', '_Content digests were not computed for every file: same-size content changes may be missing._');
  return `${out.join('\n')}\n`;
}

function goChange(a: Readonly<Record<string, string>> | null, b: Readonly<Record<string, string>> | null): string {
  if (!a || !b) return a ? 'gone' : 'new';
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).sort();
  return keys.map((k) => `${k}: ${a[k] ?? '(unset)'} → ${b[k] ?? '(unset)'}`).join(', ');
}

/** `--ci`: one line per rule, then the verdict (the layout of `slimtui IMAGE --ci`). */
export function diffCiText(d: ImageDiff, results: readonly DiffRuleResult[], from: string): string {
  const lines = [`slimtui diff: ${d.a.reference} → ${d.b.reference}: ${headline(d)}`, `rules (${from}):`];
  for (const r of results) lines.push(`  ${r.status === 'pass' ? 'PASS' : 'FAIL'}: ${r.rule}: ${r.message}`);
  const failed = results.filter((r) => r.status === 'fail').length;
  lines.push(
    results.length === 0
      ? 'no rules to check'
      : failed > 0
        ? `FAIL (${failed} of ${results.length} rules failed)`
        : `PASS (${results.length} rules)`,
  );
  return `${lines.join('\n')}\n`;
}
