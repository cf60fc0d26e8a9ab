import type { Analysis } from '../model/analysis.js';
import type { Entry } from '../model/entry.js';
import type { InefficientPath } from '../model/dive-metrics.js';
import type { ReclaimableItem } from '../model/reclaimable.js';
import { entryAt, entryIn, versionAt, type FileTree, type FsNode } from '../model/file-tree.js';
import { layerSubtreeSizes, subtreeSizesAt } from '../model/tree-sizes.js';

export type Compare = 'layer' | 'aggregated';

/** Change codes, per node, for one layer. */
export const CH_NONE = 0,
  CH_ADDED = 1,
  CH_MODIFIED = 2,
  CH_REMOVED = 3,
  CH_UNCHANGED = 4;
export type ChangeCode = 0 | 1 | 2 | 3 | 4;

/**
 * What the tree pane needs to know about every node for one (layer, compare) choice, computed once per
 * choice in O(nodes): whether the node is in the view, how the layer changed it, and its (subtree) size.
 */
export interface LayerView {
  readonly layer: number;
  readonly compare: Compare;
  /** 1 when the node belongs to this view (before any filter). */
  readonly present: Uint8Array;
  readonly change: Uint8Array;
  readonly sizes: Float64Array;
}

const sameAttrs = (a: Entry, b: Entry): boolean => a.mode === b.mode && a.uid === b.uid && a.gid === b.gid;

/** How `layer` changed the node, as a code. Directories re-listed with the same attributes count as unchanged. */
export function changeCode(node: FsNode, layer: number): ChangeCode {
  // The entry, not the Version: the layer view asks this of every node, and a Version object each was garbage.
  const own = entryIn(node, layer);
  const after = entryAt(node, layer);
  if (own === undefined) return after ? CH_UNCHANGED : CH_NONE;
  const before = layer > 0 ? entryAt(node, layer - 1) : null;
  if (own === null) return before ? CH_REMOVED : CH_NONE;
  if (!before) return CH_ADDED;
  if (own.kind === 'dir' && before.kind === 'dir' && sameAttrs(own, before)) return CH_UNCHANGED;
  return CH_MODIFIED;
}

export function buildLayerView(tree: FileTree, layer: number, compare: Compare): LayerView {
  const n = tree.nodes.length;
  const present = new Uint8Array(n);
  const change = new Uint8Array(n);
  for (let i = 1; i < n; i++) {
    const node = tree.nodes[i]!;
    const c = changeCode(node, layer);
    change[i] = c;
    if (compare === 'aggregated') present[i] = c !== CH_NONE ? 1 : 0;
    else present[i] = c === CH_ADDED || c === CH_MODIFIED || c === CH_REMOVED ? 1 : 0;
  }
  if (compare === 'layer') {
    // A changed path brings its directories along, as context.
    for (let i = n - 1; i > 0; i--)
      if (present[i])
        for (let p = tree.nodes[i]!.parent; p && p.id !== 0 && !present[p.id]; p = p.parent) present[p.id] = 1;
  }
  present[0] = 1;
  const sizes = compare === 'aggregated' ? subtreeSizesAt(tree, layer) : layerSubtreeSizes(tree, layer);
  return { layer, compare, present, change, sizes };
}

/** The entry to describe a node by at `layer`: the live one, or for a removed path the one it had before. */
export function displayEntry(node: FsNode, layer: number): Entry | null {
  const live = entryAt(node, layer);
  if (live) return live;
  for (let i = node.versions.length - 1; i >= 0; i--) {
    const v = node.versions[i]!;
    if (v.layer <= layer && v.entry) return v.entry;
  }
  return null;
}

/** The layer whose tar holds the bytes of the node's entry as seen at `layer` (for preview). */
export function contentLayer(node: FsNode, layer: number): number | undefined {
  const v = versionAt(node, layer);
  if (v?.entry) return v.layer;
  for (let i = node.versions.length - 1; i >= 0; i--) {
    const w = node.versions[i]!;
    if (w.layer <= layer && w.entry) return w.layer;
  }
  return undefined;
}

export interface WasteIndex {
  /** 1 for node ids marked wasted: dive's inefficient paths and any path with bytes reclaimable from a layer. */
  readonly marks: Uint8Array;
  /** dive's inefficient path at this node, if it is one. */
  inefficientAt(node: FsNode): InefficientPath | undefined;
  /** The reclaimable items stored at this node's path (largest first, as in the report). */
  reclaimableAt(node: FsNode): readonly ReclaimableItem[];
}

// Keyed by the reclaimable report: the analysis object is replaced when later analyses land, this is not.
const wasteCache = new WeakMap<object, WasteIndex>();

/**
 * The marks come from the node ids the items carry (no path walk per item: on the 1M-entry bench image that was
 * ~0.8 s of the first frame). What the details pane asks per node — its inefficient path and reclaimable items —
 * is indexed by node id the first time it asks, in one counting pass (a by-path map of every item took ~0.2 s of
 * that frame). Items without a node id (none today) are matched by path.
 */
export function wasteIndex(analysis: Analysis): WasteIndex {
  const hit = wasteCache.get(analysis.reclaimable);
  if (hit) return hit;
  const { tree, dive, reclaimable: recl } = analysis;
  const n = tree.nodes.length;
  const nodeOf = (node: number | undefined, path: string): number => node ?? tree.byPath.get(path)?.id ?? -1;
  const marks = new Uint8Array(n);
  for (const p of dive.inefficientPaths) {
    const id = nodeOf(p.node, p.path);
    if (id >= 0) marks[id] = 1;
  }
  for (const item of recl.items) {
    const id = nodeOf(item.node, item.path);
    if (id >= 0) marks[id] = 1;
  }
  let ineff: Int32Array | undefined;
  /** Items by node id: those of node k are items[order[start[k]] … order[start[k+1]-1]], in report order. */
  let byNode: { start: Int32Array; order: Int32Array } | undefined;
  const index: WasteIndex = {
    marks,
    inefficientAt(node) {
      if (!ineff) {
        ineff = new Int32Array(n).fill(-1);
        dive.inefficientPaths.forEach((p, i) => {
          const id = nodeOf(p.node, p.path);
          if (id >= 0) ineff![id] = i;
        });
      }
      const i = ineff[node.id]!;
      return i >= 0 ? dive.inefficientPaths[i] : undefined;
    },
    reclaimableAt(node) {
      if (!byNode) {
        const ids = Int32Array.from(recl.items, (item) => nodeOf(item.node, item.path));
        const start = new Int32Array(n + 1);
        for (const id of ids) if (id >= 0) start[id + 1]!++;
        for (let k = 0; k < n; k++) start[k + 1]! += start[k]!;
        const fill = start.slice(0, n);
        const order = new Int32Array(start[n]!);
        ids.forEach((id, i) => {
          if (id >= 0) order[fill[id]!++] = i;
        });
        byNode = { start, order };
      }
      const { start, order } = byNode;
      const out: ReclaimableItem[] = [];
      for (let k = start[node.id]!; k < start[node.id + 1]!; k++) out.push(recl.items[order[k]!]!);
      return out;
    },
  };
  wasteCache.set(analysis.reclaimable, index);
  return index;
}
