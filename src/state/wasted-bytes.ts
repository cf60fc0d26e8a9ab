import type { Analysis } from '../model/analysis.js';
import { parentIdsOf } from '../model/file-tree.js';

// Keyed by the reclaimable report: the analysis object is replaced when later analyses land, this is not.
const cache = new WeakMap<object, Map<number, Float64Array>>();

/**
 * Wasted bytes per node (a directory: its subtree) as seen from `layer`: the bytes that layers up to `layer`
 * store for the path but the final filesystem does not have (slimtui's reclaimable items); for a path only
 * dive counts as inefficient, dive's bytes. What the wasted-only view shows and sorts by.
 */
export function wastedSizes(analysis: Analysis, layer: number): Float64Array {
  let byLayer = cache.get(analysis.reclaimable);
  if (!byLayer) cache.set(analysis.reclaimable, (byLayer = new Map()));
  const hit = byLayer.get(layer);
  if (hit) return hit;
  const { tree } = analysis;
  const sizes = new Float64Array(tree.nodes.length);
  for (const item of analysis.reclaimable.items) {
    if (item.layer > layer) continue;
    const node = tree.byPath.get(item.path);
    if (node) sizes[node.id]! += item.bytes;
  }
  for (const p of analysis.dive.inefficientPaths) {
    const node = tree.byPath.get(p.path);
    if (node && sizes[node.id] === 0 && p.layers.some((l) => l <= layer)) sizes[node.id] = p.bytes;
  }
  const parents = parentIdsOf(tree);
  for (let i = tree.nodes.length - 1; i > 0; i--) if (sizes[i]! > 0) sizes[parents[i]!]! += sizes[i]!;
  byLayer.set(layer, sizes);
  return sizes;
}
