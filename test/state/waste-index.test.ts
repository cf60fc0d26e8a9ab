// The explorer's waste index (state/layer-view.ts) looks items up by the node ids the reports carry. Checked
// against a brute-force match by path over the whole report, on the demo image (deleted, overwritten and hidden
// files in several layers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wasteIndex } from '../../src/state/layer-view.js';
import { demoWithElf } from '../helpers/demo-elf.js';

test('every node: its marks, inefficient path and reclaimable items are those the reports list for its path', async () => {
  const a = await demoWithElf();
  const w = wasteIndex(a);
  let marked = 0;
  let items = 0;
  for (const node of a.tree.nodes) {
    const ineff = a.dive.inefficientPaths.find((p) => p.path === node.path);
    const recl = a.reclaimable.items.filter((r) => r.path === node.path);
    assert.equal(w.inefficientAt(node), ineff, node.path);
    assert.deepEqual(w.reclaimableAt(node), recl, node.path);
    assert.equal(w.marks[node.id], ineff || recl.length > 0 ? 1 : 0, node.path);
    marked += w.marks[node.id]!;
    items += recl.length;
  }
  // The demo has something to find: every reclaimable item is at some node, and several paths are marked.
  assert.equal(items, a.reclaimable.items.length);
  assert.ok(a.dive.inefficientPaths.length > 0 && marked >= a.dive.inefficientPaths.length);
});
