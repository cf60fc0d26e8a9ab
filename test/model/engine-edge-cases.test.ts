// Issue 10, items 4–6: tar names as bytes, trees deeper than any stack, hard-link chains. Fixtures are built
// with tar-stream (test/helpers/make-archive.ts; raw byte names and GNU long-name records patched in by
// test/helpers/raw-tar.ts), checked against GNU tar's own reading where it applies; expected numbers by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, type Analysis } from '../../src/model/analysis.js';
import { entryAt } from '../../src/model/file-tree.js';
import { displayPath } from '../../src/model/paths.js';
import { subtreeSizesAt } from '../../src/model/tree-sizes.js';
import { jsonReport } from '../../src/cli/json-report.js';
import {
  dir,
  dockerArchiveLegacy,
  file,
  hardlink,
  makeTar,
  opaque,
  whiteout,
  type ImageSpec,
  type LayerSpec,
} from '../helpers/make-archive.js';
import { gnuLongNameTar, patchName } from '../helpers/raw-tar.js';
import { loadBuffer } from '../helpers/load.js';

const analyse = async (spec: ImageSpec): Promise<Analysis> =>
  analyze(await loadBuffer(await dockerArchiveLegacy(spec)));

async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const d = await mkdtemp(join(tmpdir(), 'slimtui-edge-'));
  try {
    return await fn(d);
  } finally {
    await rm(d, { recursive: true, force: true });
  }
}

/** GNU tar's listing of a tar, names with C escapes (\377) so bytes show. */
const tarList = (d: string, tar: Buffer, name = 'l.tar'): Promise<string[]> =>
  writeFile(join(d, name), tar).then(() =>
    execFileSync('tar', ['--quoting-style=escape', '-tf', join(d, name)], { encoding: 'latin1', maxBuffer: 1 << 28 })
      .split('\n')
      .filter(Boolean),
  );

// ---------------------------------------------------------------------------------------------------------
// Item 4. layer 0: d/ d/a<FF>(100) d/a<FE>(200) d/café(7, UTF-8) ; layer 1: d/.wh.a<FF>
// By hand: two distinct files, no duplicate warning; the whiteout removes only a<FF> → reclaimable 100 in
// layer 0, a<FE> and café stay; shown as /d/a\xff.
async function byteNames(): Promise<{ l0: Buffer; l1: Buffer }> {
  let l0 = await makeTar([dir('d/'), file('d/aX', 100), file('d/aY', 200), file('d/café', 7)]);
  l0 = patchName(l0, 'd/aX', Buffer.from([0x64, 0x2f, 0x61, 0xff]));
  l0 = patchName(l0, 'd/aY', Buffer.from([0x64, 0x2f, 0x61, 0xfe]));
  let l1 = await makeTar([dir('d/'), file('d/.wh.aX', 0)]);
  l1 = patchName(l1, 'd/.wh.aX', Buffer.concat([Buffer.from('d/.wh.a'), Buffer.from([0xff])]));
  return { l0, l1 };
}

test('item 4: two names that differ only in non-UTF-8 bytes stay two paths (GNU tar agrees)', async () => {
  const { l0, l1 } = await byteNames();
  await withTemp(async (d) => {
    // GNU tar sees three distinct files in layer 0 (the bytes as octal escapes).
    assert.deepEqual(await tarList(d, l0), ['d/', 'd/a\\377', 'd/a\\376', 'd/caf\u00c3\u00a9']);
  });
  const a = await analyse({ layers: [{ raw: l0 }, { raw: l1 }] as LayerSpec[] });
  const warnings = [...a.image.warnings, ...a.tree.warnings];
  assert.deepEqual(
    warnings.filter((w) => w.code === 'duplicate-entry'),
    [],
  );
  assert.equal(a.image.layers[0]!.entries.length, 4);
  assert.equal(new Set(a.image.layers[0]!.entries.map((e) => e.path)).size, 4);
  assert.equal(a.reclaimable.totalBytes, 100);
  assert.deepEqual(
    a.reclaimable.items.map((i) => [displayPath(i.path), i.bytes, i.reason]),
    [['/d/a\\xff', 100, 'deleted']],
  );
  // The final filesystem: a<FE> (200) and café (7) — 207 bytes under d/.
  const sizes = subtreeSizesAt(a.tree, 1);
  assert.equal(sizes[a.tree.byPath.get('d')!.id], 207);
  assert.ok(a.tree.byPath.get('d/café'), 'a UTF-8 name is its text');
  // JSON shows the bytes escaped.
  const json = JSON.stringify(jsonReport(a, { name: 'slimtui', version: 'test' }));
  assert.ok(json.includes('"/d/a\\\\xff"'), 'reclaimable path escaped in --json');
});

// ---------------------------------------------------------------------------------------------------------
// Item 5. Deeper than any recursion: 10,000 nested directories implied by one file, then whited out / made
// opaque; and a 1 MB GNU long name. By hand: the file is 10 bytes; whiteout or opaque of the top removes it.
const DEPTH = 10_000;
const deepPath = (depth: number): string => `${'a/'.repeat(depth)}f`;

test('item 5: 10,000 nested directories whited out: no stack overflow, the file is reclaimable', async () => {
  const a = await analyse({ layers: [[file(deepPath(DEPTH), 10)], [whiteout('a')]] });
  assert.equal(a.tree.nodes.length, 1 + DEPTH + 1);
  assert.equal(a.reclaimable.totalBytes, 10);
  assert.equal(a.reclaimable.items[0]!.reason, 'deleted');
  assert.equal(entryAt(a.tree.byPath.get(deepPath(DEPTH))!, 1), null);
  // dive: no path is listed by both layers (the file in 0, the whiteout of a/ in 1), so nothing is "wasted".
  assert.equal(a.dive.wastedBytes, 0);
  assert.equal(subtreeSizesAt(a.tree, 0)[0], 10);
  assert.equal(subtreeSizesAt(a.tree, 1)[0], 0);
  JSON.stringify(jsonReport(a, { name: 'slimtui', version: 'test' }));
});

test('item 5: 10,000 nested directories made opaque: hidden, not deleted', async () => {
  const a = await analyse({ layers: [[file(deepPath(DEPTH), 10)], [dir('a/'), opaque('a')]] });
  assert.equal(a.reclaimable.totalBytes, 10);
  assert.equal(a.reclaimable.items[0]!.reason, 'hidden');
  assert.equal(subtreeSizesAt(a.tree, 1)[0], 0);
});

test('item 5: a 1 MB GNU long name (GNU tar reads the same name)', async () => {
  const name = deepPath(1 << 19); // 'a/' × 524,288 + 'f': 1 MiB + 1 byte
  const tar = gnuLongNameTar(name, Buffer.from('0123456789'));
  await withTemp(async (d) => {
    const listed = await tarList(d, tar);
    assert.equal(listed.length, 1);
    assert.equal(listed[0], name);
  });
  const a = await analyse({ layers: [{ raw: tar }, [whiteout('a')]] as LayerSpec[] });
  assert.equal(a.image.layers[0]!.entries[0]!.path, name);
  assert.equal(a.reclaimable.totalBytes, 10);
  assert.equal(subtreeSizesAt(a.tree, 0)[0], 10);
});

// ---------------------------------------------------------------------------------------------------------
// Item 6. layer 0: A(1000), B → A, C → B (a chain: B is itself a link); layer 1 deletes A and B.
// By hand: C still holds the 1,000 bytes, so nothing is reclaimable; the final filesystem holds 1,000 bytes.
test('item 6: a hard-link chain keeps the data while its last link lives (GNU tar agrees)', async () => {
  const l0 = [file('A', 1000), hardlink('B', 'A'), hardlink('C', 'B')];
  await withTemp(async (d) => {
    // The real thing: extract layer 0 with GNU tar, delete A and B as layer 1 does; C keeps 1,000 bytes.
    await writeFile(join(d, 'l0.tar'), await makeTar(l0));
    execFileSync('tar', ['-xf', join(d, 'l0.tar'), '-C', d]);
    await unlink(join(d, 'A'));
    await unlink(join(d, 'B'));
    assert.equal((await stat(join(d, 'C'))).size, 1000);
  });
  const a = await analyse({ layers: [l0, [whiteout('A'), whiteout('B')]] });
  assert.equal(a.reclaimable.totalBytes, 0);
  assert.deepEqual(a.reclaimable.items, []);
  assert.equal(subtreeSizesAt(a.tree, 1)[0], 1000);
  assert.equal(subtreeSizesAt(a.tree, 0)[0], 1000);
});

test('item 6: when every link is gone too, the data is reclaimable once', async () => {
  const a = await analyse({
    layers: [
      [file('A', 1000), hardlink('B', 'A'), hardlink('C', 'B')],
      [whiteout('A'), whiteout('B'), whiteout('C')],
    ],
  });
  assert.equal(a.reclaimable.totalBytes, 1000);
});

// layer 0: A(500); layer 1: C → A (A is only in layer 0); layer 2: deletes A.
// By hand: C keeps A's 500 bytes (nothing reclaimable), and layer 1 gets a cross-layer warning.
test('item 6: a cross-layer hard link is warned about and keeps its data', async () => {
  const a = await analyse({ layers: [[file('A', 500)], [hardlink('C', 'A')], [whiteout('A')]] });
  const w = a.tree.warnings.filter((x) => x.code === 'cross-layer-hardlink');
  assert.equal(w.length, 1);
  assert.equal(w[0]!.layer, 1);
  assert.equal(w[0]!.path, 'C');
  assert.equal(a.reclaimable.totalBytes, 0);
  assert.equal(subtreeSizesAt(a.tree, 2)[0], 500);
});
