// The tree's packed version table: a version holds its entry as a row of its layer (or of the directories the
// tree made), the table grows when removals outnumber the room sized for the entries, and once sealed the tree
// answers a path's last version and its children's count by walking (no per-node column for either). The
// expectations are the OCI layer rules worked by hand on small layers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFileTree, entryAt, entryIn, lastVersion, versionAt } from '../../src/model/file-tree.js';
import type { Entry } from '../../src/model/entry.js';
import type { Layer } from '../../src/model/image.js';

const file = (path: string, size = 1): Entry => ({
  path,
  kind: 'file',
  size,
  mode: 0o100644,
  uid: 0,
  gid: 0,
  mtime: 0,
});
const dir = (path: string): Entry => ({ path, kind: 'dir', size: 0, mode: 0o40755, uid: 0, gid: 0, mtime: 0 });
const whiteout = (path: string): Entry => ({ path, kind: 'whiteout', size: 0, mode: 0, uid: 0, gid: 0, mtime: 0 });
const layer = (index: number, entries: Entry[]): Layer => ({
  index,
  size: entries.length,
  tarSize: 0,
  compression: 'none',
  entries,
});

test('each version reads back the very entry its layer wrote, removals and implicit directories included', () => {
  const l0 = [dir('etc'), file('etc/a', 10), file('usr/lib/x', 5)];
  const l1 = [file('etc/a', 20), whiteout('usr/lib')];
  const l2 = [file('etc/a', 30), file('usr/lib/y', 7)];
  const tree = buildFileTree([layer(0, l0), layer(1, l1), layer(2, l2)]);
  const a = tree.byPath.get('etc/a')!;
  assert.deepEqual(
    a.versions.map((v) => [v.layer, v.entry]),
    [
      [0, l0[1]],
      [1, l1[0]],
      [2, l2[0]],
    ],
  );
  assert.equal(entryAt(a, 1), l1[0]);
  assert.equal(entryIn(a, 2), l2[0]);
  assert.equal(lastVersion(a)?.entry, l2[0]);
  // usr and usr/lib were never listed: made by the tree in layer 0; usr/lib again in layer 2, after its whiteout.
  const lib = tree.byPath.get('usr/lib')!;
  assert.deepEqual(
    lib.versions.map((v) => [v.layer, v.entry?.implicit ?? null, v.removedBy ?? null]),
    [
      [0, true, null],
      [1, null, 'whiteout'],
      [2, true, null],
    ],
  );
  assert.equal(entryAt(lib, 1), null);
  assert.equal(entryAt(tree.byPath.get('usr/lib/x')!, 1), null);
  assert.equal(lastVersion(tree.byPath.get('usr/lib/x')!)?.removedBy, 'whiteout');
  assert.equal(versionAt(tree.byPath.get('usr/lib/y')!, 1), undefined);
  // nodeOf: an entry's node, the whiteout's the node it removed.
  assert.equal(tree.nodeOf(0, 2), tree.byPath.get('usr/lib/x'));
  assert.equal(tree.nodeOf(1, 1), lib);
  assert.equal(tree.nodeOf(2, 0), a);
  assert.equal(tree.nodeOf(2, 5), undefined);
  assert.equal(tree.nodeOf(7, 0), undefined);
  assert.equal(tree.byPath.get('usr')!.children.size, 1);
  assert.equal(lib.children.size, 2);
  assert.equal(tree.byPath.get('etc/a')!.children.size, 0);
});

test('a whiteout that removes more paths than the table had room for: every removal is kept', () => {
  // 3,000 files in one directory, then a layer that whites the directory out and writes 3,000 new files: 9,002
  // versions against room for 6,001 entries + 1,024.
  const n = 3000;
  const names = Array.from({ length: n }, (_, i) => `d/f${i}`);
  const l0 = [dir('d'), ...names.map((p) => file(p, 2))];
  const l1 = [whiteout('d'), ...Array.from({ length: n }, (_, i) => file(`e/g${i}`, 3))];
  const tree = buildFileTree([layer(0, l0), layer(1, l1)]);
  for (const p of names) {
    const node = tree.byPath.get(p)!;
    assert.deepEqual(
      node.versions.map((v) => [v.layer, v.entry?.size ?? null, v.removedBy ?? null]),
      [
        [0, 2, null],
        [1, null, 'whiteout'],
      ],
      p,
    );
  }
  assert.equal(tree.byPath.get('d')!.children.size, n);
  assert.equal(lastVersion(tree.byPath.get('e/g2999')!)?.entry, l1[n]);
  assert.equal(tree.nodeOf(1, n)?.path, 'e/g2999');
});
