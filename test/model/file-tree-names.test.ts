// The tree keeps no table of names: a node's name is read from its path, and (parent, name) → child goes
// through a hash of the name. These check the lookups where that could go wrong: names that are suffixes of
// each other or of their parent's path, names with a slash asked of one directory, non-ASCII names, and names
// whose hashes collide — both a pair built to collide under 32-bit FNV-1a and 200,000 names in one directory,
// among which any 32-bit hash has colliding pairs (the chance of none is about 1 %).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFileTree } from '../../src/model/file-tree.js';
import type { Entry } from '../../src/model/entry.js';
import type { Layer } from '../../src/model/image.js';

const file = (path: string): Entry => ({ path, kind: 'file', size: 1, mode: 0o100644, uid: 0, gid: 0, mtime: 0 });
const dir = (path: string): Entry => ({ path, kind: 'dir', size: 0, mode: 0o40755, uid: 0, gid: 0, mtime: 0 });
const layer = (entries: Entry[], index = 0): Layer => ({
  index,
  size: entries.length,
  tarSize: 0,
  compression: 'none',
  entries,
});

test('names that are suffixes of each other and of their parents resolve to their own nodes', () => {
  const paths = ['a', 'a/b', 'ab', 'a/ab', 'b', 'foo', 'foo/foo', 'foo/foo/foo', 'x/a/b', 'é', 'é/é', '𝄞', 'a/𝄞b'];
  const tree = buildFileTree([layer([dir('a'), dir('foo'), dir('foo/foo'), dir('é'), ...paths.map(file)])]);
  for (const p of paths) {
    const n = tree.byPath.get(p);
    assert.equal(n?.path, p, p);
    assert.equal(n.name, p.slice(p.lastIndexOf('/') + 1), p);
    assert.equal(n.parent?.children.get(n.name), n, `${p} from its parent`);
  }
  assert.deepEqual([...tree.root.children.keys()], ['a', 'foo', 'é', 'ab', 'b', 'x', '𝄞']);
  assert.deepEqual([...tree.byPath.get('a')!.children.keys()], ['b', 'ab', '𝄞b']);
  assert.equal(tree.root.children.get('a/b'), undefined, 'a name with a slash is no child of the root');
  assert.equal(tree.root.children.get('foo/foo'), undefined);
  assert.equal(tree.byPath.get('foo')!.children.get('foo')?.path, 'foo/foo');
  assert.equal(tree.root.children.get(''), undefined);
  assert.equal(tree.byPath.get('a/b/c'), undefined);
  assert.equal(tree.byPath.get('x')?.children.get('a')?.path, 'x/a');
  assert.equal(tree.byPath.get('x/a')?.children.has('ab'), false);
});

/** 32-bit FNV-1a over UTF-16 units, the hash the tree uses (written out again here to build a collision). */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

test('two names with the same hash in one directory are two nodes, each found by its own name', () => {
  const seen = new Map<number, string>();
  let pair: [string, string] | undefined;
  for (let i = 0; !pair; i++) {
    const name = `n${i.toString(36)}`;
    const h = fnv1a(name);
    const other = seen.get(h);
    if (other !== undefined) pair = [other, name];
    else seen.set(h, name);
  }
  const [x, y] = pair;
  assert.equal(fnv1a(x), fnv1a(y));
  // One of them first in one layer, the other added by a later layer, and both again under a directory.
  const tree = buildFileTree([layer([file(x), dir('d'), file(`d/${y}`)]), layer([file(y), file(`d/${x}`)], 1)]);
  for (const p of [x, y, `d/${x}`, `d/${y}`]) assert.equal(tree.byPath.get(p)?.path, p);
  assert.equal(tree.root.children.get(x)?.versions.length, 1);
  assert.equal(tree.root.children.get(y)?.versions[0]?.layer, 1);
  assert.equal(tree.nodes.length, 6);
});

test('200,000 names in one directory: every one found, and names never added are not', () => {
  const names: string[] = [];
  for (let i = 0; i < 200_000; i++) names.push(`f${((i * 2654435761) >>> 0).toString(16)}.js`);
  const tree = buildFileTree([layer([dir('d'), ...names.map((n) => file(`d/${n}`))])]);
  const d = tree.byPath.get('d')!;
  assert.equal(d.children.size, names.length);
  for (const n of names) assert.equal(d.children.get(n)?.path, `d/${n}`);
  for (let i = 0; i < 1000; i++) assert.equal(d.children.get(`g${i}.js`), undefined);
  let k = 0;
  for (const n of d.children.keys()) assert.equal(n, names[k++]);
});
