import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { CiRules, RuleName } from '../model/ci-rules.js';
import { parseByteSize } from '../model/byte-units.js';
import { SlimError } from '../io/errors.js';

/** dive's defaults when no rules are given anywhere. */
export const DEFAULT_RULES: CiRules = { lowestEfficiency: 0.9, highestUserWastedPercent: 0.1 };

const BYTE_RULES: ReadonlySet<RuleName> = new Set(['highestWastedBytes', 'highestReclaimableBytes']);
const KNOWN: readonly RuleName[] = ['lowestEfficiency', 'highestWastedBytes', 'highestUserWastedPercent', 'highestReclaimableBytes', 'failOnFindings'];
const SEVERITIES = ['error', 'warning', 'info'] as const;

/** One rule value: a number, a size with dive's units for byte rules, a severity for failOnFindings, or `disabled`. */
export function parseRuleValue(rule: RuleName, raw: unknown, where: string): number | 'error' | 'warning' | 'info' | 'disabled' {
  if (typeof raw === 'string' && raw.trim().toLowerCase() === 'disabled') return 'disabled';
  if (rule === 'failOnFindings') {
    const s = String(raw).trim().toLowerCase();
    if (!(SEVERITIES as readonly string[]).includes(s)) throw new SlimError(`${where}: failOnFindings must be error, warning, info or disabled, got ${JSON.stringify(raw)}`);
    return s as (typeof SEVERITIES)[number];
  }
  if (BYTE_RULES.has(rule)) {
    const n = parseByteSize(typeof raw === 'number' ? raw : String(raw));
    if (n === undefined) throw new SlimError(`${where}: ${rule} must be a size like 20MB or 1.5GiB, got ${JSON.stringify(raw)}`);
    return n;
  }
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim().replace(/%$/, ''));
  if (!Number.isFinite(n) || n < 0) throw new SlimError(`${where}: ${rule} must be a number, got ${JSON.stringify(raw)}`);
  return String(raw).trim().endsWith('%') ? n / 100 : n;
}

export interface LoadedRules {
  readonly rules: CiRules;
  readonly from: string;
}

/** Rules from the flags over a rules file (`--ci-config`, `.slimtui-ci.yaml`, or dive's `.dive-ci`) over dive's defaults. */
export function loadCiRules(flags: Readonly<Record<string, string>>, configPath: string | undefined, cwd: string): LoadedRules {
  let fileRules: Record<string, unknown> | undefined;
  let from = "dive's defaults";
  const candidates = configPath ? [configPath] : ['.slimtui-ci.yaml', '.slimtui-ci.yml', '.dive-ci'].map((f) => `${cwd}/${f}`);
  for (const path of candidates) {
    if (!existsSync(path)) {
      if (configPath) throw new SlimError(`file not found: ${path}`);
      continue;
    }
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new SlimError(`${path}: not valid YAML (${(e as Error).message.split('\n')[0]})`);
    }
    const rules = doc && typeof doc === 'object' ? (doc as Record<string, unknown>)['rules'] : undefined;
    if (rules !== undefined && (typeof rules !== 'object' || rules === null)) throw new SlimError(`${path}: "rules" must be a mapping`);
    fileRules = (rules as Record<string, unknown> | undefined) ?? {};
    from = path.startsWith(`${cwd}/`) ? path.slice(cwd.length + 1) : path;
    break;
  }
  const merged: Record<string, unknown> = { ...(fileRules ?? (Object.keys(flags).length === 0 ? DEFAULT_RULES : {})), ...flags };
  if (Object.keys(flags).length > 0) from = fileRules ? `${from} and flags` : 'flags';
  const rules: CiRules = {};
  for (const [k, raw] of Object.entries(merged)) {
    if (!KNOWN.includes(k as RuleName)) throw new SlimError(`${from}: unknown rule ${k} (known: ${KNOWN.join(', ')})`);
    const v = parseRuleValue(k as RuleName, raw, from);
    if (v !== 'disabled') (rules as Record<string, unknown>)[k] = v;
  }
  return { rules, from };
}
