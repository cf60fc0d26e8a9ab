import type { FileTree, FsNode } from '../model/file-tree.js';
import { CH_ADDED, CH_MODIFIED, CH_REMOVED, CH_UNCHANGED, displayEntry, type LayerView } from './layer-view.js';

export interface ShowFilter {
  readonly added: boolean;
  readonly removed: boolean;
  readonly modified: boolean;
  readonly unchanged: boolean;
}

export const SHOW_ALL: ShowFilter = { added: true, removed: true, modified: true, unchanged: true };

export interface RowOptions {
  readonly show: ShowFilter;
  /** Files smaller than this are hidden (0: off). */
  readonly threshold: number;
  readonly wastedOnly: boolean;
  /** A path filter (tested against the path without its leading slash and with it). */
  readonly pathFilter: RegExp | null;
  readonly sort: 'name' | 'size';
  /** The flat "largest files" list instead of the tree. */
  readonly flat: boolean;
  /** Directories are expanded when `expandAll` XOR their path is in `toggled`. */
  readonly expandAll: boolean;
  readonly toggled: ReadonlySet<string>;
}

/** The visible rows, flattened: parallel typed arrays, `count` long. */
export interface Rows {
  readonly count: number;
  readonly ids: Int32Array;
  readonly depth: Uint16Array;
  /** 1 when the row is the last visible child of its parent (for the tree guides). */
  readonly last: Uint8Array;
  /** The row of the parent directory, -1 at the top level. */
  readonly parentRow: Int32Array;
  /** 1 when the row is a directory with visible children. */
  readonly hasKids: Uint8Array;
}

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
    order = index.kids.slice(index.start[id]!, index.start[id + 1]!);
    const arr = Array.from(order);
    arr.sort((a, b) => sizes[b]! - sizes[a]!);
    order = Int32Array.from(arr);
    byNode.set(id, order);
  }
  return order;
}

function showsChange(show: ShowFilter, c: number): boolean {
  if (c === CH_ADDED) return show.added;
  if (c === CH_REMOVED) return show.removed;
  if (c === CH_MODIFIED) return show.modified;
  if (c === CH_UNCHANGED) return show.unchanged;
  return false;
}

/**
 * Which nodes pass the filters, bottom-up in one pass (children come after parents in `tree.nodes`): a file
 * passes on its own merits, a directory when something below it passes (or, with no filter but the
 * change filter active, when it is an empty directory that passes itself).
 */
export function visibleNodes(tree: FileTree, view: LayerView, wasted: Uint8Array, opts: RowOptions): Uint8Array {
  const n = tree.nodes.length;
  const vis = new Uint8Array(n);
  const narrowing = opts.threshold > 0 || opts.wastedOnly || opts.pathFilter !== null;
  for (let i = n - 1; i > 0; i--) {
    const node = tree.nodes[i]!;
    if (vis[i]) {
      // A visible descendant already made it visible (also a directory an earlier layer deleted, listed
      // by the wasted-only view for the deleted files below it).
      const parent = node.parent;
      if (parent) vis[parent.id] = 1;
      continue;
    }
    // The wasted-only view also lists wasted paths that an earlier layer deleted (they count as removed).
    const gone =
      !view.present[i] &&
      opts.wastedOnly &&
      wasted[i] === 1 &&
      view.compare === 'aggregated' &&
      displayEntry(node, view.layer) !== null;
    if (!view.present[i] && !gone) continue;
    const e = displayEntry(node, view.layer);
    const isDir = e?.kind === 'dir';
    let pass = showsChange(opts.show, gone ? CH_REMOVED : view.change[i]!);
    if (pass && isDir && narrowing)
      pass =
        opts.pathFilter !== null && !opts.wastedOnly && opts.threshold === 0 && testPath(opts.pathFilter, node.path);
    if (pass && !isDir) {
      if (opts.threshold > 0 && (e?.size ?? 0) < opts.threshold) pass = false;
      else if (opts.wastedOnly && !wasted[i]) pass = false;
      else if (opts.pathFilter && !testPath(opts.pathFilter, node.path)) pass = false;
    }
    if (!pass) continue;
    vis[i] = 1;
    const parent = node.parent;
    if (parent) vis[parent.id] = 1;
  }
  vis[0] = 1;
  return vis;
}

const testPath = (re: RegExp, path: string): boolean => {
  re.lastIndex = 0;
  return re.test(`/${path}`);
};

export const isExpanded = (opts: RowOptions, node: FsNode): boolean => opts.expandAll !== opts.toggled.has(node.path);

/** Number of descendants of every node (built once per tree): the most rows a subtree can take. */
const descCache = new WeakMap<FileTree, Int32Array>();
function descendants(tree: FileTree): Int32Array {
  const hit = descCache.get(tree);
  if (hit) return hit;
  const d = new Int32Array(tree.nodes.length);
  for (let i = tree.nodes.length - 1; i > 0; i--) {
    const p = tree.nodes[i]!.parent;
    if (p) d[p.id]! += d[i]! + 1;
  }
  descCache.set(tree, d);
  return d;
}

/** Children in display order: by name, or by `sizes` (largest first) when sorting by size. */
function kidsFn(tree: FileTree, sizes: Float64Array, opts: RowOptions): (id: number) => Int32Array {
  const index = nameIndex(tree);
  return (id) =>
    opts.sort === 'size'
      ? childrenBySize(index, sizes, id)
      : index.kids.subarray(index.start[id]!, index.start[id + 1]!);
}

/**
 * The visible rows below node `rootId` (not the node itself), depth-first, numbered from `firstRow`; the
 * top-level rows get `depth0` and the parent row `parent0`. O(rows), no recursion.
 */
function walk(
  tree: FileTree,
  vis: Uint8Array,
  opts: RowOptions,
  kidsOf: (id: number) => Int32Array,
  rootId: number,
  depth0: number,
  parent0: number,
  firstRow: number,
): Rows {
  const cap = rootId === 0 ? tree.nodes.length : descendants(tree)[rootId]!;
  const ids = new Int32Array(cap);
  const depth = new Uint16Array(cap);
  const last = new Uint8Array(cap);
  const parentRow = new Int32Array(cap);
  const hasKids = new Uint8Array(cap);
  let count = 0;
  // Explicit stack of (children array, position, parent row).
  const stackKids: Int32Array[] = [kidsOf(rootId)];
  const stackPos: number[] = [0];
  const stackRow: number[] = [parent0];
  while (stackKids.length > 0) {
    const top = stackKids.length - 1;
    const kids = stackKids[top]!;
    let pos = stackPos[top]!;
    while (pos < kids.length && !vis[kids[pos]!]) pos++;
    if (pos >= kids.length) {
      stackKids.pop();
      stackPos.pop();
      stackRow.pop();
      continue;
    }
    const id = kids[pos]!;
    let next = pos + 1;
    while (next < kids.length && !vis[kids[next]!]) next++;
    stackPos[top] = next;
    const row = count++;
    ids[row] = id;
    depth[row] = depth0 + top;
    last[row] = next >= kids.length ? 1 : 0;
    parentRow[row] = stackRow[top]!;
    const node = tree.nodes[id]!;
    if (node.children.size > 0) {
      const childKids = kidsOf(id);
      let any = false;
      for (let k = 0; k < childKids.length; k++)
        if (vis[childKids[k]!]) {
          any = true;
          break;
        }
      if (any) {
        hasKids[row] = 1;
        if (isExpanded(opts, node)) {
          stackKids.push(childKids);
          stackPos.push(0);
          stackRow.push(firstRow + row);
        }
      }
    }
  }
  return { count, ids, depth, last, parentRow, hasKids };
}

/**
 * Flattens the visible tree (or the flat largest-files list) into rows. O(visible nodes), no recursion.
 * `sizes` orders the size sort and the flat list (default: the view's sizes; the wasted-only view passes
 * wasted bytes).
 */
export function flattenRows(
  tree: FileTree,
  view: LayerView,
  vis: Uint8Array,
  opts: RowOptions,
  sizes: Float64Array = view.sizes,
): Rows {
  if (opts.flat) return flatList(tree, view, vis, sizes === view.sizes ? undefined : sizes);
  return walk(tree, vis, opts, kidsFn(tree, sizes, opts), 0, 0, -1, 0);
}

/**
 * The rows after expanding or collapsing one directory, from the rows before: only that directory's
 * subtree is walked (or cut out), the rest is copied. Gives `prev` itself when nothing visible changes.
 */
export function toggleRows(
  tree: FileTree,
  vis: Uint8Array,
  opts: RowOptions,
  prev: Rows,
  node: FsNode,
  sizes: Float64Array,
): Rows {
  const r = rowOf(prev, node.id);
  if (r < 0 || prev.hasKids[r] !== 1) return prev;
  const wasOpen = r + 1 < prev.count && prev.parentRow[r + 1] === r;
  const open = isExpanded(opts, node);
  if (open === wasOpen) return prev;
  const cutStart = r + 1;
  let cutEnd = r + 1;
  let sub: Rows | undefined;
  if (open) sub = walk(tree, vis, opts, kidsFn(tree, sizes, opts), node.id, prev.depth[r]! + 1, r, r + 1);
  else while (cutEnd < prev.count && prev.depth[cutEnd]! > prev.depth[r]!) cutEnd++;
  const added = sub?.count ?? 0;
  const shift = added - (cutEnd - cutStart);
  const count = prev.count + shift;
  const ids = new Int32Array(count);
  const depth = new Uint16Array(count);
  const last = new Uint8Array(count);
  const parentRow = new Int32Array(count);
  const hasKids = new Uint8Array(count);
  const copy = (from: Rows, start: number, end: number, at: number): void => {
    ids.set(from.ids.subarray(start, end), at);
    depth.set(from.depth.subarray(start, end), at);
    last.set(from.last.subarray(start, end), at);
    parentRow.set(from.parentRow.subarray(start, end), at);
    hasKids.set(from.hasKids.subarray(start, end), at);
  };
  copy(prev, 0, cutStart, 0);
  if (sub) copy(sub, 0, sub.count, cutStart);
  const tail = cutStart + added;
  copy(prev, cutEnd, prev.count, tail);
  // Rows after the change whose parent is after the changed directory moved by `shift`.
  for (let i = tail; i < count; i++) if (parentRow[i]! > r) parentRow[i]! += shift;
  return { count, ids, depth, last, parentRow, hasKids };
}

/** Every visible non-directory, largest first (then by path). */
function flatList(tree: FileTree, view: LayerView, vis: Uint8Array, byBytes?: Float64Array): Rows {
  const picked: number[] = [];
  for (let i = 1; i < tree.nodes.length; i++) {
    if (!vis[i]) continue;
    const e = displayEntry(tree.nodes[i]!, view.layer);
    if (e && e.kind !== 'dir') picked.push(i);
  }
  const size = (id: number): number =>
    byBytes ? byBytes[id]! : (displayEntry(tree.nodes[id]!, view.layer)?.size ?? 0);
  const sizes = new Float64Array(picked.length);
  picked.forEach((id, k) => (sizes[k] = size(id)));
  const order = picked
    .map((_, k) => k)
    .sort((a, b) => sizes[b]! - sizes[a]! || (tree.nodes[picked[a]!]!.path < tree.nodes[picked[b]!]!.path ? -1 : 1));
  const count = picked.length;
  const ids = Int32Array.from(order, (k) => picked[k]!);
  return {
    count,
    ids,
    depth: new Uint16Array(count),
    last: new Uint8Array(count),
    parentRow: new Int32Array(count).fill(-1),
    hasKids: new Uint8Array(count),
  };
}

/** The row holding node `id`, or -1. */
export const rowOf = (rows: Rows, id: number): number => rows.ids.subarray(0, rows.count).indexOf(id);

/** Tree guides for a row, like dive's: `│   ├── `. Walks up the parent rows, so O(depth). */
export function guidePrefix(rows: Rows, row: number): string {
  const d = rows.depth[row]!;
  const parts: string[] = new Array(d + 1);
  parts[d] = rows.last[row] ? '└── ' : '├── ';
  let p = rows.parentRow[row]!;
  for (let level = d - 1; level >= 0 && p >= 0; level--) {
    parts[level] = rows.last[p] ? '    ' : '│   ';
    p = rows.parentRow[p]!;
  }
  return parts.join('');
}
