import type { FileTree } from '../model/file-tree.js';

/** Children of every node sorted by name, in one CSR array per tree (built once). */
interface NameIndex {
  readonly start: Int32Array;
  readonly kids: Int32Array;
}
const nameIndexCache = new WeakMap<FileTree, NameIndex>();

export function nameIndex(tree: FileTree): NameIndex {
  const hit = nameIndexCache.get(tree);
  if (hit) return hit;
  const n = tree.nodes.length;
  const start = new Int32Array(n + 1);
  for (const node of tree.nodes) if (node.parent) start[node.parent.id + 1]!++;
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const kids = new Int32Array(Math.max(0, n - 1));
  for (const node of tree.nodes) {
    if (node.children.size === 0) continue;
    const sorted = [...node.children.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    let at = start[node.id]!;
    for (const c of sorted) kids[at++] = c.id;
  }
  const index = { start, kids };
  nameIndexCache.set(tree, index);
  return index;
}

/** Size-sorted children, cached per sizes array and node (sorted only when a directory is shown expanded). */
const sizeOrderCache = new WeakMap<Float64Array, Map<number, Int32Array>>();

function childrenBySize(index: NameIndex, sizes: Float64Array, id: number): Int32Array {
  let byNode = sizeOrderCache.get(sizes);
  if (!byNode) sizeOrderCache.set(sizes, (byNode = new Map()));
  let order = byNode.get(id);
  if (!order) {
    // Stable sort of the name order: ties keep name order.
    const arr = Array.from(index.kids.subarray(index.start[id]!, index.start[id + 1]!));
    arr.sort((a, b) => sizes[b]! - sizes[a]!);
    order = Int32Array.from(arr);
    byNode.set(id, order);
  }
  return order;
}

/** Children in display order: by name, or by `sizes` (largest first) when sorting by size. */
export function childOrder(tree: FileTree, sizes: Float64Array, sort: 'name' | 'size'): (id: number) => Int32Array {
  const index = nameIndex(tree);
  return sort === 'size'
    ? (id) => childrenBySize(index, sizes, id)
    : (id) => index.kids.subarray(index.start[id]!, index.start[id + 1]!);
}

/** Every node's parent id (-1 for the root), built once per tree: the row counts climb it on every toggle. */
const parentCache = new WeakMap<FileTree, Int32Array>();

export function parentIds(tree: FileTree): Int32Array {
  const hit = parentCache.get(tree);
  if (hit) return hit;
  const parents = new Int32Array(tree.nodes.length);
  for (const node of tree.nodes) parents[node.id] = node.parent ? node.parent.id : -1;
  parentCache.set(tree, parents);
  return parents;
}
