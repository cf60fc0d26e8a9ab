/**
 * A Fenwick (binary indexed) tree over non-negative integer counts: prefix sums, point updates and "which item
 * holds unit k" all in O(log n). The tree rows keep one per expanded directory, over its children's row counts,
 * so that expanding a directory deep down updates a few sums instead of renumbering every row after it.
 */
export class Fenwick {
  /** 1-based partial sums: t[i] covers items (i - lowbit(i), i]. */
  private readonly t: Int32Array;
  private readonly high: number;

  constructor(counts: ArrayLike<number>) {
    const n = counts.length;
    const t = new Int32Array(n + 1);
    for (let i = 1; i <= n; i++) {
      t[i]! += counts[i - 1]!;
      const j = i + (i & -i);
      if (j <= n) t[j]! += t[i]!;
    }
    this.t = t;
    let h = 1;
    while (h * 2 <= n) h *= 2;
    this.high = n === 0 ? 0 : h;
  }

  get length(): number {
    return this.t.length - 1;
  }

  /** The sum of items [0, i). */
  prefix(i: number): number {
    let s = 0;
    for (let k = i; k > 0; k -= k & -k) s += this.t[k]!;
    return s;
  }

  /** Adds `delta` to item i. */
  add(i: number, delta: number): void {
    const t = this.t;
    for (let k = i + 1; k < t.length; k += k & -k) t[k]! += delta;
  }

  /**
   * The item holding unit `k` (0-based, k < the total): the index i with prefix(i) ≤ k < prefix(i + 1).
   * `k - prefix(i)` is the unit's offset inside item i.
   */
  find(k: number): number {
    const t = this.t;
    let pos = 0;
    let rest = k;
    for (let step = this.high; step > 0; step >>= 1) {
      const next = pos + step;
      if (next < t.length && t[next]! <= rest) {
        pos = next;
        rest -= t[next]!;
      }
    }
    return pos;
  }
}
