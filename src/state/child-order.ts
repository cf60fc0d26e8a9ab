import type { FileTree } from '../model/file-tree.js';

/**
 * Children sorted by name, per directory, sorted the first time the directory is shown expanded: the first frame
 * needs the root's and a few more, not all of them (sorting every directory of a 1M-entry tree up front took
 * ~0.15 s of the frame on the 80k-entry bench image).
 */
const nameOrderCache = new WeakMap<FileTree, Map<number, Int32Array>>();

function childrenByName(tree: FileTree, id: number): Int32Array {
  let byNode = nameOrderCache.get(tree);
  if (!byNode) nameOrderCache.set(tree, (byNode = new Map()));
  let order = byNode.get(id);
  if (!order) {
    const kids = [...tree.nodes[id]!.children.values()];
    kids.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    order = Int32Array.from(kids, (c) => c.id);
    byNode.set(id, order);
  }
  return order;
}

/** Size-sorted children, cached per sizes array and node (sorted only when a directory is shown expanded). */
const sizeOrderCache = new WeakMap<Float64Array, Map<number, Int32Array>>();

function childrenBySize(tree: FileTree, sizes: Float64Array, id: number): Int32Array {
  let byNode = sizeOrderCache.get(sizes);
  if (!byNode) sizeOrderCache.set(sizes, (byNode = new Map()));
  let order = byNode.get(id);
  if (!order) {
    // Stable sort of the name order: ties keep name order.
    const arr = Array.from(childrenByName(tree, id));
    arr.sort((a, b) => sizes[b]! - sizes[a]!);
    order = Int32Array.from(arr);
    byNode.set(id, order);
  }
  return order;
}

/** Children in display order: by name, or by `sizes` (largest first) when sorting by size. */
export function childOrder(tree: FileTree, sizes: Float64Array, sort: 'name' | 'size'): (id: number) => Int32Array {
  return sort === 'size' ? (id) => childrenBySize(tree, sizes, id) : (id) => childrenByName(tree, id);
}
