import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Analysis } from '../../src/model/analysis.js';
import { buildLayerView, wasteIndex } from '../../src/state/layer-view.js';
import { flattenRows, SHOW_ALL, visibleNodes, type RowOptions } from '../../src/state/tree-rows.js';
import { initialState, jumpTo, reduce, type FrameContext } from '../../src/state/explorer-state.js';
import { moveCursor, windowTop } from '../../src/state/viewport.js';
import { smallImage } from '../helpers/ink.js';
import { BASE_ROW_OPTIONS } from '../helpers/row-options.js';

let a: Analysis;
before(async () => {
  a = await smallImage();
});

const BASE: RowOptions = BASE_ROW_OPTIONS;

function lines(layer: number, compare: 'layer' | 'aggregated', opts: Partial<RowOptions> = {}): string[] {
  const o = { ...BASE, ...opts };
  const view = buildLayerView(a.tree, layer, compare);
  const rows = flattenRows(a.tree, view, visibleNodes(a.tree, view, wasteIndex(a).marks, o), o);
  const out: string[] = [];
  for (const r of rows.window(0, rows.count)) {
    const node = a.tree.nodes[r.id]!;
    out.push(o.flat ? `/${node.path}` : `${r.guide}${node.name}`);
  }
  return out;
}

test('aggregated at layer 2: every path, by name, with dive-like guides (removed cache.bin included)', () => {
  assert.deepEqual(lines(2, 'aggregated'), [
    '├── app',
    '│   └── main.txt',
    '├── etc',
    '│   └── a.conf',
    '├── tmp',
    '│   └── cache.bin',
    '└── usr',
    '    └── lib',
    '        ├── asmall.so',
    '        └── zlarge.so',
  ]);
});

test("layer 1's own changes: zlarge.so and cache.bin with their directories", () => {
  assert.deepEqual(lines(1, 'layer'), [
    '├── tmp',
    '│   └── cache.bin',
    '└── usr',
    '    └── lib',
    '        └── zlarge.so',
  ]);
});

test('collapse, size sort, filters, flat list', () => {
  assert.deepEqual(lines(2, 'aggregated', { toggled: new Set(['usr', 'app']) }), [
    '├── app',
    '├── etc',
    '│   └── a.conf',
    '├── tmp',
    '│   └── cache.bin',
    '└── usr',
  ]);
  assert.deepEqual(lines(2, 'aggregated', { expandAll: false, toggled: new Set(['usr']) }), [
    '├── app',
    '├── etc',
    '├── tmp',
    '└── usr',
    '    └── lib',
  ]);
  assert.deepEqual(lines(2, 'aggregated', { sort: 'size' }).slice(0, 4), [
    '├── usr',
    '│   └── lib',
    '│       ├── zlarge.so',
    '│       └── asmall.so',
  ]);
  assert.deepEqual(lines(2, 'aggregated', { threshold: 1000 }), [
    '├── tmp',
    '│   └── cache.bin',
    '└── usr',
    '    └── lib',
    '        └── zlarge.so',
  ]);
  assert.deepEqual(lines(2, 'aggregated', { pathFilter: /\.so$/ }), [
    '└── usr',
    '    └── lib',
    '        ├── asmall.so',
    '        └── zlarge.so',
  ]);
  assert.deepEqual(lines(2, 'aggregated', { show: { ...SHOW_ALL, unchanged: false } }), [
    '├── app',
    '│   └── main.txt',
    '└── tmp',
    '    └── cache.bin',
  ]);
  assert.deepEqual(lines(2, 'aggregated', { flat: true }), [
    '/usr/lib/zlarge.so',
    '/tmp/cache.bin',
    '/etc/a.conf',
    '/app/main.txt',
    '/usr/lib/asmall.so',
  ]);
  assert.deepEqual(lines(2, 'aggregated', { flat: true, wastedOnly: true }), ['/usr/lib/zlarge.so', '/tmp/cache.bin']);
});

test('viewport: the window follows the cursor; pages move by height - 1', () => {
  assert.equal(windowTop(0, 5, 100, 10), 0);
  assert.equal(windowTop(0, 10, 100, 10), 1);
  assert.equal(windowTop(50, 40, 100, 10), 40);
  assert.equal(windowTop(95, 99, 100, 10), 90);
  assert.equal(moveCursor(0, 'pageDown', 100, 10), 9);
  assert.equal(moveCursor(95, 'pageDown', 100, 10), 99);
  assert.equal(moveCursor(5, 'home', 100, 10), 0);
  assert.equal(moveCursor(5, 'end', 100, 10), 99);
});

test('jumpTo a removed file selects the last layer that has it and expands its parents', () => {
  const s0 = { ...initialState(3), expandAll: false, wastedOnly: true };
  const node = a.tree.byPath.get('tmp/cache.bin')!;
  const s = jumpTo(s0, a, node);
  assert.equal(s.layer, 1);
  assert.equal(s.wastedOnly, false);
  assert.ok(s.toggled.has('tmp'));
  assert.equal(s.cursorId, node.id);
});

test('reduce: Enter on a directory collapses it; h on a file goes to its parent', () => {
  const view = buildLayerView(a.tree, 2, 'aggregated');
  const s = initialState(3);
  const rows = flattenRows(a.tree, view, visibleNodes(a.tree, view, wasteIndex(a).marks, BASE), BASE);
  const ctx: FrameContext = {
    analysis: a,
    view,
    rows,
    treeHeight: 5,
    layerHeight: 3,
    overlayHeight: 5,
    previewLines: 0,
    helpLines: 0,
  };
  const collapsed = reduce(s, 'toggle', ctx);
  assert.ok(collapsed.toggled.has('app'));
  const onFile = reduce(s, 'down', ctx);
  assert.equal(a.tree.nodes[onFile.cursorId]!.path, 'app/main.txt');
  const up = reduce(onFile, 'collapse', ctx);
  assert.equal(a.tree.nodes[up.cursorId]!.path, 'app');
});
