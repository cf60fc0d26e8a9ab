import type { FileTree } from '../model/file-tree.js';
import { displayEntry, type LayerView } from './layer-view.js';
import type { RowInfo, Rows } from './tree-rows.js';

/** The flat "largest files" list: every visible non-directory, largest first (then by path), as an id array. */
export function flatRows(tree: FileTree, view: LayerView, vis: Uint8Array, byBytes?: Float64Array): Rows {
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
  const ids = Int32Array.from(order, (k) => picked[k]!);
  // The cursor looks its node up at every frame: an inverse table, not a scan.
  const rowById = new Int32Array(tree.nodes.length).fill(-1);
  ids.forEach((id, row) => (rowById[id] = row));
  const info = (row: number): RowInfo => ({
    row,
    id: ids[row]!,
    depth: 0,
    last: false,
    parentRow: -1,
    hasKids: false,
    expanded: false,
    guide: '',
  });
  const check = (row: number): void => {
    if (!(row >= 0 && row < ids.length)) throw new RangeError(`flat rows: row ${row} of ${ids.length}`);
  };
  return {
    count: ids.length,
    id: (row) => (check(row), ids[row]!),
    at: (row) => (check(row), info(row)),
    window: (top, n) => {
      const out: RowInfo[] = [];
      for (let r = Math.max(0, top); r < Math.min(ids.length, top + n); r++) out.push(info(r));
      return out;
    },
    rowOf: (id) => (id >= 0 && id < rowById.length ? rowById[id]! : -1),
  };
}
