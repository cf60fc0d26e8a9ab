import { formatBytes, formatPercent } from '../byte-units.js';
import { SEVERITY_RANK, type Severity } from '../libc/findings.js';
import type { ImageDiff } from './types.js';

/** Thresholds for `slimtui diff --ci`; undefined ones are not checked. */
export interface DiffCiRules {
  /** Fail when B is more than this many bytes larger than A. */
  highestGrowthBytes?: number;
  /** Fail when B grew by more than this ratio of A's size (0.1 = 10 %). */
  highestGrowthPercent?: number;
  /** Fail when B has a finding A had not, of this severity or worse. */
  failOnNewFindings?: Severity;
}

export type DiffRuleName = keyof DiffCiRules;
export const DIFF_RULES: readonly DiffRuleName[] = ['highestGrowthBytes', 'highestGrowthPercent', 'failOnNewFindings'];

export interface DiffRuleResult {
  readonly rule: DiffRuleName;
  readonly status: 'pass' | 'fail';
  readonly measured: string;
  readonly threshold: string;
  readonly message: string;
}

export const growthBytes = (d: ImageDiff): number => d.b.sizeBytes - d.a.sizeBytes;
/** Growth relative to A (Infinity when A is empty and B is not). */
export const growthRatio = (d: ImageDiff): number =>
  d.a.sizeBytes > 0 ? growthBytes(d) / d.a.sizeBytes : growthBytes(d) > 0 ? Infinity : 0;

export function evaluateDiffRules(d: ImageDiff, rules: DiffCiRules): DiffRuleResult[] {
  const out: DiffRuleResult[] = [];
  const g = growthBytes(d);
  if (rules.highestGrowthBytes !== undefined) {
    const ok = g <= rules.highestGrowthBytes;
    out.push({
      rule: 'highestGrowthBytes',
      status: ok ? 'pass' : 'fail',
      measured: String(g),
      threshold: String(rules.highestGrowthBytes),
      message: `${ok ? '' : 'the image grew too much '}(growth=${g} (${formatBytes(g)}) ${ok ? '≤' : '>'} threshold=${rules.highestGrowthBytes} (${formatBytes(rules.highestGrowthBytes)}))`,
    });
  }
  if (rules.highestGrowthPercent !== undefined) {
    const r = growthRatio(d);
    const ok = r <= rules.highestGrowthPercent;
    out.push({
      rule: 'highestGrowthPercent',
      status: ok ? 'pass' : 'fail',
      measured: Number.isFinite(r) ? r.toFixed(4) : 'inf',
      threshold: String(rules.highestGrowthPercent),
      message: `${ok ? '' : 'the image grew too much, relative to its size before '}(growth=${formatPercent(r, 2)} ${ok ? '≤' : '>'} threshold=${formatPercent(rules.highestGrowthPercent, 2)})`,
    });
  }
  if (rules.failOnNewFindings !== undefined) {
    const min = SEVERITY_RANK[rules.failOnNewFindings];
    const bad = d.findings.new.filter((f) => SEVERITY_RANK[f.severity] >= min);
    const ok = bad.length === 0;
    out.push({
      rule: 'failOnNewFindings',
      status: ok ? 'pass' : 'fail',
      measured: String(bad.length),
      threshold: rules.failOnNewFindings,
      message: `${ok ? '' : 'new binary findings at or above the threshold '}(new findings ≥ ${rules.failOnNewFindings}: ${bad.length}; all new: ${d.findings.new.length}, resolved: ${d.findings.resolved.length})${ok ? '' : ` first: ${bad[0]!.code} ${bad[0]!.path}`}`,
    });
  }
  return out;
}
