import type { Analysis } from '../analysis.js';
import type { Entry } from '../entry.js';
import type { Plan } from './build-plan.js';
import { entryOf, refKey } from './entry-ref.js';
import type { UpxPrediction } from './predictors.js';

/** One file a plan's UPX actions pack: what the UPX model (src/io/upx-targets.ts) reads again and sizes. */
export interface UpxTarget {
  readonly layer: number;
  readonly entry: Entry;
  /** The path in the image (no leading `/`). */
  readonly path: string;
  /** The plan strips it too: it is packed from its stripped form. */
  readonly stripped?: boolean;
}

/** The UPX model's answers per entry; `note` says why some (or all) files keep the rough guess. */
export interface UpxModelResult {
  readonly results: Map<Entry, UpxPrediction>;
  readonly note?: string;
}

/** The ELF entries the plan's UPX actions pack (after its removals and its own eligibility filter). */
export function upxTargets(analysis: Analysis, plan: Plan): UpxTarget[] {
  const out: UpxTarget[] = [];
  for (const pa of plan.actions) {
    for (const ref of pa.packs) {
      const entry = entryOf(analysis.image, ref);
      const stripped = plan.strippedBy.has(refKey(ref));
      out.push({
        layer: ref.layer,
        entry,
        path: analysis.tree.nodeOf(ref.layer, ref.index)?.path ?? entry.path,
        ...(stripped ? { stripped } : {}),
      });
    }
  }
  return out;
}
