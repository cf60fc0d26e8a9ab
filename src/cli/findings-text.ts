/** The `--summary` section on binaries: libc inventory, verdict counts, and the findings. */
import type { Analysis } from '../model/analysis.js';
import { countBySeverity } from '../model/libc/index.js';

export function findingsText(a: Analysis, maxFindings = 30): string {
  const r = a.binaries;
  if (!r.analysed) return '';
  const inv = r.inventory;
  const libc = [
    ...inv.glibc.map((g) => `glibc ${g.version ?? '?'} (${g.realPath})`),
    ...inv.musl.map((m) => `musl ${m.version ?? 'version unknown'} (${m.path})`),
  ];
  const execs = r.binaries.filter((b) => b.verdict);
  const count = (s: string): number => execs.filter((b) => b.verdict!.status === s).length;
  const c = countBySeverity(r.findings);
  const lines = [
    '',
    'Binaries:',
    `  ELF files:           ${r.binaries.length} (${execs.length} executables: ${count('will start')} will start, ${count('will not start')} will not start, ${count('unknown')} unknown)`,
    `  libc:                ${libc.length > 0 ? libc.join(', ') : 'none'}`,
  ];
  if (inv.ldLibraryPath) lines.push(`  LD_LIBRARY_PATH:     ${inv.ldLibraryPath.join(':')}`);
  lines.push('', `Findings (${c.error} errors, ${c.warning} warnings, ${c.info} info):`);
  if (r.findings.length === 0) lines.push('  (none)');
  // Errors and warnings in full; info grouped by code.
  const shown = r.findings.filter((f) => f.severity !== 'info').slice(0, maxFindings);
  for (const f of shown)
    lines.push(
      `  ${f.severity.toUpperCase().padEnd(7)} ${f.code} ${f.path}`,
      `          ${f.evidence}`,
      `          fix: ${f.fix}`,
    );
  const rest = r.findings.filter((f) => f.severity !== 'info').length - shown.length;
  if (rest > 0) lines.push(`  … ${rest} more errors/warnings (see --json)`);
  const info = new Map<string, number>();
  for (const f of r.findings) if (f.severity === 'info') info.set(f.code, (info.get(f.code) ?? 0) + 1);
  for (const [code, n] of info) lines.push(`  INFO    ${code}: ${n} file${n === 1 ? '' : 's'} (see --json)`);
  return lines.join('\n') + '\n';
}
