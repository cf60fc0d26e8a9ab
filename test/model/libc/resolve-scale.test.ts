/**
 * The memoized resolver on the shapes that used to be superlinear (a chain: each library needs the next; a
 * fan: each library needs every other), small enough to work out by hand. Every library is also resolved as
 * its own root, and the shared memo must not leak one root's loaded set into another's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binaryAt } from '../../../src/model/libc/index.js';
import { elf, exe, glibcBase, report } from './fixtures.js';

const LIB = 'usr/lib/x86_64-linux-gnu';
const n = (k: number): number[] => Array.from({ length: k }, (_, i) => i);

test('chain of 8: lib i needs lib i+1; the executable loads all 8 in order at depths 1…8, each lib root loads the rest', () => {
  const r = report([
    [
      ...glibcBase(),
      ['bin/app', 'elf', exe({ needed: ['lib0.so'] })],
      ...n(8).map((i): [string, 'elf', ReturnType<typeof elf>] => [
        `${LIB}/lib${i}.so`,
        'elf',
        elf({ soname: `lib${i}.so`, needed: i < 7 ? [`lib${i + 1}.so`] : [] }),
      ]),
    ],
  ]);
  const app = binaryAt(r, '/bin/app')!.resolution!;
  assert.deepEqual(
    app.libs.map((l) => [l.name, l.depth, l.neededBy]),
    n(8).map((i) => [`lib${i}.so`, i + 1, i === 0 ? '/bin/app' : `/${LIB}/lib${i - 1}.so`]),
  );
  assert.equal(binaryAt(r, '/bin/app')!.verdict!.status, 'will start');
  for (const i of n(7)) {
    const lib = binaryAt(r, `/${LIB}/lib${i}.so`)!.resolution!;
    assert.deepEqual(
      lib.libs.map((l) => l.name),
      n(7 - i).map((k) => `lib${i + 1 + k}.so`),
      `root lib${i}`,
    );
    assert.deepEqual(lib.missing, []);
  }
  assert.equal(binaryAt(r, `/${LIB}/lib7.so`)!.resolution, null); // no needs: not resolved
});

test('fan of 6: each lib needs the 5 others; every root loads each lib once (BFS order), none twice, no missing', () => {
  const names = n(6).map((i) => `lib${i}.so`);
  const r = report([
    [
      ...glibcBase(),
      ['bin/app', 'elf', exe({ needed: [...names].reverse() })],
      ...n(6).map((i): [string, 'elf', ReturnType<typeof elf>] => [
        `${LIB}/lib${i}.so`,
        'elf',
        elf({ soname: names[i]!, needed: names.filter((_, j) => j !== i) }),
      ]),
    ],
  ]);
  const app = binaryAt(r, '/bin/app')!.resolution!;
  // The executable's own needs come first (in its order), all at depth 1; their needs are all reused.
  assert.deepEqual(
    app.libs.map((l) => `${l.name}@${l.depth}`),
    ['lib5.so@1', 'lib4.so@1', 'lib3.so@1', 'lib2.so@1', 'lib1.so@1', 'lib0.so@1'],
  );
  for (const i of n(6)) {
    const lib = binaryAt(r, `/${LIB}/lib${i}.so`)!.resolution!;
    // Root lib i: its 5 needs at depth 1 in its own order; itself is not loaded again (same real path).
    assert.deepEqual(
      lib.libs.map((l) => `${l.name}@${l.depth}`),
      names.filter((_, j) => j !== i).map((x) => `${x}@1`),
      `root lib${i}`,
    );
  }
});

test('the memo keys the search context: the same name from a lib with DT_RPATH and from one without resolves differently', () => {
  const r = report([
    [
      ...glibcBase(),
      ['bin/a', 'elf', exe({ needed: ['libx.so'], rpath: ['/opt/a'] })],
      ['bin/b', 'elf', exe({ needed: ['libx.so'] })],
      ['opt/a/libx.so', 'elf', elf({ soname: 'libx.so', needed: ['liby.so'] })],
      [`${LIB}/libx.so`, 'elf', elf({ soname: 'libx.so', needed: ['liby.so'] })],
      ['opt/a/liby.so', 'elf', elf({ soname: 'liby.so' })],
    ],
  ]);
  // a: libx from its RPATH, and liby through the inherited RPATH; b: libx from the default dir, liby missing.
  assert.deepEqual(
    binaryAt(r, '/bin/a')!.resolution!.libs.map((l) => `${l.name}=${l.realPath}@${l.via}`),
    ['libx.so=/opt/a/libx.so@rpath', 'liby.so=/opt/a/liby.so@rpath'],
  );
  assert.deepEqual(
    binaryAt(r, '/bin/b')!.resolution!.libs.map((l) => `${l.name}=${l.realPath}@${l.via}`),
    [`libx.so=/${LIB}/libx.so@default`],
  );
  assert.deepEqual(
    binaryAt(r, '/bin/b')!.resolution!.missing.map((m) => m.name),
    ['liby.so'],
  );
});
