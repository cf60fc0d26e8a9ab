import { useEffect, useMemo, useRef, useState } from 'react';
import type { Analysis } from '../../model/analysis.js';
import type { Codec, PlanAction, Predictors, WasteReport } from '../../model/plan/index.js';
import { isProjectionOf, needsWaste, PlanProjector, type PlanResult } from '../../state/plan-projector.js';
import { predictorsWithAnswers } from '../../state/upx-answers.js';
import type { UpxModel } from '../../model/ports.js';
import { useUpxModel } from './use-upx-model.js';

export interface PlanProjectionInput {
  readonly analysis: Analysis;
  readonly predictors: Predictors;
  readonly codec: Codec;
  /** The plan's actions: owned by the explorer state (the reducer), read here. */
  readonly actions: readonly PlanAction[];
  /** The waste classes, computed on demand (class removals resolve against them). */
  readonly waste: () => WasteReport;
  readonly upxModel?: UpxModel;
  /** Projections slower than this (ms) are computed after the keystroke's frame. */
  readonly syncMs: number;
}

export interface PlanProjection {
  readonly projector: PlanProjector;
  /** The latest projection (it may be of an older plan while the current one is projected). */
  readonly result: PlanResult | undefined;
  /** The latest projection is of the current plan. */
  readonly fresh: boolean;
  readonly upxEstimating: boolean;
  readonly upxMessage: string;
}

/**
 * The plan's one direction of flow: actions (state) and the UPX model's answers → predictors → a projector
 * (memoised by plan) → the projection the views draw. The projection runs off the keystroke path when slow.
 */
export function usePlanProjection(p: PlanProjectionInput): PlanProjection {
  const upx = useUpxModel(p.analysis, p.upxModel);
  const predictors = useMemo(() => predictorsWithAnswers(p.predictors, upx.answers), [p.predictors, upx.answers]);
  const projector = useMemo(
    () => new PlanProjector(p.analysis, predictors, p.codec),
    [p.analysis, predictors, p.codec],
  );
  const [result, setResult] = useState<PlanResult | undefined>(undefined);
  const lastMs = useRef(0);
  const { actions, waste, syncMs } = p;
  useEffect(() => {
    const hit = projector.cached(actions);
    if (hit) return void setResult(hit);
    const run = (): void => {
      const r = projector.project(actions, needsWaste(actions) ? waste() : undefined);
      lastMs.current = r.ms;
      setResult(r);
    };
    if (lastMs.current <= syncMs && actions.length > 0) return run();
    const t = setTimeout(run, actions.length === 0 ? 50 : 0);
    return () => clearTimeout(t);
  }, [projector, actions, waste, syncMs]);
  const fresh = isProjectionOf(result, actions);
  // UPX actions are shown with the rough guess at once; the files not modelled yet go to the model.
  const { ask } = upx;
  useEffect(() => {
    if (result && fresh) ask(result);
  }, [result, fresh, ask]);
  const upxEstimating = upx.busy > 0 && actions.some((a) => a.kind === 'upx');
  return { projector, result, fresh, upxEstimating, upxMessage: upx.message };
}
