// The tree rows are answered lazily (row counts, per-directory sums, descent): here they are checked against a
// plain eager flatten written out below (recursive, sorting each directory's children on the spot), over random
// trees, filters, sorts, layers and toggle sequences — every row's id, depth, last, parent row, children, fold
// state and guides, windows at random places, and rowOf for every node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFileTree, type FileTree, type FsNode } from '../../src/model/file-tree.js';
import type { Entry } from '../../src/model/entry.js';
import type { Layer } from '../../src/model/image.js';
import { buildLayerView, displayEntry, type LayerView } from '../../src/state/layer-view.js';
import { flattenRows, SHOW_ALL, visibleNodes, type RowOptions, type Rows } from '../../src/state/tree-rows.js';
import { RowsMemo, toggledDiff } from '../../src/state/rows-memo.js';
import { rng } from '../helpers/rng.js';
import { BASE_ROW_OPTIONS } from '../helpers/row-options.js';

const NAMES = ['a', 'b', 'B', 'c', 'a.txt', 'z', 'lib', 'é', 'a b', '_'];

function randomLayers(r: () => number): Layer[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const layers: Layer[] = [];
  const seen: string[] = [];
  const nLayers = 1 + Math.floor(r() * 3);
  for (let index = 0; index < nLayers; index++) {
    const entries: Entry[] = [];
    const n = 5 + Math.floor(r() * 60);
    for (let i = 0; i < n; i++) {
      const x = r();
      if (index > 0 && seen.length > 0 && x < 0.08) {
        entries.push({ path: pick(seen), kind: 'whiteout', size: 0, mode: 0, uid: 0, gid: 0, mtime: 0 });
        continue;
      }
      if (index > 0 && seen.length > 0 && x < 0.1) {
        entries.push({ path: pick(seen), kind: 'opaque', size: 0, mode: 0, uid: 0, gid: 0, mtime: 0 });
        continue;
      }
      const depth = 1 + Math.floor(r() * 5);
      const path = Array.from({ length: depth }, () => pick(NAMES)).join('/');
      const dir = r() < 0.3;
      // Sizes from a small set: ties in the size sort must keep name order.
      const size = dir ? 0 : pick([0, 1, 5, 5, 20, 100, 100, 3000]);
      entries.push({
        path,
        kind: dir ? 'dir' : 'file',
        size,
        mode: dir ? 0o40755 : 0o100644,
        uid: 0,
        gid: 0,
        mtime: 0,
      });
      seen.push(path);
    }
    layers.push({ index, size: 0, tarSize: 0, compression: 'none', entries });
  }
  return layers;
}

interface RefRow {
  id: number;
  depth: number;
  last: boolean;
  parentRow: number;
  hasKids: boolean;
  expanded: boolean;
  guide: string;
}

/** The rows as the explorer always drew them: depth-first, children by name or by size (ties by name). */
function referenceRows(
  tree: FileTree,
  view: LayerView,
  vis: Uint8Array,
  opts: RowOptions,
  sizes: Float64Array,
): RefRow[] {
  const out: RefRow[] = [];
  if (opts.flat) {
    const files = tree.nodes.filter((n) => n.id > 0 && vis[n.id] && displayEntry(n, view.layer)?.kind !== 'dir');
    const size = (n: FsNode) => (sizes === view.sizes ? (displayEntry(n, view.layer)?.size ?? 0) : sizes[n.id]!);
    files.sort((x, y) => size(y) - size(x) || (x.path < y.path ? -1 : 1));
    for (const n of files)
      out.push({ id: n.id, depth: 0, last: false, parentRow: -1, hasKids: false, expanded: false, guide: '' });
    return out;
  }
  const kidsOf = (node: FsNode): FsNode[] => {
    const kids = [...node.children.values()].filter((c) => vis[c.id]);
    kids.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    if (opts.sort === 'size') kids.sort((x, y) => sizes[y.id]! - sizes[x.id]!);
    return kids;
  };
  const visit = (node: FsNode, depth: number, parentRow: number, prefix: string): void => {
    const kids = kidsOf(node);
    kids.forEach((c, i) => {
      const last = i === kids.length - 1;
      const row = out.length;
      const hasKids = kidsOf(c).length > 0;
      const expanded = hasKids && opts.expandAll !== opts.toggled.has(c.path);
      out.push({ id: c.id, depth, last, parentRow, hasKids, expanded, guide: `${prefix}${last ? '└── ' : '├── '}` });
      if (expanded) visit(c, depth + 1, row, `${prefix}${last ? '    ' : '│   '}`);
    });
  };
  visit(tree.root, 0, -1, '');
  return out;
}

function assertSame(rows: Rows, ref: RefRow[], tree: FileTree, r: () => number, what: string): void {
  assert.equal(rows.count, ref.length, `${what}: count`);
  const strip = (x: RefRow & { row?: number }) => ({
    id: x.id,
    depth: x.depth,
    last: x.last,
    parentRow: x.parentRow,
    hasKids: x.hasKids,
    expanded: x.expanded,
    guide: x.guide,
  });
  assert.deepEqual(rows.window(0, rows.count + 5).map(strip), ref, `${what}: every row`);
  // Windows and single rows from random places (the pane's and the keys' way in).
  for (let k = 0; k < 5 && ref.length > 0; k++) {
    const top = Math.floor(r() * ref.length);
    const n = 1 + Math.floor(r() * 12);
    const w = rows.window(top, n);
    assert.deepEqual(
      w.map((x) => x.row),
      ref.slice(top, top + n).map((_, i) => top + i),
      `${what}: window rows`,
    );
    assert.deepEqual(w.map(strip), ref.slice(top, top + n), `${what}: window(${top}, ${n})`);
    assert.deepEqual(strip(rows.at(top)), ref[top], `${what}: at(${top})`);
    assert.equal(rows.id(top), ref[top]!.id, `${what}: id(${top})`);
  }
  const rowOfRef = new Map(ref.map((x, i) => [x.id, i]));
  for (const node of tree.nodes)
    assert.equal(rows.rowOf(node.id), rowOfRef.get(node.id) ?? -1, `${what}: rowOf /${node.path}`);
}

const dirsOf = (tree: FileTree): string[] =>
  tree.nodes.filter((n) => n.id > 0 && n.children.size > 0).map((n) => n.path);

test('lazy tree rows equal an eager flatten: random trees, filters, sorts, layers, toggle sequences', () => {
  const FILTERS = [null, /a/, /b$/, /\.txt/, /^\/z/, /lib\/./];
  for (let seed = 1; seed <= 150; seed++) {
    const r = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const tree = buildFileTree(randomLayers(r));
    const dirs = dirsOf(tree);
    const layer = Math.floor(r() * tree.layerCount);
    const view = buildLayerView(tree, layer, r() < 0.7 ? 'aggregated' : 'layer');
    const wasted = Uint8Array.from(tree.nodes, () => (r() < 0.3 ? 1 : 0));
    const base: RowOptions = {
      show: r() < 0.6 ? SHOW_ALL : { added: r() < 0.7, removed: r() < 0.7, modified: r() < 0.7, unchanged: r() < 0.7 },
      threshold: pick([0, 0, 0, 5, 100]),
      wastedOnly: r() < 0.15,
      pathFilter: pick(FILTERS),
      sort: r() < 0.5 ? 'name' : 'size',
      flat: r() < 0.1,
      expandAll: r() < 0.6,
      toggled: new Set(dirs.filter(() => r() < 0.2)),
    };
    const vis = visibleNodes(tree, view, wasted, base);
    // The wasted-only view sorts by other sizes than the view's: any array with ties will do.
    const sizes = r() < 0.3 ? Float64Array.from(tree.nodes, () => pick([0, 1, 7, 7, 50])) : view.sizes;
    const memo = new RowsMemo();
    let opts = base;
    const check = (what: string): void => {
      const rows = memo.rows(tree, view, vis, opts, sizes);
      assertSame(rows, referenceRows(tree, view, vis, opts, sizes), tree, r, `seed ${seed} ${what}`);
      // A fresh build gives the same rows as the patched model.
      assertSame(
        flattenRows(tree, view, vis, opts, sizes),
        referenceRows(tree, view, vis, opts, sizes),
        tree,
        r,
        `seed ${seed} fresh ${what}`,
      );
    };
    check('start');
    for (let step = 0; step < 25 && dirs.length > 0; step++) {
      const toggled = new Set(opts.toggled);
      const flip = (p: string) => (toggled.has(p) ? toggled.delete(p) : toggled.add(p));
      const x = r();
      if (x < 0.7) flip(pick(dirs));
      else if (x < 0.85) {
        // Several at once, as a jump to a deep path opens its parents.
        const n = 2 + Math.floor(r() * 4);
        for (let i = 0; i < n; i++) flip(pick(dirs));
      } else if (x < 0.92) {
        opts = { ...opts, sort: opts.sort === 'name' ? 'size' : 'name' };
      } else {
        opts = { ...opts, expandAll: !opts.expandAll };
        toggled.clear();
      }
      opts = { ...opts, toggled };
      check(`step ${step} (${[...toggled].join(',')})`);
    }
  }
});

test('a rows view taken before a later toggle refuses to answer; toggledDiff gives both directions', () => {
  const tree = buildFileTree(randomLayers(rng(7)));
  const view = buildLayerView(tree, tree.layerCount - 1, 'aggregated');
  const opts: RowOptions = { ...BASE_ROW_OPTIONS, toggled: new Set() };
  const vis = visibleNodes(tree, view, new Uint8Array(tree.nodes.length), opts);
  const memo = new RowsMemo();
  const before = memo.rows(tree, view, vis, opts);
  const dir = tree.nodes.find((n) => n.id > 0 && n.children.size > 0 && vis[n.id])!;
  const after = memo.rows(tree, view, vis, { ...opts, toggled: new Set([dir.path]) });
  assert.ok(after.count < before.count, 'collapsing a directory with visible children hides rows');
  assert.throws(() => before.id(0), /older than the last toggle/);
  assert.throws(() => before.rowOf(dir.id), /older than the last toggle/);
  assert.equal(after.rowOf(dir.id) >= 0, true);
  assert.deepEqual(toggledDiff(new Set(['a', 'b']), new Set(['b', 'c'])), ['a', 'c']);
  assert.equal(toggledDiff(new Set(['a', 'b', 'c']), new Set(), 2), undefined);
});
