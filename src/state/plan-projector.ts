import type { Analysis } from '../model/analysis.js';
import { formatBytes } from '../model/byte-units.js';
import type { Entry } from '../model/entry.js';
import { buildPlan, classifyWaste, projectPlan, type Codec, type PlanAction, type Predictors, type Projection, type WasteReport } from '../model/plan/index.js';
import { withUpxResults } from '../model/plan/model-predictors.js';
import type { UpxPrediction } from '../model/plan/predictors.js';
import { upxTargets, type UpxTarget } from '../model/plan/upx-target.js';

/** Plan marks per node id (bit flags), for the tree rows. */
export const MARK_REMOVE = 1, MARK_STRIP = 2, MARK_UPX = 4;

export interface PlanResult {
  readonly key: string;
  readonly projection: Projection;
  /** MARK_* flags by node id: the node has an entry the plan removes / strips / packs. */
  readonly marks: Uint8Array;
  /** Milliseconds the projection took (the app moves it off the keystroke path when slow). */
  readonly ms: number;
}

const NO_WASTE: WasteReport = { classes: [], duplicates: [], haveDigests: false };

export const planKey = (actions: readonly PlanAction[]): string => JSON.stringify(actions);

/**
 * Projects plans for one image, memoised by plan (the same action list is projected once; undo and
 * toggling back are free). The waste classes are computed once, on first use.
 */
export class PlanProjector {
  private waste?: WasteReport;
  private readonly cache = new Map<string, PlanResult>();
  private predictors: Predictors;
  /** Entries handed to the UPX model already (answered, failed or in flight): never asked twice. */
  private readonly upxAsked = new Set<Entry>();
  private readonly upxResults = new Map<Entry, UpxPrediction>();
  private readonly upxNotes = new Set<string>();

  constructor(
    readonly analysis: Analysis,
    private readonly basePredictors: Predictors,
    readonly codec: Codec = 'gzip',
    private readonly now: () => number = () => Date.now(),
  ) {
    this.predictors = basePredictors;
  }

  /**
   * The files this projected plan packs that the UPX model has not been asked about yet; they count as
   * asked from now on (the caller hands them to the model once, then `addUpxResults` or nothing on failure).
   */
  takeUpxTargets(r: PlanResult): UpxTarget[] {
    if (!r.projection.plan.actions.some((pa) => pa.packs.length > 0)) return [];
    const out = upxTargets(this.analysis, r.projection.plan).filter((t) => !this.upxAsked.has(t.entry));
    for (const t of out) this.upxAsked.add(t.entry);
    return out;
  }

  /** The UPX model's answers: later projections use them (the cache is dropped, so they are projected again). */
  addUpxResults(results: ReadonlyMap<Entry, UpxPrediction>, note?: string): void {
    for (const [e, p] of results) this.upxResults.set(e, p);
    if (note) this.upxNotes.add(note);
    this.predictors = withUpxResults(this.basePredictors, this.upxResults, this.upxNotes.size > 0 ? [...this.upxNotes].join('; ') : undefined);
    this.cache.clear();
  }

  /** The waste classes (slow on big images: ~2 s at 200,000 entries; computed once, on first use). */
  wasteReport(): WasteReport {
    return (this.waste ??= classifyWaste(this.analysis));
  }

  /** The waste classes when already computed. */
  wasteIfReady(): WasteReport | undefined {
    return this.waste;
  }

  /** The projection with the real waste report (the fix list's notes and duplicate items need it). */
  forExport(actions: readonly PlanAction[]): Projection {
    const r = this.project(actions);
    if (r.projection.plan.waste !== NO_WASTE) return r.projection;
    return projectPlan(this.analysis, buildPlan(this.analysis, actions, { waste: this.wasteReport() }), this.predictors, { codec: this.codec });
  }

  cached(actions: readonly PlanAction[]): PlanResult | undefined {
    return this.cache.get(planKey(actions));
  }

  project(actions: readonly PlanAction[]): PlanResult {
    const key = planKey(actions);
    const hit = this.cache.get(key);
    if (hit) {
      // Most recently used last.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const t0 = this.now();
    // Sizes need the waste classes only for class removals: do not pay for them otherwise.
    const waste = this.waste ?? (actions.some((a) => a.kind === 'remove-class') ? this.wasteReport() : NO_WASTE);
    const plan = buildPlan(this.analysis, actions, { waste });
    const projection = projectPlan(this.analysis, plan, this.predictors, { codec: this.codec });
    const { tree } = this.analysis;
    const marks = new Uint8Array(tree.nodes.length);
    for (const a of plan.actions) {
      for (const r of a.removes) { const n = tree.entryNodes[r.layer]?.[r.index]; if (n) marks[n.id]! |= MARK_REMOVE; }
      for (const r of a.strips) { const n = tree.entryNodes[r.layer]?.[r.index]; if (n) marks[n.id]! |= MARK_STRIP; }
      for (const r of a.packs) { const n = tree.entryNodes[r.layer]?.[r.index]; if (n) marks[n.id]! |= MARK_UPX; }
    }
    const result: PlanResult = { key, projection, marks, ms: this.now() - t0 };
    this.cache.set(key, result);
    if (this.cache.size > 64) this.cache.delete(this.cache.keys().next().value!);
    return result;
  }
}

/** The status line's size segment: `3.5 MB → 2.7 MB · gzip 1.5 MB → 1.2 MB` (now → planned). */
export function planStatusText(p: Projection): string {
  const { before, after } = p.total;
  const arrow = (a: number, b: number): string => `${formatBytes(a)} → ${formatBytes(b)}${a === b ? '' : ` (${a > b ? '−' : '+'}${formatBytes(Math.abs(a - b))})`}`;
  return `${arrow(before.size, after.size)} · ${p.codec} ${arrow(before.compressed, after.compressed)}`;
}
