import type { Analysis } from '../model/analysis.js';
import { classifyWaste, type WasteReport } from '../model/plan/index.js';

const cache = new WeakMap<Analysis, WasteReport>();

/** The waste classes of an image, computed once (slow on big images: computed after the first frame). */
export function wasteReportOf(analysis: Analysis): WasteReport {
  let hit = cache.get(analysis);
  if (!hit) cache.set(analysis, (hit = classifyWaste(analysis)));
  return hit;
}

/** The waste classes when already computed. */
export const wasteReportIfReady = (analysis: Analysis): WasteReport | undefined => cache.get(analysis);
