import type { Analysis } from '../model/analysis.js';
import type { Entry } from '../model/entry.js';
import type { Predictors } from '../model/plan/index.js';
import { withUpxResults } from '../model/plan/model-predictors.js';
import type { UpxPrediction } from '../model/plan/predictors.js';
import { upxTargets, type UpxModelResult, type UpxTarget } from '../model/plan/upx-target.js';
import type { PlanResult } from './plan-projector.js';

/** What the real UPX model answered so far (per entry), and why some files keep the rough guess. */
export interface UpxAnswers {
  readonly results: ReadonlyMap<Entry, UpxPrediction>;
  readonly notes: readonly string[];
}

export const NO_UPX_ANSWERS: UpxAnswers = { results: new Map(), notes: [] };

/** A new value with the model's answers added (the old one is left as it was). */
export function addUpxAnswers(a: UpxAnswers, r: UpxModelResult): UpxAnswers {
  const results = new Map(a.results);
  for (const [e, p] of r.results) results.set(e, p);
  const notes = r.note && !a.notes.includes(r.note) ? [...a.notes, r.note] : a.notes;
  return { results, notes };
}

/** The planner's predictors with the answers in (the same object when there are none). */
export const predictorsWithAnswers = (base: Predictors, a: UpxAnswers): Predictors =>
  a === NO_UPX_ANSWERS ? base : withUpxResults(base, a.results, a.notes.length > 0 ? a.notes.join('; ') : undefined);

/** The files this projected plan packs that the model was not asked about yet. */
export function upxTargetsToAsk(analysis: Analysis, r: PlanResult, asked: ReadonlySet<Entry>): UpxTarget[] {
  if (!r.projection.plan.actions.some((pa) => pa.packs.length > 0)) return [];
  return upxTargets(analysis, r.projection.plan).filter((t) => !asked.has(t.entry));
}
