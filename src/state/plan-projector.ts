import type { Analysis } from '../model/analysis.js';
import { formatBytes } from '../model/byte-units.js';
import {
  buildPlan,
  projectPlan,
  type Codec,
  type PlanAction,
  type Predictors,
  type Projection,
  type WasteReport,
} from '../model/plan/index.js';

/** Plan marks per node id (bit flags), for the tree rows. */
export const MARK_REMOVE = 1,
  MARK_STRIP = 2,
  MARK_UPX = 4;

export interface PlanResult {
  readonly key: string;
  readonly projection: Projection;
  /** MARK_* flags by node id: the node has an entry the plan removes / strips / packs. */
  readonly marks: Uint8Array;
  /** Milliseconds the projection took (the app moves it off the keystroke path when slow). */
  readonly ms: number;
}

export const NO_WASTE: WasteReport = { classes: [], duplicates: [], haveDigests: false };

export const planKey = (actions: readonly PlanAction[]): string => JSON.stringify(actions);

/** Class removals need the waste classes to resolve; nothing else does (sizes never depend on them). */
export const needsWaste = (actions: readonly PlanAction[]): boolean => actions.some((a) => a.kind === 'remove-class');

/**
 * Projects plans for one (image, predictors, codec), memoised by plan: the same action list is projected
 * once, so undo and toggling back are free. Its inputs never change: new predictors (the UPX model's
 * answers arrived) make a new projector — the flow is one way, inputs → projection, nothing calls back in.
 */
export class PlanProjector {
  private readonly cache = new Map<string, PlanResult>();

  constructor(
    readonly analysis: Analysis,
    readonly predictors: Predictors,
    readonly codec: Codec = 'gzip',
    private readonly now: () => number = () => Date.now(),
  ) {}

  cached(actions: readonly PlanAction[]): PlanResult | undefined {
    return this.cache.get(planKey(actions));
  }

  /** `waste` is used for class removals; without it they resolve to nothing (pass it when `needsWaste`). */
  project(actions: readonly PlanAction[], waste: WasteReport = NO_WASTE): PlanResult {
    const key = planKey(actions);
    const hit = this.cache.get(key);
    if (hit && (hit.projection.plan.waste === waste || !needsWaste(actions))) {
      // Most recently used last.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const t0 = this.now();
    const plan = buildPlan(this.analysis, actions, { waste: needsWaste(actions) ? waste : NO_WASTE });
    const projection = projectPlan(this.analysis, plan, this.predictors, { codec: this.codec });
    const { tree } = this.analysis;
    const marks = new Uint8Array(tree.nodes.length);
    for (const a of plan.actions) {
      for (const r of a.removes) {
        const n = tree.nodeOf(r.layer, r.index);
        if (n) marks[n.id]! |= MARK_REMOVE;
      }
      for (const r of a.strips) {
        const n = tree.nodeOf(r.layer, r.index);
        if (n) marks[n.id]! |= MARK_STRIP;
      }
      for (const r of a.packs) {
        const n = tree.nodeOf(r.layer, r.index);
        if (n) marks[n.id]! |= MARK_UPX;
      }
    }
    const result: PlanResult = { key, projection, marks, ms: this.now() - t0 };
    this.cache.set(key, result);
    if (this.cache.size > 64) this.cache.delete(this.cache.keys().next().value!);
    return result;
  }

  /** The projection with the real waste report (the fix list's notes and duplicate items need it). */
  forExport(actions: readonly PlanAction[], waste: WasteReport): Projection {
    return projectPlan(this.analysis, buildPlan(this.analysis, actions, { waste }), this.predictors, {
      codec: this.codec,
    });
  }
}

/** True when `r` is the projection of exactly `actions` (it may lag a keystroke behind). */
export const isProjectionOf = (r: PlanResult | undefined, actions: readonly PlanAction[]): r is PlanResult =>
  r !== undefined && r.key === planKey(actions);

/** The status line's size segment: `3.5 MB → 2.7 MB · gzip 1.5 MB → 1.2 MB` (now → planned). */
export function planStatusText(p: Projection): string {
  const { before, after } = p.total;
  const arrow = (a: number, b: number): string =>
    `${formatBytes(a)} → ${formatBytes(b)}${a === b ? '' : ` (${a > b ? '−' : '+'}${formatBytes(Math.abs(a - b))})`}`;
  return `${arrow(before.size, after.size)} · ${p.codec} ${arrow(before.compressed, after.compressed)}`;
}
