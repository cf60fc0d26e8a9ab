import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { RuleName } from '../model/ci-rules.js';
import { DIFF_RULES, type DiffCiRules, type DiffRuleName } from '../model/diff/index.js';
import { SlimError } from '../io/errors.js';
import { parseRuleValue } from './ci-config.js';

/** When no diff rules are given anywhere: fail on growth over 10 % and on new error findings. */
export const DEFAULT_DIFF_RULES: DiffCiRules = { highestGrowthPercent: 0.1, failOnNewFindings: 'error' };

/** Each diff rule is read as the image rule with the same kind of value (ci-config.ts's parser and units). */
const PARSED_AS: Record<DiffRuleName, RuleName> = {
  highestGrowthBytes: 'highestWastedBytes',
  highestGrowthPercent: 'highestUserWastedPercent',
  failOnNewFindings: 'failOnFindings',
};

function parseDiffRule(
  rule: DiffRuleName,
  raw: unknown,
  where: string,
): number | 'error' | 'warning' | 'info' | 'disabled' {
  try {
    return parseRuleValue(PARSED_AS[rule], raw, where);
  } catch (e) {
    // The shared parser names the image rule; the user wrote the diff rule.
    throw new SlimError((e as Error).message.replace(PARSED_AS[rule], rule));
  }
}

/**
 * Diff rules from the flags over the `diff:` mapping of a rules file (`--ci-config`, else `.slimtui-ci.yaml`)
 * over the defaults. The file's `rules:` mapping (the one-image rules) is left to `slimtui IMAGE --ci`.
 */
export function loadDiffRules(
  flags: Readonly<Record<string, string>>,
  configPath: string | undefined,
  cwd: string,
): { rules: DiffCiRules; from: string } {
  let fileRules: Record<string, unknown> | undefined;
  let from = 'defaults';
  const candidates = configPath ? [configPath] : ['.slimtui-ci.yaml', '.slimtui-ci.yml'].map((f) => `${cwd}/${f}`);
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
    const diff = doc && typeof doc === 'object' ? (doc as Record<string, unknown>)['diff'] : undefined;
    if (diff === undefined || diff === null) {
      if (configPath) fileRules = {};
      else continue;
    } else if (typeof diff !== 'object' || Array.isArray(diff))
      throw new SlimError(`${path}: "diff" must be a mapping of diff rules`);
    else fileRules = diff as Record<string, unknown>;
    from = path.startsWith(`${cwd}/`) ? path.slice(cwd.length + 1) : path;
    break;
  }
  const merged: Record<string, unknown> = {
    ...(fileRules ?? (Object.keys(flags).length === 0 ? DEFAULT_DIFF_RULES : {})),
    ...flags,
  };
  if (Object.keys(flags).length > 0) from = fileRules ? `${from} and flags` : 'flags';
  const rules: DiffCiRules = {};
  for (const [k, raw] of Object.entries(merged)) {
    if (!DIFF_RULES.includes(k as DiffRuleName))
      throw new SlimError(`${from}: unknown diff rule ${k} (known: ${DIFF_RULES.join(', ')})`);
    const val = parseDiffRule(k as DiffRuleName, raw, from);
    if (val !== 'disabled') (rules as Record<string, unknown>)[k] = val;
  }
  return { rules, from };
}
