import { readFileSync, writeFileSync } from 'node:fs';
import type { Analysis } from '../model/analysis.js';
import { buildPlan, type Plan } from '../model/plan/build-plan.js';
import { classifyWaste } from '../model/plan/classify-waste.js';
import { fixList } from '../model/plan/fix-list.js';
import { modelPredictors, withUpxResults } from '../model/plan/model-predictors.js';
import type { PlanAction } from '../model/plan/plan-action.js';
import { actionsFromFlags, parsePlanFile, PlanFileError } from '../model/plan/plan-file.js';
import type { Codec, Predictors } from '../model/plan/predictors.js';
import { projectPlan, type Projection } from '../model/plan/project-plan.js';
import { recommendedPlan } from '../model/plan/recommend.js';
import { fixListJson, renderFixListMarkdown } from '../model/plan/render-fix-list.js';
import { projectionJson, renderProjectionTable } from '../model/plan/render-projection.js';
import { SlimError, messages, writeOutput } from '../io/errors.js';
import type { ReadFiles } from '../model/ports.js';
import { predictUpxTargets, upxTargets, type UpxModelOptions } from '../io/upx-targets.js';
import { hasExplicitPlan, type PlanArgs } from './plan-args.js';

export interface PlanRun {
  readonly actions: readonly PlanAction[];
  readonly recommended: boolean;
  readonly plan: Plan;
  readonly projection: Projection;
}

/** A plan resolved to entries, not projected yet. */
export interface PreparedPlan {
  readonly actions: readonly PlanAction[];
  readonly recommended: boolean;
  readonly plan: Plan;
  readonly codec: Codec;
}

export function projectPrepared(analysis: Analysis, p: PreparedPlan, predictors: Predictors): PlanRun {
  return {
    actions: p.actions,
    recommended: p.recommended,
    plan: p.plan,
    projection: projectPlan(analysis, p.plan, predictors, { codec: p.codec }),
  };
}

/**
 * The plan the flags (or the plan file) give, else the recommended one, projected with the real UPX model: when the plan packs files, their bytes are read again from the source
 * (only those files, one pass) and `xz` sizes them; the results are injected as `Predictors.upx`.
 */
export async function runPlanWithUpx(
  analysis: Analysis,
  args: PlanArgs,
  readFiles: ReadFiles | undefined,
  opts: UpxModelOptions & { readonly onNote?: (note: string) => void } = {},
): Promise<PlanRun> {
  const prepared = preparePlan(analysis, args);
  const base = modelPredictors(analysis.image);
  const targets = upxTargets(analysis, prepared.plan);
  if (targets.length === 0) return projectPrepared(analysis, prepared, base);
  const { results, note } = await predictUpxTargets(readFiles, analysis, targets, opts);
  if (note) opts.onNote?.(note);
  return projectPrepared(analysis, prepared, withUpxResults(base, results, note));
}

/** The plan the flags (or the plan file) give, else the recommended one, resolved to entries. */
export function preparePlan(analysis: Analysis, args: PlanArgs): PreparedPlan {
  let actions: PlanAction[] = [];
  let codec: Codec | undefined = args.codec;
  try {
    if (args.planFile) {
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(args.planFile, 'utf8'));
      } catch (e) {
        throw new SlimError(messages.usage(`--plan ${args.planFile}: ${(e as Error).message}`));
      }
      const file = parsePlanFile(json);
      actions.push(...file.actions);
      codec ??= file.codec;
    }
    actions.push(...actionsFromFlags(args));
  } catch (e) {
    if (e instanceof PlanFileError) throw new SlimError(messages.usage(e.message));
    throw e;
  }
  const waste = classifyWaste(analysis);
  const recommended = !hasExplicitPlan(args);
  if (recommended) actions = [...recommendedPlan(analysis, waste).actions];
  const plan = buildPlan(analysis, actions, { waste });
  return { actions, recommended, plan, codec: codec ?? 'gzip' };
}

/** Writes the fix list; returns the line to tell the user where. */
export function exportFixList(analysis: Analysis, run: PlanRun, file: string, format?: 'md' | 'json'): string {
  const fmt = format ?? (/\.json$/i.test(file) ? 'json' : 'md');
  const f = fixList(analysis, run.projection);
  const text =
    fmt === 'json'
      ? `${JSON.stringify({ ...(fixListJson(f) as object), recommendedPlan: run.recommended, plan: { schema: 'slimtui-plan/1', actions: run.actions } }, null, 2)}\n`
      : renderFixListMarkdown(f);
  writeOutput(() => writeFileSync(file, text), file);
  return `slimtui: fix list (${fmt}, ${f.groups.reduce((n, g) => n + g.items.length, 0)} items${run.recommended ? ', recommended plan' : ''}) written to ${file}\n`;
}

export function whatIfText(run: PlanRun): string {
  return `${run.recommended ? 'plan: recommended (no plan flags given)\n' : ''}${renderProjectionTable(run.projection, process.stdout.columns ?? 120)}`;
}

/** The `plan` section of --json. */
export function planJson(run: PlanRun): unknown {
  return {
    schema: 'slimtui-plan/1',
    recommended: run.recommended,
    actions: run.actions,
    projection: projectionJson(run.projection),
  };
}
