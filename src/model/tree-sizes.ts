import type { Entry } from './entry.js';
import { entryAt, entryIn, layerOfEntry, parentIdsOf, type FileTree, type FsNode } from './file-tree.js';
import { linkRoot } from './hardlinks.js';

/**
 * Bytes a live entry holds in the filesystem after a layer. A hard link holds nothing of its own while the
 * entry holding its data (the end of its link chain) is live; when that entry is gone, the first live link
 * carries the data (counted once).
 */
function liveHardlinkCarriers(tree: FileTree, layer: number): Map<FsNode, number> {
  const carriers = new Map<FsNode, number>();
  const claimed = new Set<Entry>();
  // In id order, as every node's would be: the first live link of a chain carries its data.
  for (const id of tree.hardlinkIds) {
    const node = tree.nodes[id]!;
    const e = entryAt(node, layer);
    if (!e || e.kind !== 'hardlink' || e.linkTarget === undefined) continue;
    const writer = layerOfEntry(node, e);
    if (writer === undefined) continue;
    const root = linkRoot(tree, e, writer);
    if (!root || entryAt(root.node, layer) === root.entry || claimed.has(root.entry)) continue;
    claimed.add(root.entry);
    carriers.set(node, root.entry.size);
  }
  return carriers;
}

export const findNode = (tree: FileTree, path: string): FsNode | undefined => tree.byPath.get(path);

const ownSize = (e: Entry): number => (e.kind === 'dir' || e.kind === 'whiteout' || e.kind === 'opaque' ? 0 : e.size);

/**
 * The filesystem's total after each layer, by tree (a tree never changes): every subtree-size pass records its
 * root's. The planner asks for the total on each projection, and the explorer's aggregated view has usually just
 * made it: on a 1M-entry image a pass is ~0.1 s, once per plan change.
 */
const totals = new WeakMap<FileTree, Map<number, number>>();

/** Subtree sizes (by node id) of the filesystem after `layer`; 0 for nodes not live then. */
export function subtreeSizesAt(tree: FileTree, layer: number): Float64Array {
  const sizes = new Float64Array(tree.nodes.length);
  const carriers = liveHardlinkCarriers(tree, layer);
  const parents = parentIdsOf(tree);
  for (let i = tree.nodes.length - 1; i >= 0; i--) {
    const node = tree.nodes[i]!;
    const e = entryAt(node, layer);
    if (!e) continue;
    sizes[i]! += ownSize(e) + (carriers.get(node) ?? 0);
    if (i > 0) sizes[parents[i]!]! += sizes[i]!;
  }
  let byLayer = totals.get(tree);
  if (!byLayer) totals.set(tree, (byLayer = new Map()));
  byLayer.set(layer, sizes[0] ?? 0);
  return sizes;
}

/** Subtree sizes (by node id) of what `layer` itself wrote: its own entries only. */
export function layerSubtreeSizes(tree: FileTree, layer: number): Float64Array {
  const sizes = new Float64Array(tree.nodes.length);
  const parents = parentIdsOf(tree);
  for (let i = tree.nodes.length - 1; i >= 0; i--) {
    const e = entryIn(tree.nodes[i]!, layer);
    if (e) sizes[i]! += ownSize(e);
    if (i > 0 && sizes[i]! > 0) sizes[parents[i]!]! += sizes[i]!;
  }
  return sizes;
}

/** Total bytes of the filesystem after `layer`. */
export const filesystemSizeAt = (tree: FileTree, layer: number): number =>
  totals.get(tree)?.get(layer) ?? subtreeSizesAt(tree, layer)[0] ?? 0;
