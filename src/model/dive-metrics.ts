import type { Layer } from './image.js';
import { entryAt, type FileTree, type FsNode } from './file-tree.js';
import { findNode } from './tree-sizes.js';

/** A path that dive would list as inefficient: it occurs in two or more layers. */
export interface InefficientPath {
  readonly path: string;
  readonly occurrences: number;
  /** dive's "cumulative size": the sum of all its occurrences' sizes (including the live copy). */
  readonly bytes: number;
  /** The layers it occurs in, in order. */
  readonly layers: readonly number[];
}

export interface DiveMetrics {
  readonly imageSize: number;
  readonly userSize: number;
  readonly wastedBytes: number;
  /** wastedBytes / userSize; Infinity when userSize is 0 and something is wasted. */
  readonly wastedUserPercent: number;
  readonly efficiency: number;
  readonly inefficientPaths: readonly InefficientPath[];
}

/** dive's raw subtree sum over the stacked tree below a layer: every live node's tar size, hard links as 0. */
function rawSubtreeSize(node: FsNode, layer: number): number {
  const e = entryAt(node, layer);
  if (!e) return 0;
  let total = e.kind === 'dir' ? 0 : e.size;
  for (const c of node.children.values()) total += rawSubtreeSize(c, layer);
  return total;
}

/**
 * dive's numbers under dive's definitions (and quirks), so a `.dive-ci` threshold means the same here:
 * every leaf of each layer's own tree is an occurrence of its path; a whiteout's occurrence is 0 for a file
 * and the stacked subtree size for a directory; opaque markers are ignored.
 */
export function diveMetrics(layers: readonly Layer[], tree: FileTree): DiveMetrics {
  interface Acc { cumulative: number; min: number; layers: number[] }
  const byPath = new Map<string, Acc>();

  layers.forEach((layer, index) => {
    const hasChild = new Set<string>();
    for (const e of layer.entries) {
      if (e.kind === 'opaque') continue;
      let p = e.path;
      for (let i = p.lastIndexOf('/'); i >= 0; i = p.lastIndexOf('/')) {
        p = p.slice(0, i);
        if (hasChild.has(p)) break;
        hasChild.add(p);
      }
    }
    const seen = new Set<string>();
    for (const e of layer.entries) {
      if (e.kind === 'opaque' || e.path === '' || hasChild.has(e.path) || seen.has(e.path)) continue;
      seen.add(e.path);
      let size = e.size;
      if (e.kind === 'whiteout') {
        size = 0;
        const below = index > 0 ? findNode(tree, e.path) : undefined;
        const prev = below ? entryAt(below, index - 1) : null;
        if (below && prev?.kind === 'dir') size = rawSubtreeSize(below, index - 1);
      } else if (e.kind === 'dir') size = e.size;
      let acc = byPath.get(e.path);
      if (!acc) byPath.set(e.path, (acc = { cumulative: 0, min: -1, layers: [] }));
      acc.cumulative += size;
      if (acc.min < 0 || size < acc.min) acc.min = size;
      acc.layers.push(index);
    }
  });

  let minimum = 0;
  let discovered = 0;
  const inefficientPaths: InefficientPath[] = [];
  for (const [path, acc] of byPath) {
    minimum += acc.min;
    discovered += acc.cumulative;
    if (acc.layers.length >= 2) inefficientPaths.push({ path, occurrences: acc.layers.length, bytes: acc.cumulative, layers: acc.layers });
  }
  inefficientPaths.sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const wastedBytes = inefficientPaths.reduce((s, p) => s + p.bytes, 0);
  const imageSize = layers.reduce((s, l) => s + l.size, 0);
  const userSize = imageSize - (layers[0]?.size ?? 0);
  return {
    imageSize,
    userSize,
    wastedBytes,
    wastedUserPercent: userSize > 0 ? wastedBytes / userSize : wastedBytes > 0 ? Infinity : 0,
    efficiency: discovered === 0 ? 1 : minimum / discovered,
    inefficientPaths,
  };
}
