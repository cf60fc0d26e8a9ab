import type { Level, TreeRowModel } from './tree-row-model.js';
import type { RowInfo, Rows } from './tree-rows.js';

const BRANCH = '├── ';
const CORNER = '└── ';
const PIPE = '│   ';
const SPACE = '    ';

/**
 * The rows of a `TreeRowModel` at one version: single rows by descent, windows by walking preorder successors
 * from the first one (what the pane draws), each with its tree guides.
 */
export class TreeRows implements Rows {
  readonly count: number;
  constructor(
    private readonly m: TreeRowModel,
    private readonly version: number,
  ) {
    this.count = m.count;
  }

  private check(row: number): void {
    if (!this.m.isCurrent(this.version)) throw new Error('tree rows: this view is older than the last toggle');
    if (!(row >= 0 && row < this.count)) throw new RangeError(`tree rows: row ${row} of ${this.count}`);
  }

  id(row: number): number {
    this.check(row);
    return this.m.locate(row, []);
  }

  at(row: number): RowInfo {
    this.check(row);
    return this.window(row, 1)[0]!;
  }

  rowOf(id: number): number {
    if (!this.m.isCurrent(this.version)) throw new Error('tree rows: this view is older than the last toggle');
    return this.m.rowOf(id);
  }

  /** Locates `top` once, then walks preorder successors: O(depth × log fanout + n). */
  window(top: number, n: number): RowInfo[] {
    const out: RowInfo[] = [];
    if (n <= 0 || top >= this.count) return out;
    this.check(top);
    const m = this.m;
    const path: Level[] = [];
    let id = m.locate(top, path);
    const kids = path.map((l) => m.kids(l.dir));
    // The guide text of the levels above each level (built as the walk goes down).
    const above: string[] = [''];
    for (let d = 1; d < path.length; d++)
      above[d] = above[d - 1]! + (path[d - 1]!.index === kids[d - 1]!.length - 1 ? SPACE : PIPE);
    let row = top;
    for (;;) {
      const d = path.length - 1;
      const level = path[d]!;
      const last = level.index === kids[d]!.length - 1;
      const hasKids = m.hasKids(id);
      const expanded = hasKids && m.isOpen(id);
      out.push({
        row,
        id,
        depth: d,
        last,
        parentRow: d > 0 ? path[d - 1]!.row : -1,
        hasKids,
        expanded,
        guide: above[d]! + (last ? CORNER : BRANCH),
      });
      if (out.length >= n || ++row >= this.count) return out;
      if (expanded) {
        // Down into the first child.
        above[d + 1] = above[d]! + (last ? SPACE : PIPE);
        const k = m.kids(id);
        path.push({ dir: id, index: 0, row });
        kids.push(k);
        id = k[0]!;
        continue;
      }
      // The next sibling, here or of the nearest ancestor that has one.
      let up = d;
      while (path[up]!.index === kids[up]!.length - 1) up--;
      path.length = up + 1;
      kids.length = up + 1;
      above.length = up + 1;
      const next = path[up]!;
      next.index++;
      next.row = row;
      id = kids[up]![next.index]!;
    }
  }
}
