import type { Analysis } from '../model/analysis.js';
import type { Entry } from '../model/entry.js';
import type { InefficientPath } from '../model/dive-metrics.js';
import type { ReclaimableItem } from '../model/reclaimable.js';
import { entryAt, versionAt, versionIn, type FileTree, type FsNode } from '../model/file-tree.js';
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
  const own = versionIn(node, layer);
  const after = entryAt(node, layer);
  if (!own) return after ? CH_UNCHANGED : CH_NONE;
  const before = layer > 0 ? entryAt(node, layer - 1) : null;
  if (own.entry === null) return before ? CH_REMOVED : CH_NONE;
  if (!before) return CH_ADDED;
  if (own.entry.kind === 'dir' && before.kind === 'dir' && sameAttrs(own.entry, before)) return CH_UNCHANGED;
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
  readonly inefficient: ReadonlyMap<string, InefficientPath>;
  readonly reclaimable: ReadonlyMap<string, readonly ReclaimableItem[]>;
}

// Keyed by the reclaimable report: the analysis object is replaced when later analyses land, this is not.
const wasteCache = new WeakMap<object, WasteIndex>();

/**
 * The marks come from the node ids the items carry (no path walk per item: on the 1M-entry bench image that was
 * ~0.8 s of the first frame); the by-path maps, which only the details pane reads, are built the first time it does.
 */
export function wasteIndex(analysis: Analysis): WasteIndex {
  const hit = wasteCache.get(analysis.reclaimable);
  if (hit) return hit;
  const { tree, dive, reclaimable: recl } = analysis;
  const marks = new Uint8Array(tree.nodes.length);
  const mark = (node: number | undefined, path: string): void => {
    const id = node ?? tree.byPath.get(path)?.id;
    if (id !== undefined) marks[id] = 1;
  };
  for (const p of dive.inefficientPaths) mark(p.node, p.path);
  for (const item of recl.items) mark(item.node, item.path);
  let inefficient: Map<string, InefficientPath> | undefined;
  let reclaimable: Map<string, ReclaimableItem[]> | undefined;
  const index: WasteIndex = {
    marks,
    get inefficient() {
      return (inefficient ??= new Map(dive.inefficientPaths.map((p) => [p.path, p])));
    },
    get reclaimable() {
      if (!reclaimable) {
        reclaimable = new Map();
        for (const item of recl.items) {
          const list = reclaimable.get(item.path);
          if (list) list.push(item);
          else reclaimable.set(item.path, [item]);
        }
      }
      return reclaimable;
    },
  };
  wasteCache.set(analysis.reclaimable, index);
  return index;
}
