import { parentIdsOf, type FileTree } from '../model/file-tree.js';
import { childOrder } from './child-order.js';
import { Fenwick } from './fenwick.js';
import type { Rows } from './tree-rows.js';
import { TreeRows } from './tree-row-view.js';

/**
 * The tree pane's rows without a list of every row. Each node knows how many rows its children take when it is
 * expanded (`inner`, summed bottom-up once per visible set); a directory's children's row counts sit in a Fenwick
 * tree built the first time a row below it is asked for. Row k is found by descending from the root with a
 * binary search at each level, a node's row by adding up the rows before it on the way up, and expanding or
 * collapsing a directory only changes the counts of its ancestors. So a keystroke costs O(depth × log fanout)
 * plus the rows drawn, however many rows the tree has (a 600k-file directory opened or closed included).
 *
 * The model is mutable (toggles apply in place); `rows()` hands out a view of its current state
 * (tree-row-view.ts), and a view taken before a later toggle refuses to answer rather than answer for a state it
 * was not made for.
 */
export class TreeRowModel {
  private readonly parent: Int32Array;
  /** Rows the node's visible children take when it is expanded (0: no visible children). */
  private readonly inner: Int32Array;
  /** 1 when the node is expanded (`expandAll` XOR toggled); the root always is. */
  private readonly open: Uint8Array;
  /** A node's index among its parent's visible children (valid once the parent's list is built). */
  private readonly pos: Int32Array;
  private readonly kidsOf = new Map<number, Int32Array>();
  private readonly sumsOf = new Map<number, Fenwick>();
  private readonly order: (id: number) => Int32Array;
  private version = 0;

  constructor(
    private readonly tree: FileTree,
    private readonly vis: Uint8Array,
    sizes: Float64Array,
    sort: 'name' | 'size',
    expandAll: boolean,
    toggled: ReadonlySet<string>,
  ) {
    const n = tree.nodes.length;
    this.parent = parentIdsOf(tree);
    this.order = childOrder(tree, sizes, sort);
    this.open = new Uint8Array(n);
    if (expandAll) this.open.fill(1);
    for (const path of toggled) {
      const node = tree.byPath.get(path);
      if (node) this.open[node.id] = expandAll ? 0 : 1;
    }
    this.open[0] = 1;
    this.pos = new Int32Array(n);
    const inner = (this.inner = new Int32Array(n));
    // Children come after their parents in `tree.nodes`: one backward pass sums every subtree.
    for (let i = n - 1; i > 0; i--) if (vis[i]) inner[this.parent[i]!]! += 1 + (this.open[i] ? inner[i]! : 0);
  }

  /** A view of the rows as they are now. */
  rows(): Rows {
    return new TreeRows(this, this.version);
  }

  isCurrent(version: number): boolean {
    return version === this.version;
  }

  get count(): number {
    return this.inner[0]!;
  }

  /** Expands or collapses the directory at `path` (whichever it is not): its ancestors' counts change, nothing else. */
  toggle(path: string): void {
    this.version++;
    const node = this.tree.byPath.get(path);
    if (!node || node.id === 0) return;
    const x = node.id;
    this.open[x] = this.open[x] ? 0 : 1;
    const rows = this.inner[x]!;
    if (rows === 0) return;
    const delta = this.open[x] ? rows : -rows;
    for (let child = x, a = this.parent[x]!; a >= 0; child = a, a = this.parent[a]!) {
      this.inner[a]! += delta;
      this.sumsOf.get(a)?.add(this.pos[child]!, delta);
      // A collapsed ancestor takes one row whatever is below it: the change stops there.
      if (!this.open[a]) break;
    }
  }

  /** Rows node `id` takes: itself, and its children's when expanded. */
  private span(id: number): number {
    return 1 + (this.open[id] ? this.inner[id]! : 0);
  }

  /** The visible children of `dir` in display order (built once per directory; records their positions). */
  kids(dir: number): Int32Array {
    let kids = this.kidsOf.get(dir);
    if (kids) return kids;
    const all = this.order(dir);
    kids = new Int32Array(all.length);
    let k = 0;
    for (let i = 0; i < all.length; i++) {
      const c = all[i]!;
      if (this.vis[c]) {
        this.pos[c] = k;
        kids[k++] = c;
      }
    }
    kids = kids.slice(0, k);
    this.kidsOf.set(dir, kids);
    return kids;
  }

  private sums(dir: number): Fenwick {
    let f = this.sumsOf.get(dir);
    if (!f) {
      const kids = this.kids(dir);
      f = new Fenwick(Int32Array.from(kids, (c) => this.span(c)));
      this.sumsOf.set(dir, f);
    }
    return f;
  }

  /**
   * Where row `row` is, written into `path`: for each level from the top, the directory, the child's index in it
   * and the child's row. Returns the row's node (the last level's child).
   */
  locate(row: number, path: Level[]): number {
    let dir = 0;
    let base = 0;
    let k = row;
    for (let depth = 0; ; depth++) {
      const sums = this.sums(dir);
      const i = sums.find(k);
      const before = sums.prefix(i);
      const id = this.kids(dir)[i]!;
      const at = base + before;
      path[depth] = { dir, index: i, row: at };
      k -= before;
      if (k === 0) {
        path.length = depth + 1;
        return id;
      }
      // Inside the child's subtree: its children start on the row after it.
      k -= 1;
      base = at + 1;
      dir = id;
    }
  }

  /** The row showing node `id`, or -1 (filtered out or under a collapsed directory). */
  rowOf(id: number): number {
    if (id <= 0 || id >= this.vis.length || !this.vis[id]) return -1;
    const chain: number[] = [];
    for (let x = id; x > 0; x = this.parent[x]!) {
      if (x !== id && !this.open[x]) return -1;
      chain.push(x);
    }
    let row = -1;
    for (let i = chain.length - 1; i >= 0; i--) {
      const x = chain[i]!;
      const sums = this.sums(this.parent[x]!);
      // `sums` built the parent's child list, so the position is known.
      row += 1 + sums.prefix(this.pos[x]!);
    }
    return row;
  }

  hasKids(id: number): boolean {
    return this.inner[id]! > 0;
  }

  isOpen(id: number): boolean {
    return this.open[id] === 1;
  }
}

/** One level of a row's place: the directory, the child's index among its visible children, the child's row. */
export interface Level {
  dir: number;
  index: number;
  row: number;
}
