import type { FileTree } from '../model/file-tree.js';
import type { LayerView } from './layer-view.js';
import { flattenRows, toggleRows, type RowOptions, type Rows } from './tree-rows.js';

/** The one path in which two toggled sets differ, or undefined when they differ in none or in more. */
export function singleToggle(a: ReadonlySet<string>, b: ReadonlySet<string>): string | undefined {
  const [small, big] = a.size < b.size ? [a, b] : [b, a];
  if (big.size !== small.size + 1) return undefined;
  let diff: string | undefined;
  for (const p of big) {
    if (small.has(p)) continue;
    if (diff !== undefined) return undefined;
    diff = p;
  }
  return diff;
}

const sameOptsButToggled = (a: RowOptions, b: RowOptions): boolean =>
  a.show === b.show &&
  a.threshold === b.threshold &&
  a.wastedOnly === b.wastedOnly &&
  (a.pathFilter?.source ?? null) === (b.pathFilter?.source ?? null) &&
  a.sort === b.sort &&
  a.flat === b.flat &&
  a.expandAll === b.expandAll;

/**
 * Keeps the last flattened rows. Expanding or collapsing one directory (the common keystroke) patches the
 * rows in place of a re-flatten: only that subtree is walked; everything else is a typed-array copy.
 */
export class RowsMemo {
  private last?: {
    tree: FileTree;
    view: LayerView;
    vis: Uint8Array;
    opts: RowOptions;
    sizes: Float64Array;
    rows: Rows;
  };

  rows(tree: FileTree, view: LayerView, vis: Uint8Array, opts: RowOptions, sizes: Float64Array = view.sizes): Rows {
    const l = this.last;
    let rows: Rows | undefined;
    if (
      l &&
      l.tree === tree &&
      l.view === view &&
      l.vis === vis &&
      l.sizes === sizes &&
      sameOptsButToggled(l.opts, opts) &&
      !opts.flat
    ) {
      if (l.opts.toggled === opts.toggled) rows = l.rows;
      else {
        const path = singleToggle(l.opts.toggled, opts.toggled);
        const node = path === undefined ? undefined : tree.byPath.get(path);
        if (node) rows = toggleRows(tree, vis, opts, l.rows, node, sizes);
      }
    }
    rows ??= flattenRows(tree, view, vis, opts, sizes);
    this.last = { tree, view, vis, opts, sizes, rows };
    return rows;
  }
}
