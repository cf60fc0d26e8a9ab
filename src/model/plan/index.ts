/** The slimming planner: waste classes, what-if plans, projections, safety checks and the fix list (pure). */
export {
  classifyWaste,
  classifyWasteSteps,
  type WasteClass,
  type WasteReport,
  type WastePath,
} from './classify-waste.js';
export {
  WASTE_RULES,
  type WasteClassId,
  type PathClassId,
  type WasteCategory,
  type LayerWasteId,
} from './waste-rules.js';
export { describeAction, sameAction, type PlanAction } from './plan-action.js';
export { buildPlan, type Plan, type PlannedAction } from './build-plan.js';
export {
  projectPlan,
  type Projection,
  type LayerProjection,
  type ActionProjection,
  type Sizes,
} from './project-plan.js';
export { ratioPredictors, baselineCompressed, type Predictors, type Codec, type RemovedBytes } from './predictors.js';
export { checkSafety, type SafetyWarning } from './safety.js';
export { recommendedPlan, type RecommendedPlan } from './recommend.js';
export { fixList, type FixList, type FixGroup, type FixItem } from './fix-list.js';
export { renderFixListMarkdown, fixListJson, FIX_LIST_SCHEMA } from './render-fix-list.js';
export { renderProjectionTable, projectionJson } from './render-projection.js';
export {
  parsePlanFile,
  planFile,
  actionsFromFlags,
  PLAN_FILE_SCHEMA,
  PlanFileError,
  type PlanFile,
} from './plan-file.js';
export { matchesGlob } from './glob.js';
