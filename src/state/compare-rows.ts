/** The rows of the compare view's difference tree: filters, expansion, children largest growth first. */
import type { DiffNode, ImageDiff } from '../model/diff/index.js';

export interface CompareFilter {
  readonly added: boolean;
  readonly removed: boolean;
  readonly changed: boolean;
  /** 'grew': only paths whose size grew (and directories holding them); 'shrank' the reverse. */
  readonly size: 'all' | 'grew' | 'shrank';
}

export const ALL_CHANGES: CompareFilter = { added: true, removed: true, changed: true, size: 'all' };

export interface CompareRowOptions {
  readonly filter: CompareFilter;
  readonly flat: boolean;
  readonly expandAll: boolean;
  /** Paths whose expansion differs from expandAll. */
  readonly toggled: ReadonlySet<string>;
}

export interface CompareRows {
  readonly ids: readonly number[];
  /** Tree guides before each name ('' in the flat list). */
  readonly guides: readonly string[];
  /** 1 when the row is a directory with visible children. */
  readonly hasKids: readonly boolean[];
  readonly expanded: readonly boolean[];
}

const byDeltaThenName = (x: DiffNode, y: DiffNode): number =>
  y.delta - x.delta || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0);

const sortedKids = new WeakMap<ImageDiff, number[][]>();
/** Each node's children, largest growth first (computed once per diff). */
export function childrenByDelta(d: ImageDiff): number[][] {
  let hit = sortedKids.get(d);
  if (!hit) {
    hit = d.nodes.map((n) =>
      n.children
        .map((id) => d.nodes[id]!)
        .sort(byDeltaThenName)
        .map((c) => c.id),
    );
    sortedKids.set(d, hit);
  }
  return hit;
}

/** Whether a changed path passes the filter on its own. */
export function passes(n: DiffNode, f: CompareFilter): boolean {
  if (n.change === undefined) return false;
  if (n.change === 'added' && !f.added) return false;
  if (n.change === 'removed' && !f.removed) return false;
  if (n.change === 'changed' && !f.changed) return false;
  if (f.size === 'grew' && n.delta <= 0) return false;
  if (f.size === 'shrank' && n.delta >= 0) return false;
  return true;
}

/** 1 for every node that passes or holds a node that passes. O(nodes). */
export function visibleDiffNodes(d: ImageDiff, f: CompareFilter): Uint8Array {
  const vis = new Uint8Array(d.nodes.length);
  for (let i = d.nodes.length - 1; i >= 1; i--) {
    const n = d.nodes[i]!;
    if (passes(n, f)) vis[i] = 1;
    if (vis[i] && n.parent !== null) vis[n.parent] = 1;
  }
  return vis;
}

export const isOpen = (o: CompareRowOptions, n: DiffNode): boolean => o.expandAll !== o.toggled.has(n.path);

export function compareRows(d: ImageDiff, vis: Uint8Array, o: CompareRowOptions): CompareRows {
  const ids: number[] = [];
  const guides: string[] = [];
  const hasKids: boolean[] = [];
  const expanded: boolean[] = [];
  if (o.flat) {
    const list = d.nodes
      .filter((n) => n.id !== 0 && !n.isDir && vis[n.id] && passes(n, o.filter))
      .sort((x, y) => y.delta - x.delta || (x.path < y.path ? -1 : 1));
    for (const n of list) {
      ids.push(n.id);
      guides.push('');
      hasKids.push(false);
      expanded.push(false);
    }
    return { ids, guides, hasKids, expanded };
  }
  const kids = childrenByDelta(d);
  const walk = (id: number, prefix: string): void => {
    const shown = kids[id]!.filter((c) => vis[c]);
    shown.forEach((c, i) => {
      const last = i === shown.length - 1;
      const n = d.nodes[c]!;
      const visibleKids = kids[c]!.some((k) => vis[k]);
      const open = visibleKids && isOpen(o, n);
      ids.push(c);
      guides.push(`${prefix}${last ? '└── ' : '├── '}`);
      hasKids.push(visibleKids);
      expanded.push(open);
      if (open) walk(c, `${prefix}${last ? '    ' : '│   '}`);
    });
  };
  walk(0, '');
  return { ids, guides, hasKids, expanded };
}
