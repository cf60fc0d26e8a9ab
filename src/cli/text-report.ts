import type { Analysis } from '../model/analysis.js';
import type { RuleResult } from '../model/ci-rules.js';
import { formatBytes, formatPercent } from '../model/byte-units.js';
import { shortCommand } from '../model/history.js';
import { platformString } from '../model/image.js';
import { displayPath } from '../model/paths.js';

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

/** The headline numbers, labelled: slimtui's reclaimable bytes first, dive's figures beside them. */
export function metricLines(a: Analysis): string[] {
  const d = a.dive;
  return [
    `  image size:          ${formatBytes(d.imageSize)} (${d.imageSize} bytes) in ${a.image.layers.length} layers`,
    `  reclaimable:         ${formatBytes(a.reclaimable.totalBytes)} (${a.reclaimable.totalBytes} bytes) stored in layers but not in the final filesystem`,
    `  efficiency (dive):   ${formatPercent(d.efficiency, 4)}`,
    `  wasted (dive):       ${formatBytes(d.wastedBytes)} (${d.wastedBytes} bytes; counts the live copy too)`,
    `  user wasted (dive):  ${formatPercent(d.wastedUserPercent, 2)} of ${formatBytes(d.userSize)}`,
  ];
}

export function summaryText(a: Analysis, maxPaths = 10): string {
  const img = a.image;
  const lines = [
    `${img.repoTags[0] ?? img.reference} (${img.source}, ${platformString(img.platform)})`,
    ...metricLines(a),
    '',
    'Layers:',
  ];
  for (const l of img.layers) {
    const r = a.reclaimable.perLayer[l.index] ?? 0;
    lines.push(
      `  ${lpad(String(l.index), 3)} ${lpad(formatBytes(l.size), 9)} ${r > 0 ? `(${formatBytes(r)} reclaimable) ` : ''}${shortCommand(l.history?.createdBy) || '(no history)'}`,
    );
  }
  if (a.dive.inefficientPaths.length > 0) {
    lines.push('', 'Inefficient paths (dive):', `  ${pad('count', 6)}${lpad('bytes', 10)}  path`);
    for (const p of a.dive.inefficientPaths.slice(0, maxPaths))
      lines.push(`  ${pad(String(p.occurrences), 6)}${lpad(formatBytes(p.bytes), 10)}  ${displayPath(p.path)}`);
    if (a.dive.inefficientPaths.length > maxPaths)
      lines.push(`  … ${a.dive.inefficientPaths.length - maxPaths} more (see --json)`);
  }
  const warnings = [...img.warnings, ...a.tree.warnings];
  if (warnings.length > 0)
    lines.push('', `Warnings (${warnings.length}):`, ...warnings.slice(0, 10).map((w) => `  ${w.message}`));
  return lines.join('\n') + '\n';
}

export function ciText(a: Analysis, results: readonly RuleResult[], from: string): string {
  const lines = [
    `slimtui CI: ${a.image.repoTags[0] ?? a.image.reference} (${a.image.source})`,
    ...metricLines(a),
    '',
    `Rules (from ${from}):`,
  ];
  for (const r of results) lines.push(`  ${r.status === 'pass' ? 'PASS' : 'FAIL'}: ${pad(r.rule, 26)} ${r.message}`);
  if (results.length === 0) lines.push('  (no rules enabled)');
  const failed = results.filter((r) => r.status === 'fail').length;
  lines.push(
    '',
    `Result: ${failed > 0 ? 'FAIL' : 'PASS'} [Total:${results.length}] [Passed:${results.length - failed}] [Failed:${failed}]`,
  );
  return lines.join('\n') + '\n';
}
