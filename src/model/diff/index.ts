export * from './types.js';
export { diffImages, byDelta } from './diff-images.js';
export { matchLayers } from './match-layers.js';
export { diffTrees, changedAttrs } from './path-diff.js';
export { diffBinaries, diffFindings, binarySide } from './binary-diff.js';
export { topContributors } from './top-growth.js';
export {
  evaluateDiffRules,
  growthBytes,
  growthRatio,
  DIFF_RULES,
  type DiffCiRules,
  type DiffRuleName,
  type DiffRuleResult,
} from './diff-ci-rules.js';
