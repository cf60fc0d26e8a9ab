import { parentIdsOf, type FileTree } from '../model/file-tree.js';
import { flatRows } from './flat-rows.js';
import { TreeRowModel } from './tree-row-model.js';
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

/**
 * The visible rows of the tree pane, answered by row: no list of every row is kept (the tree model finds a row
 * by descending the tree), so a keystroke costs the rows drawn, not the rows there are.
 */
export interface Rows {
  readonly count: number;
  /** The node on `row` (0 ≤ row < count). */
  id(row: number): number;
  /** Everything about one row. */
  at(row: number): RowInfo;
  /** Up to `n` rows from `top`, in order: what the pane draws. */
  window(top: number, n: number): RowInfo[];
  /** The row showing node `id`, or -1 (filtered out, or under a collapsed directory). */
  rowOf(id: number): number;
}

export interface RowInfo {
  readonly row: number;
  readonly id: number;
  readonly depth: number;
  /** The row is the last visible child of its parent (for the tree guides). */
  readonly last: boolean;
  /** The row of the parent directory, -1 at the top level. */
  readonly parentRow: number;
  /** A directory with visible children. */
  readonly hasKids: boolean;
  /** A directory with visible children, shown expanded. */
  readonly expanded: boolean;
  /** The tree guides before the name, like dive's: `│   ├── ` ('' in the flat list). */
  readonly guide: string;
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
  // Parent ids as one column (child-order.ts, cached per tree): no node object read per node for them.
  const parents = parentIdsOf(tree);
  for (let i = n - 1; i > 0; i--) {
    if (vis[i]) {
      // A visible descendant already made it visible (also a directory an earlier layer deleted, listed
      // by the wasted-only view for the deleted files below it).
      vis[parents[i]!] = 1;
      continue;
    }
    // Nothing narrows the view (the first frame's case): only the change filter decides, no entry is read.
    if (!narrowing) {
      if (view.present[i] && showsChange(opts.show, view.change[i]!)) vis[i] = vis[parents[i]!] = 1;
      continue;
    }
    const node = tree.nodes[i]!;
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
    vis[i] = vis[parents[i]!] = 1;
  }
  vis[0] = 1;
  return vis;
}

const testPath = (re: RegExp, path: string): boolean => {
  re.lastIndex = 0;
  return re.test(`/${path}`);
};

/**
 * The visible tree (or the flat largest-files list) as rows. `sizes` orders the size sort and the flat list
 * (default: the view's sizes; the wasted-only view passes wasted bytes). O(nodes) to build; see `RowsMemo` for
 * keeping one model across toggles.
 */
export function flattenRows(
  tree: FileTree,
  view: LayerView,
  vis: Uint8Array,
  opts: RowOptions,
  sizes: Float64Array = view.sizes,
): Rows {
  if (opts.flat) return flatRows(tree, view, vis, sizes === view.sizes ? undefined : sizes);
  return new TreeRowModel(tree, vis, sizes, opts.sort, opts.expandAll, opts.toggled).rows();
}
