export * from './types.js';
export { diffImages, diffInputs, byDelta } from './diff-images.js';
export {
  diffInput,
  fromPortable,
  imageSide,
  toPortable,
  type DiffInput,
  type PortableDiffInput,
} from './diff-input.js';
export { treeView, tableView, toTable, type FinalView, type FinalTable, type LiveRecord } from './final-view.js';
export { matchLayers } from './match-layers.js';
export { diffTrees, changedAttrs } from './path-diff.js';
export { diffBinaries, diffFindings, binarySide, binarySides } from './binary-diff.js';
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
