import type { FsNode } from '../model/file-tree.js';
import { sameAction, type PlanAction } from '../model/plan/index.js';

/** The what-if plan being built in the UI: its actions, and the earlier versions for undo. */
export interface PlanState {
  readonly actions: readonly PlanAction[];
  /** Earlier action lists, newest last. */
  readonly history: readonly (readonly PlanAction[])[];
}

export const EMPTY_PLAN: PlanState = { actions: [], history: [] };

const HISTORY_LIMIT = 200;

function withActions(p: PlanState, actions: readonly PlanAction[]): PlanState {
  const history = [...p.history, p.actions];
  return { actions, history: history.length > HISTORY_LIMIT ? history.slice(-HISTORY_LIMIT) : history };
}

export const hasAction = (p: PlanState, a: PlanAction): boolean => p.actions.some((b) => sameAction(a, b));

/** Adds the action, or takes it out when it is already in the plan. */
export function toggleAction(p: PlanState, a: PlanAction): PlanState {
  return withActions(p, hasAction(p, a) ? p.actions.filter((b) => !sameAction(a, b)) : [...p.actions, a]);
}

export function removeActionAt(p: PlanState, index: number): PlanState {
  if (index < 0 || index >= p.actions.length) return p;
  return withActions(
    p,
    p.actions.filter((_, i) => i !== index),
  );
}

/** Back to the action list before the last change. */
export function undoPlan(p: PlanState): PlanState {
  if (p.history.length === 0) return p;
  return { actions: p.history[p.history.length - 1]!, history: p.history.slice(0, -1) };
}

/** The removal of a node: the path, and for a directory its subtree. */
export const removeNodeAction = (node: FsNode): PlanAction => ({ kind: 'remove-path', path: `/${node.path}` });
export const stripAction = (target: string): PlanAction => ({ kind: 'strip', target });
export const upxAction = (target: string): PlanAction => ({ kind: 'upx', target });
