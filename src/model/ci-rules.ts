import type { Analysis } from './analysis.js';
import { formatBytes, formatPercent } from './byte-units.js';
import { atLeast, countBySeverity, type Severity } from './libc/findings.js';

/** A CI threshold; undefined fields are not checked. Names follow dive's `.dive-ci` where dive has them. */
export interface CiRules {
  lowestEfficiency?: number;
  highestWastedBytes?: number;
  highestUserWastedPercent?: number;
  highestReclaimableBytes?: number;
  /** Fail when there is any binary finding of this severity or worse. */
  failOnFindings?: Severity;
}

export type RuleName = keyof CiRules;

export interface RuleResult {
  readonly rule: RuleName;
  readonly status: 'pass' | 'fail';
  readonly measured: string;
  readonly threshold: string;
  readonly message: string;
}

/** Evaluates each set rule against the analysis; pure so the UI and CI agree. */
export function evaluateCiRules(a: Analysis, rules: CiRules): RuleResult[] {
  const out: RuleResult[] = [];
  const d = a.dive;
  if (rules.lowestEfficiency !== undefined) {
    // dive's test, exactly: fail when threshold > efficiency (a NaN threshold never fails).
    const ok = !(rules.lowestEfficiency > d.efficiency);
    out.push({
      rule: 'lowestEfficiency',
      status: ok ? 'pass' : 'fail',
      measured: d.efficiency.toFixed(4),
      threshold: String(rules.lowestEfficiency),
      message: ok
        ? `efficiency ${formatPercent(d.efficiency, 2)} ≥ ${formatPercent(rules.lowestEfficiency, 2)}`
        : `image efficiency is too low (efficiency=${d.efficiency.toFixed(4)} < threshold=${rules.lowestEfficiency})`,
    });
  }
  if (rules.highestWastedBytes !== undefined) {
    const ok = d.wastedBytes <= rules.highestWastedBytes;
    out.push({
      rule: 'highestWastedBytes',
      status: ok ? 'pass' : 'fail',
      measured: String(d.wastedBytes),
      threshold: String(rules.highestWastedBytes),
      message: `${ok ? '' : 'too many bytes wasted '}(wasted-bytes=${d.wastedBytes} (${formatBytes(d.wastedBytes)}) ${ok ? '≤' : '>'} threshold=${rules.highestWastedBytes} (${formatBytes(rules.highestWastedBytes)}))`,
    });
  }
  if (rules.highestUserWastedPercent !== undefined) {
    const v = d.wastedUserPercent;
    // dive's test, exactly: fail when threshold < ratio. With no user bytes the ratio is NaN (nothing wasted:
    // passes) or +Inf (bytes wasted: fails), as in dive's Go arithmetic.
    const ok = !(rules.highestUserWastedPercent < v);
    const shown = Number.isFinite(v) ? v.toFixed(4) : Number.isNaN(v) ? 'n/a' : 'inf';
    out.push({
      rule: 'highestUserWastedPercent',
      status: ok ? 'pass' : 'fail',
      measured: shown,
      threshold: String(rules.highestUserWastedPercent),
      message: `${ok ? '' : 'too many bytes wasted, relative to the user bytes added '}(%-user-wasted-bytes=${shown} ${ok ? '≤' : '>'} threshold=${rules.highestUserWastedPercent})`,
    });
  }
  if (rules.highestReclaimableBytes !== undefined) {
    const r = a.reclaimable.totalBytes;
    const ok = r <= rules.highestReclaimableBytes;
    out.push({
      rule: 'highestReclaimableBytes',
      status: ok ? 'pass' : 'fail',
      measured: String(r),
      threshold: String(rules.highestReclaimableBytes),
      message: `(reclaimable-bytes=${r} (${formatBytes(r)}) ${ok ? '≤' : '>'} threshold=${rules.highestReclaimableBytes} (${formatBytes(rules.highestReclaimableBytes)}))`,
    });
  }
  if (rules.failOnFindings !== undefined) {
    const all = a.binaries.findings;
    const bad = atLeast(all, rules.failOnFindings);
    const c = countBySeverity(all);
    const ok = bad.length === 0;
    const counts = `${c.error} error, ${c.warning} warning, ${c.info} info`;
    out.push({
      rule: 'failOnFindings',
      status: ok ? 'pass' : 'fail',
      measured: String(bad.length),
      threshold: rules.failOnFindings,
      message: `${ok ? '' : 'binary findings at or above the threshold '}(findings ≥ ${rules.failOnFindings}: ${bad.length}; all: ${counts})${ok ? '' : ` first: ${bad[0]!.code} ${bad[0]!.path}`}`,
    });
  }
  return out;
}
