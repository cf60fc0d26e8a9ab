import type { FileTree } from '../model/file-tree.js';
import type { LayerView } from './layer-view.js';
import { flattenRows, type RowOptions, type Rows } from './tree-rows.js';
import { TreeRowModel } from './tree-row-model.js';

/** Most paths two toggled sets may differ in for the rows to be patched rather than rebuilt. */
const MAX_PATCH = 64;

/**
 * The paths in which two toggled sets differ (each is expanded or collapsed once to go from `a` to `b`), or
 * undefined when they differ in more than `max`.
 */
export function toggledDiff(a: ReadonlySet<string>, b: ReadonlySet<string>, max = MAX_PATCH): string[] | undefined {
  if (Math.abs(a.size - b.size) > max) return undefined;
  const out: string[] = [];
  for (const p of a) if (!b.has(p) && out.push(p) > max) return undefined;
  for (const p of b) if (!a.has(p) && out.push(p) > max) return undefined;
  return out;
}

/** The one path in which two toggled sets differ, or undefined when they differ in none or in more. */
export function singleToggle(a: ReadonlySet<string>, b: ReadonlySet<string>): string | undefined {
  const d = toggledDiff(a, b, 1);
  return d?.length === 1 ? d[0] : undefined;
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
 * Keeps the tree's row model across frames. Expanding or collapsing directories (the common keystrokes, and a
 * jump that opens a path's parents) updates the model's counts along those paths; anything else builds it anew
 * (O(nodes), as the visible set it follows already is). The rows handed out before a patch go stale.
 */
export class RowsMemo {
  private last?: {
    tree: FileTree;
    view: LayerView;
    vis: Uint8Array;
    opts: RowOptions;
    sizes: Float64Array;
    model?: TreeRowModel;
    rows: Rows;
  };

  rows(tree: FileTree, view: LayerView, vis: Uint8Array, opts: RowOptions, sizes: Float64Array = view.sizes): Rows {
    const l = this.last;
    if (
      l &&
      l.tree === tree &&
      l.view === view &&
      l.vis === vis &&
      l.sizes === sizes &&
      sameOptsButToggled(l.opts, opts)
    ) {
      // The flat list does not fold.
      if (l.opts.toggled === opts.toggled || opts.flat) return l.rows;
      const diff = l.model ? toggledDiff(l.opts.toggled, opts.toggled) : undefined;
      if (l.model && diff) {
        for (const path of diff) l.model.toggle(path);
        this.last = { ...l, opts, rows: l.model.rows() };
        return this.last.rows;
      }
    }
    const model = opts.flat ? undefined : new TreeRowModel(tree, vis, sizes, opts.sort, opts.expandAll, opts.toggled);
    const rows = model ? model.rows() : flattenRows(tree, view, vis, opts, sizes);
    this.last = { tree, view, vis, opts, sizes, ...(model ? { model } : {}), rows };
    return rows;
  }
}
