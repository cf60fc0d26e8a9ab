import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { CiRules, RuleName } from '../model/ci-rules.js';
import { parseByteSize } from '../model/byte-units.js';
import { goParseFloat, goString, humanizeParseBytes } from '../model/dive-ci-syntax.js';
import { SlimError } from '../io/errors.js';

/** dive's defaults when no rules are given anywhere. */
export const DEFAULT_RULES: CiRules = { lowestEfficiency: 0.9, highestUserWastedPercent: 0.1 };

const BYTE_RULES: ReadonlySet<RuleName> = new Set(['highestWastedBytes', 'highestReclaimableBytes']);
const KNOWN: readonly RuleName[] = [
  'lowestEfficiency',
  'highestWastedBytes',
  'highestUserWastedPercent',
  'highestReclaimableBytes',
  'failOnFindings',
];
const SEVERITIES = ['error', 'warning', 'info'] as const;

/** One rule value: a number, a size with dive's units for byte rules, a severity for failOnFindings, or `disabled`. */
export function parseRuleValue(
  rule: RuleName,
  raw: unknown,
  where: string,
): number | 'error' | 'warning' | 'info' | 'disabled' {
  if (typeof raw === 'string' && raw.trim().toLowerCase() === 'disabled') return 'disabled';
  if (rule === 'failOnFindings') {
    const s = String(raw).trim().toLowerCase();
    if (!(SEVERITIES as readonly string[]).includes(s))
      throw new SlimError(
        `${where}: failOnFindings must be error, warning, info or disabled, got ${JSON.stringify(raw)}`,
      );
    return s as (typeof SEVERITIES)[number];
  }
  if (BYTE_RULES.has(rule)) {
    const n = parseByteSize(typeof raw === 'number' ? raw : String(raw));
    if (n === undefined)
      throw new SlimError(`${where}: ${rule} must be a size like 20MB or 1.5GiB, got ${JSON.stringify(raw)}`);
    return n;
  }
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim().replace(/%$/, ''));
  if (!Number.isFinite(n) || n < 0)
    throw new SlimError(`${where}: ${rule} must be a number, got ${JSON.stringify(raw)}`);
  return String(raw).trim().endsWith('%') ? n / 100 : n;
}

export interface LoadedRules {
  readonly rules: CiRules;
  readonly from: string;
}

/** Rules from the flags over a rules file (`--ci-config`, `.slimtui-ci.yaml`, or dive's `.dive-ci`) over dive's defaults. */
export function loadCiRules(
  flags: Readonly<Record<string, string>>,
  configPath: string | undefined,
  cwd: string,
): LoadedRules {
  let fileRules: Record<string, unknown> | undefined;
  let from = "dive's defaults";
  const candidates = configPath
    ? [configPath]
    : ['.slimtui-ci.yaml', '.slimtui-ci.yml', '.dive-ci'].map((f) => `${cwd}/${f}`);
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
    from = path.startsWith(`${cwd}/`) ? path.slice(cwd.length + 1) : path;
    if (!SLIMTUI_FILE.test(basename(path))) {
      // dive's file (.dive-ci, or any --ci-config): read exactly as dive reads it.
      const diveRules = readAsDive(doc, from);
      return {
        rules: { ...diveRules, ...parseFlags(flags, `${from} and flags`) },
        from: Object.keys(flags).length > 0 ? `${from} and flags` : from,
      };
    }
    const rules = doc && typeof doc === 'object' ? (doc as Record<string, unknown>)['rules'] : undefined;
    if (rules !== undefined && (typeof rules !== 'object' || rules === null))
      throw new SlimError(`${path}: "rules" must be a mapping`);
    fileRules = (rules as Record<string, unknown> | undefined) ?? {};
    break;
  }
  const merged: Record<string, unknown> = {
    ...(fileRules ?? (Object.keys(flags).length === 0 ? DEFAULT_RULES : {})),
    ...flags,
  };
  if (Object.keys(flags).length > 0) from = fileRules ? `${from} and flags` : 'flags';
  return { rules: parseFlags(merged, from), from };
}

/** slimtui's own rules file; anything else is read as dive reads `.dive-ci`. */
const SLIMTUI_FILE = /^\.slimtui-ci\.ya?ml$/;

function parseFlags(values: Readonly<Record<string, unknown>>, from: string): CiRules {
  const rules: CiRules = {};
  for (const [k, raw] of Object.entries(values)) {
    if (!KNOWN.includes(k as RuleName)) throw new SlimError(`${from}: unknown rule ${k} (known: ${KNOWN.join(', ')})`);
    const v = parseRuleValue(k as RuleName, raw, from);
    if (v !== 'disabled') (rules as Record<string, unknown>)[k] = v;
  }
  return rules;
}

/** A key of a YAML mapping as viper finds it: case-insensitively. */
function lookup(map: unknown, key: string): unknown {
  if (!map || typeof map !== 'object' || Array.isArray(map)) return undefined;
  const hit = Object.keys(map).find((k) => k.toLowerCase() === key.toLowerCase());
  return hit === undefined ? undefined : (map as Record<string, unknown>)[hit];
}

/**
 * dive v0.13.1's reading of `.dive-ci` (runtime/ci/rule.go, cmd/root.go): keys are case-insensitive, unknown
 * keys (and `plugins:`) are ignored, a rule left out (or null) takes dive's default (lowestEfficiency 0.9,
 * highestUserWastedPercent 0.1, highestWastedBytes disabled), only the exact string `disabled` turns a rule off,
 * ratios are Go floats within 0..1, sizes go-humanize sizes. A value dive calls misconfigured (its exit 1, "CI
 * Misconfigured") is slimtui's bad-input line (exit 2). slimtui's own rules (highestReclaimableBytes,
 * failOnFindings) are read too, with slimtui's syntax.
 */
function readAsDive(doc: unknown, from: string): CiRules {
  // viper: a document that is not a mapping does not load; a `rules` that is not one shadows every rule with "".
  if (doc !== null && doc !== undefined && (typeof doc !== 'object' || Array.isArray(doc)))
    throw new SlimError(`${from}: not a YAML mapping (dive: "ci configuration error")`);
  const section = lookup(doc, 'rules');
  if (section !== null && section !== undefined && (typeof section !== 'object' || Array.isArray(section)))
    throw new SlimError(`${from}: "rules" must be a mapping`);
  const rules: CiRules = { ...DEFAULT_RULES };
  const value = (rule: RuleName): unknown => lookup(section, rule);
  for (const rule of ['lowestEfficiency', 'highestUserWastedPercent'] as const) {
    const raw = value(rule);
    if (raw === undefined || raw === null) continue;
    const text = goString(raw);
    if (text === 'disabled') {
      delete rules[rule];
      continue;
    }
    const n = goParseFloat(text);
    if (n === undefined)
      throw new SlimError(`${from}: ${rule}: invalid config value (${JSON.stringify(text)}): not a number`);
    if (n < 0 || n > 1)
      throw new SlimError(
        `${from}: ${rule} config value is outside allowed range (0-1), given ${JSON.stringify(text)}`,
      );
    rules[rule] = n;
  }
  const wasted = value('highestWastedBytes');
  if (wasted !== undefined && wasted !== null && goString(wasted) !== 'disabled') {
    const n = humanizeParseBytes(goString(wasted));
    if (n === undefined)
      throw new SlimError(
        `${from}: highestWastedBytes: invalid config value (${JSON.stringify(goString(wasted))}): not a size like 20MB`,
      );
    rules.highestWastedBytes = n;
  }
  for (const rule of ['highestReclaimableBytes', 'failOnFindings'] as const) {
    const raw = value(rule);
    if (raw === undefined || raw === null) continue;
    const v = parseRuleValue(rule, raw, from);
    if (v !== 'disabled') (rules as Record<string, unknown>)[rule] = v;
  }
  return rules;
}
