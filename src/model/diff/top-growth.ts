import type { DiffNode, ImageDiff } from './types.js';

/** A node whose delta is mostly one child's is summarised by that child (the "where" people want to read). */
const CONCENTRATED = 0.9;

function focus(d: ImageDiff, n: DiffNode, sign: 1 | -1): DiffNode {
  let cur = n;
  for (;;) {
    let best: DiffNode | undefined;
    for (const id of cur.children) {
      const c = d.nodes[id]!;
      if (!best || sign * c.delta > sign * best.delta) best = c;
    }
    if (!best || sign * best.delta < CONCENTRATED * sign * cur.delta || sign * best.delta <= 0) return cur;
    cur = best;
  }
}

/**
 * The few places that explain the growth (sign 1) or the shrink (sign -1): starting from the root, each
 * subtree that moved in that direction, narrowed to the deepest directory or file holding ≥ 90% of it.
 * Largest first; at most `limit`.
 */
export function topContributors(d: ImageDiff, limit = 5, sign: 1 | -1 = 1): DiffNode[] {
  const root = d.nodes[0];
  if (!root || (sign * root.delta <= 0 && root.children.every((id) => sign * d.nodes[id]!.delta <= 0))) return [];
  const moved = (n: DiffNode): DiffNode[] => n.children.map((id) => d.nodes[id]!).filter((c) => sign * c.delta > 0);
  const start = focus(d, root, sign);
  // The root itself is never an answer: when no single child explains it, each child that moved is a candidate.
  let frontier =
    start === root
      ? moved(root)
          .sort((x, y) => sign * (y.delta - x.delta))
          .slice(0, limit)
          .map((c) => focus(d, c, sign))
      : [start];
  // Split directories that hold changes in several places (not one added as a whole) while the list stays short.
  for (let round = 0; round < 4; round++) {
    const next: DiffNode[] = [];
    let split = false;
    frontier.forEach((n, i) => {
      const kids = moved(n);
      const room = limit - (next.length + (frontier.length - i - 1));
      if (n.isDir && n.change !== 'added' && n.change !== 'removed' && kids.length > 1 && kids.length <= room) {
        next.push(...kids.map((c) => focus(d, c, sign)));
        split = true;
      } else next.push(n);
    });
    frontier = next;
    if (!split) break;
  }
  return frontier
    .filter((n) => sign * n.delta > 0)
    .sort((x, y) => sign * (y.delta - x.delta))
    .slice(0, limit);
}
