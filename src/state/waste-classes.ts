import type { Analysis } from '../model/analysis.js';
import { classifyWaste, type WasteReport } from '../model/plan/index.js';

// Keyed by the tree: the analysis object is replaced when the binaries report lands; the classes stay.
const cache = new WeakMap<object, WasteReport>();

/** The waste classes of an image, computed once (slow on big images: computed after the first frame). */
export function wasteReportOf(analysis: Analysis): WasteReport {
  let hit = cache.get(analysis.tree);
  if (!hit) cache.set(analysis.tree, (hit = classifyWaste(analysis)));
  return hit;
}

/** The waste classes when already computed. */
export const wasteReportIfReady = (analysis: Analysis): WasteReport | undefined => cache.get(analysis.tree);

/** Keeps a report computed elsewhere (in slices) as this image's. */
export const keepWasteReport = (analysis: Analysis, r: WasteReport): void => void cache.set(analysis.tree, r);
