/** The final filesystem's path handling; the expected paths are worked out by hand. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FinalFs, joinRel, normalise } from '../../../src/model/libc/final-fs.js';
import { buildFileTree } from '../../../src/model/file-tree.js';
import type { Entry } from '../../../src/model/entry.js';
import type { Layer } from '../../../src/model/image.js';

test('normalise drops empty and "." segments, keeps ".." for the walk, and leaves clean paths as they are', () => {
  const cases: [string, string][] = [
    ['', ''],
    ['.', ''],
    ['/', ''],
    ['//', ''],
    ['usr/lib', 'usr/lib'],
    ['/usr/lib', 'usr/lib'],
    ['///usr/lib', 'usr/lib'],
    ['usr//lib', 'usr/lib'],
    ['/usr//lib/', 'usr/lib'],
    ['usr/lib/', 'usr/lib'],
    ['./usr/./lib/.', 'usr/lib'],
    ['usr/../lib', 'usr/../lib'],
    ['/a/.b/..c/...', 'a/.b/..c/...'],
    ['.hidden', '.hidden'],
    ['/./x', 'x'],
  ];
  for (const [input, want] of cases) assert.equal(normalise(input), want, JSON.stringify(input));
  assert.equal(joinRel('/usr/lib/', 'glibc-hwcaps/x86-64-v3/libz.so.1'), 'usr/lib/glibc-hwcaps/x86-64-v3/libz.so.1');
  assert.equal(joinRel('/', 'lib//libc.so.6'), 'lib/libc.so.6');
  assert.equal(joinRel('', './libc.so.6'), 'libc.so.6');
});

test('resolve answers the same for a path however it is spelt, and the data of a hard link is its target', () => {
  const e = (path: string, kind: Entry['kind'], linkTarget?: string): Entry => ({
    path,
    kind,
    size: kind === 'file' ? 5 : 0,
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtime: 0,
    ...(linkTarget !== undefined ? { linkTarget } : {}),
  });
  const entries = [
    e('lib', 'dir'),
    e('lib/real', 'file'),
    e('lib/alias', 'symlink', '../lib/./real'),
    e('lib/hard', 'hardlink', 'lib/real'),
  ];
  const layer: Layer = { index: 0, size: 5, tarSize: 0, compression: 'none', entries };
  const tree = buildFileTree([layer]);
  const fs = new FinalFs(tree);
  for (const p of ['lib/alias', '/lib/alias', '//lib//alias', './lib/./alias', 'lib/../lib/alias']) {
    const r = fs.resolve(p);
    assert.ok(r.ok, p);
    assert.equal(r.path, 'lib/real', p);
  }
  // Asked again in another spelling after the first: the memo must not confuse them.
  assert.deepEqual(fs.resolve('lib/nothing'), { ok: false, reason: 'missing' });
  assert.deepEqual(fs.resolve('/lib/nothing/'), { ok: false, reason: 'missing' });
  const hard = tree.byPath.get('lib/hard')!;
  assert.equal(fs.dataEntryOf(hard)!.path, 'lib/real');
  assert.equal(fs.dataEntry('lib/hard')!.path, 'lib/real');
  assert.equal(fs.layerOfNode(hard), 0);
});
