import { readFileSync, writeFileSync } from 'node:fs';
import type { Analysis } from '../model/analysis.js';
import { buildPlan, type Plan } from '../model/plan/build-plan.js';
import { classifyWaste } from '../model/plan/classify-waste.js';
import { fixList } from '../model/plan/fix-list.js';
import { modelPredictors } from '../model/plan/model-predictors.js';
import type { PlanAction } from '../model/plan/plan-action.js';
import { actionsFromFlags, parsePlanFile, PlanFileError } from '../model/plan/plan-file.js';
import type { Codec, Predictors } from '../model/plan/predictors.js';
import { projectPlan, type Projection } from '../model/plan/project-plan.js';
import { recommendedPlan } from '../model/plan/recommend.js';
import { fixListJson, renderFixListMarkdown } from '../model/plan/render-fix-list.js';
import { projectionJson, renderProjectionTable } from '../model/plan/render-projection.js';
import { SlimError, messages } from '../io/errors.js';
import { hasExplicitPlan, type PlanArgs } from './plan-args.js';

export interface PlanRun {
  readonly actions: readonly PlanAction[];
  readonly recommended: boolean;
  readonly plan: Plan;
  readonly projection: Projection;
}

/** The plan the flags (or the plan file) give, else the recommended one, projected. */
export function runPlan(analysis: Analysis, args: PlanArgs, predictors: Predictors = modelPredictors(analysis.image)): PlanRun {
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
  return { actions, recommended, plan, projection: projectPlan(analysis, plan, predictors, { codec: codec ?? 'gzip' }) };
}

/** Writes the fix list; returns the line to tell the user where. */
export function exportFixList(analysis: Analysis, run: PlanRun, file: string, format?: 'md' | 'json'): string {
  const fmt = format ?? (/\.json$/i.test(file) ? 'json' : 'md');
  const f = fixList(analysis, run.projection);
  const text = fmt === 'json' ? `${JSON.stringify({ ...(fixListJson(f) as object), recommendedPlan: run.recommended, plan: { schema: 'slimtui-plan/1', actions: run.actions } }, null, 2)}\n` : renderFixListMarkdown(f);
  writeFileSync(file, text);
  return `slimtui: fix list (${fmt}, ${f.groups.reduce((n, g) => n + g.items.length, 0)} items${run.recommended ? ', recommended plan' : ''}) written to ${file}\n`;
}

export function whatIfText(run: PlanRun): string {
  return `${run.recommended ? 'plan: recommended (no plan flags given)\n' : ''}${renderProjectionTable(run.projection, process.stdout.columns ?? 120)}`;
}

/** The `plan` section of --json. */
export function planJson(run: PlanRun): unknown {
  return { schema: 'slimtui-plan/1', recommended: run.recommended, actions: run.actions, projection: projectionJson(run.projection) };
}
