// Hand-made images with every number worked out BY HAND below (DOMAIN.md §2–3): layer sizes, image/user
// size, dive's wasted bytes / efficiency / inefficient paths, slimtui's reclaimable bytes, change states
// per layer and subtree sizes. The images are built with tar-stream (test/helpers/make-archive.ts) as
// legacy docker-save archives and read through loadImage + analyze.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, type Analysis } from '../../src/model/analysis.js';
import { changeAt, type FileTree } from '../../src/model/file-tree.js';
import { layerSubtreeSizes, subtreeSizesAt } from '../../src/model/tree-sizes.js';
import { dir, dockerArchiveLegacy, file, hardlink, opaque, whiteout, type ImageSpec } from '../helpers/make-archive.js';
import { loadBuffer } from '../helpers/load.js';

async function analyse(spec: ImageSpec): Promise<Analysis> {
  return analyze(await loadBuffer(await dockerArchiveLegacy(spec)));
}

function node(tree: FileTree, path: string) {
  const n = tree.byPath.get(path);
  assert.ok(n, `no node for ${path}`);
  return n;
}

const states = (a: Analysis, path: string): (string | undefined)[] =>
  a.image.layers.map((l) => changeAt(node(a.tree, path), l.index));

const ineff = (a: Analysis) =>
  a.dive.inefficientPaths.map((p) => ({ path: p.path, occurrences: p.occurrences, bytes: p.bytes }));

// ---------------------------------------------------------------------------------------------------------
// Image A: overwrite, file whiteout, directory whiteout, chmod-only re-emit.
//
// layer 0: etc/ etc/conf(100) etc/keep(10) data/ data/big(1000) cache/ cache/a(200) cache/b(300) bin/ bin/tool(50, 0644)
// layer 1: etc/ etc/conf(120)  data/ data/.wh.big  .wh.cache  bin/ bin/tool(50, 0755)
const imageA: ImageSpec = {
  layers: [
    [
      dir('etc/'),
      file('etc/conf', 100),
      file('etc/keep', 10),
      dir('data/'),
      file('data/big', 1000),
      dir('cache/'),
      file('cache/a', 200),
      file('cache/b', 300),
      dir('bin/'),
      file('bin/tool', 50, 0o644),
    ],
    [
      dir('etc/'),
      file('etc/conf', 120),
      dir('data/'),
      whiteout('data/big'),
      whiteout('cache'),
      dir('bin/'),
      file('bin/tool', 50, 0o755),
    ],
  ],
};

test('image A: layer, image and user sizes', async () => {
  const a = await analyse(imageA);
  // layer 0 = 100 + 10 + 1000 + 200 + 300 + 50 = 1660 ; layer 1 = 120 + 0 + 0 + 50 = 170
  assert.deepEqual(
    a.image.layers.map((l) => l.size),
    [1660, 170],
  );
  assert.equal(a.dive.imageSize, 1830); // 1660 + 170
  assert.equal(a.dive.userSize, 170); // without layer 0
});

test('image A: dive wasted bytes, efficiency and inefficient paths', async () => {
  const a = await analyse(imageA);
  // Occurrences (leaves of each layer's own tree):
  //   etc/conf  L0:100 L1:120  -> inefficient, cumulative 220, min 100
  //   etc/keep  L0:10                                         min 10
  //   data/big  L0:1000 L1:0 (whiteout of a file = 0) -> inefficient, 1000, min 0
  //   cache/a   L0:200 ; cache/b L0:300
  //   cache     L1: whiteout of a directory = its stacked subtree = 200 + 300 = 500 (one occurrence: no waste)
  //   bin/tool  L0:50 L1:50 (chmod copy) -> inefficient, 100, min 50
  // wasted = 220 + 1000 + 100 = 1320
  assert.equal(a.dive.wastedBytes, 1320);
  assert.equal(a.dive.wastedUserPercent, 1320 / 170);
  // efficiency = sum(min) / sum(all)
  //   min: 100 + 10 + 0 + 200 + 300 + 500 + 50 = 1160
  //   all: 220 + 10 + 1000 + 200 + 300 + 500 + 100 = 2330
  assert.equal(a.dive.efficiency, 1160 / 2330);
  assert.deepEqual(ineff(a), [
    { path: 'data/big', occurrences: 2, bytes: 1000 },
    { path: 'etc/conf', occurrences: 2, bytes: 220 },
    { path: 'bin/tool', occurrences: 2, bytes: 100 },
  ]);
});

test('image A: reclaimable bytes per layer and in total', async () => {
  const a = await analyse(imageA);
  // layer 0 stores, not in the final fs: etc/conf 100 (overwritten) + data/big 1000 (deleted)
  //   + cache/a 200 + cache/b 300 (directory deleted) + bin/tool 50 (chmod copy) = 1650; layer 1: 0
  assert.deepEqual([...a.reclaimable.perLayer], [1650, 0]);
  assert.equal(a.reclaimable.totalBytes, 1650);
  const byPath = new Map(a.reclaimable.items.map((i) => [i.path, i]));
  assert.equal(byPath.get('etc/conf')?.reason, 'overwritten');
  assert.equal(byPath.get('bin/tool')?.reason, 'overwritten');
  assert.equal(byPath.get('data/big')?.reason, 'deleted');
  assert.equal(byPath.get('cache/a')?.reason, 'deleted');
  assert.equal(byPath.get('cache/b')?.bytes, 300);
  assert.equal(byPath.has('etc/keep'), false);
});

test('image A: change states per layer', async () => {
  const a = await analyse(imageA);
  assert.deepEqual(states(a, 'etc/conf'), ['added', 'modified']);
  assert.deepEqual(states(a, 'etc/keep'), ['added', 'unchanged']);
  assert.deepEqual(states(a, 'data/big'), ['added', 'removed']);
  assert.deepEqual(states(a, 'cache'), ['added', 'removed']);
  assert.deepEqual(states(a, 'cache/a'), ['added', 'removed']);
  assert.deepEqual(states(a, 'bin/tool'), ['added', 'modified']); // mode 0644 -> 0755, same bytes
});

test('image A: subtree sizes after each layer and of each layer', async () => {
  const a = await analyse(imageA);
  const id = (p: string) => node(a.tree, p).id;
  const s0 = subtreeSizesAt(a.tree, 0);
  assert.equal(s0[0], 1660); // everything of layer 0
  assert.equal(s0[id('etc')], 110); // 100 + 10
  assert.equal(s0[id('cache')], 500); // 200 + 300
  const s1 = subtreeSizesAt(a.tree, 1);
  assert.equal(s1[0], 180); // etc/conf 120 + etc/keep 10 + bin/tool 50
  assert.equal(s1[id('etc')], 130);
  assert.equal(s1[id('data')], 0);
  assert.equal(s1[id('cache')], 0);
  const own1 = layerSubtreeSizes(a.tree, 1);
  assert.equal(own1[0], 170); // what layer 1 wrote: 120 + 50
  assert.equal(own1[id('etc')], 120);
  assert.equal(own1[id('bin')], 50);
});

// ---------------------------------------------------------------------------------------------------------
// Image B: opaque dir with a child re-added in the same layer, a hard link whose target is later deleted,
// an empty directory re-emitted, `./x` and `/abs/y` names.
//
// layer 0: opt/ opt/old1(40) opt/old2(60) opt/sub/ opt/sub/deep(5) lib/ lib/real(700) lib/alias => lib/real (hard link)
//          empty/  ./x(7)  /abs/y(9)
// layer 1: opt/ opt/.wh..wh..opq opt/old1(45)  lib/ lib/.wh.real  empty/
const imageB: ImageSpec = {
  layers: [
    [
      dir('opt/'),
      file('opt/old1', 40),
      file('opt/old2', 60),
      dir('opt/sub/'),
      file('opt/sub/deep', 5),
      dir('lib/'),
      file('lib/real', 700),
      hardlink('lib/alias', 'lib/real'),
      dir('empty/'),
      file('./x', 7),
      file('/abs/y', 9),
    ],
    [dir('opt/'), opaque('opt'), file('opt/old1', 45), dir('lib/'), whiteout('lib/real'), dir('empty/')],
  ],
};

test('image B: sizes (hard link counts 0)', async () => {
  const a = await analyse(imageB);
  // layer 0 = 40 + 60 + 5 + 700 + 0 (hard link) + 7 + 9 = 821 ; layer 1 = 45
  assert.deepEqual(
    a.image.layers.map((l) => l.size),
    [821, 45],
  );
  assert.equal(a.dive.imageSize, 866);
  assert.equal(a.dive.userSize, 45);
});

test('image B: names ./x and /abs/y are normalised; /abs/y gives a warning', async () => {
  const a = await analyse(imageB);
  assert.ok(a.tree.byPath.has('x'));
  assert.ok(a.tree.byPath.has('abs/y'));
  assert.ok(a.tree.byPath.has('abs'));
  assert.ok(![...a.tree.byPath.keys()].some((p) => p.startsWith('.') || p.startsWith('/')));
  assert.ok(
    a.image.warnings.some((w) => w.code === 'unsafe-path' && w.layer === 0),
    JSON.stringify(a.image.warnings),
  );
});

test('image B: dive metrics (opaque marker ignored, empty dir is a 0-byte inefficiency)', async () => {
  const a = await analyse(imageB);
  // Occurrences:
  //   opt/old1 L0:40 L1:45 -> inefficient 85, min 40   (the opaque marker itself is ignored)
  //   opt/old2 L0:60 ; opt/sub/deep L0:5                 (hidden by the opaque dir: dive does not see it)
  //   lib/real L0:700 L1:0 (whiteout of a file) -> inefficient 700, min 0
  //   lib/alias L0:0 (hard link)
  //   empty    L0:0 L1:0 (leaf dir both times) -> inefficient 0, min 0
  //   x L0:7 ; abs/y L0:9
  // wasted = 85 + 700 + 0 = 785
  assert.equal(a.dive.wastedBytes, 785);
  assert.equal(a.dive.wastedUserPercent, 785 / 45);
  // min: 40 + 60 + 5 + 0 + 0 + 0 + 7 + 9 = 121 ; all: 85 + 60 + 5 + 700 + 0 + 0 + 7 + 9 = 866
  assert.equal(a.dive.efficiency, 121 / 866);
  assert.deepEqual(ineff(a), [
    { path: 'lib/real', occurrences: 2, bytes: 700 },
    { path: 'opt/old1', occurrences: 2, bytes: 85 },
    { path: 'empty', occurrences: 2, bytes: 0 },
  ]);
});

test('image B: reclaimable (opaque hides, hard-linked data stays live)', async () => {
  const a = await analyse(imageB);
  // layer 0: opt/old1 40 (replaced) + opt/old2 60 (hidden) + opt/sub/deep 5 (hidden) = 105;
  //          lib/real 700 is NOT reclaimable: lib/alias still links to its data.
  assert.deepEqual([...a.reclaimable.perLayer], [105, 0]);
  assert.equal(a.reclaimable.totalBytes, 105);
  const byPath = new Map(a.reclaimable.items.map((i) => [i.path, i]));
  assert.equal(byPath.get('opt/old2')?.reason, 'hidden');
  assert.equal(byPath.get('opt/sub/deep')?.reason, 'hidden');
  assert.equal(byPath.has('lib/real'), false);
});

test('image B: change states and subtree sizes (hard link counted once)', async () => {
  const a = await analyse(imageB);
  assert.deepEqual(states(a, 'opt/old1'), ['added', 'modified']); // hidden then re-added in the same layer
  assert.deepEqual(states(a, 'opt/old2'), ['added', 'removed']);
  assert.deepEqual(states(a, 'opt/sub'), ['added', 'removed']);
  assert.deepEqual(states(a, 'opt/sub/deep'), ['added', 'removed']);
  assert.deepEqual(states(a, 'lib/real'), ['added', 'removed']);
  assert.deepEqual(states(a, 'lib/alias'), ['added', 'unchanged']);
  const id = (p: string) => node(a.tree, p).id;
  const s0 = subtreeSizesAt(a.tree, 0);
  // after layer 0: 40 + 60 + 5 + 700 (real; alias shares it) + 7 + 9 = 821
  assert.equal(s0[0], 821);
  assert.equal(s0[id('lib')], 700);
  assert.equal(s0[id('opt')], 105);
  const s1 = subtreeSizesAt(a.tree, 1);
  // after layer 1: opt/old1 45 + lib/alias (carries real's 700) + x 7 + abs/y 9 = 761
  assert.equal(s1[0], 761);
  assert.equal(s1[id('lib')], 700);
  assert.equal(s1[id('opt')], 45);
  assert.equal(s1[id('abs')], 9);
});

// ---------------------------------------------------------------------------------------------------------
// Duplicate entries in one layer, and a `../escape` entry.

test('duplicate entries in one layer: last wins in the tree, both are stored', async () => {
  // layer 0: dup(30) dup(33) keep(1) ; layer 1: other(2)
  const a = await analyse({ layers: [[file('dup', 30), file('dup', 33), file('keep', 1)], [file('other', 2)]] });
  // layer size = tar-header sizes of all entries: 30 + 33 + 1 = 64
  assert.deepEqual(
    a.image.layers.map((l) => l.size),
    [64, 2],
  );
  assert.equal(a.tree.byPath.get('dup')?.versions.at(-1)?.entry?.size, 33);
  assert.ok(a.tree.warnings.some((w) => w.code === 'duplicate-entry' && w.path === 'dup'));
  // the first copy (30 bytes) is stored in layer 0 but not in the final filesystem
  assert.deepEqual([...a.reclaimable.perLayer], [30, 0]);
  assert.equal(subtreeSizesAt(a.tree, 1)[0], 36); // 33 + 1 + 2
});

test('duplicate entries in one layer: dive sees one occurrence with the LAST entry (its tree keeps the last)', async () => {
  // layer 0: dup(30) dup(33) keep(1) ; layer 1: dup(10)
  const a = await analyse({ layers: [[file('dup', 30), file('dup', 33), file('keep', 1)], [file('dup', 10)]] });
  // dive's tree holds one node per path, its FileInfo overwritten by the last tar entry: occurrences of dup are
  // L0:33 and L1:10 -> inefficient, cumulative 43, min 10 ; keep L0:1
  assert.deepEqual(ineff(a), [{ path: 'dup', occurrences: 2, bytes: 43 }]);
  assert.equal(a.dive.wastedBytes, 43);
  // efficiency = (10 + 1) / (43 + 1)
  assert.equal(a.dive.efficiency, 11 / 44);
});

test('a ../escape entry is reported and never in the tree', async () => {
  // layer 0: ok(5) ../escape(11) sub/../../up(3)
  const a = await analyse({ layers: [[file('ok', 5), file('../escape', 11), file('sub/../../up', 3)]] });
  const paths = [...a.tree.byPath.keys()];
  assert.ok(paths.includes('ok'));
  assert.ok(!paths.some((p) => p.includes('escape') || p.includes('up') || p.includes('..')), paths.join(','));
  const unsafe = a.image.warnings.filter((w) => w.code === 'unsafe-path');
  assert.ok(
    unsafe.some((w) => w.message.includes('../escape')),
    JSON.stringify(unsafe),
  );
  // slimtui ignores untrusted entries: only ok's 5 bytes are counted.
  assert.equal(a.image.layers[0]!.size, 5);
  assert.equal(subtreeSizesAt(a.tree, 0)[0], 5);
});

// ---------------------------------------------------------------------------------------------------------
// History alignment.

const threeLayers = [[file('a', 1)], [file('b', 2)], [file('c', 3)]];

test('history with empty_layer entries interleaved: commands line up with the layers', async () => {
  const a = await analyse({
    layers: threeLayers,
    history: [
      { created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
      { created_by: '/bin/sh -c #(nop)  ENV A=1', empty_layer: true },
      { created_by: '/bin/sh -c echo b > /b' },
      { created_by: '/bin/sh -c #(nop)  CMD ["/bin/sh"]', empty_layer: true },
      { created_by: '/bin/sh -c #(nop)  LABEL x=y', empty_layer: true },
      { created_by: '/bin/sh -c echo c > /c' },
      { created_by: '/bin/sh -c #(nop)  USER app', empty_layer: true },
    ],
  });
  assert.deepEqual(
    a.image.layers.map((l) => l.history?.createdBy),
    ['/bin/sh -c #(nop) ADD file:abc in / ', '/bin/sh -c echo b > /b', '/bin/sh -c echo c > /c'],
  );
  assert.equal(a.image.history.length, 7);
  assert.ok(!a.image.warnings.some((w) => w.code === 'history-mismatch'));
});

test('history missing: no commands, no crash', async () => {
  const a = await analyse({ layers: threeLayers, history: null });
  assert.equal(a.image.layers.length, 3);
  assert.deepEqual(
    a.image.layers.map((l) => l.history),
    [undefined, undefined, undefined],
  );
  assert.equal(a.dive.imageSize, 6); // 1 + 2 + 3
});

test('history count mismatch: no commands and a warning', async () => {
  const a = await analyse({
    layers: threeLayers,
    history: [{ created_by: 'one' }, { created_by: 'ENV', empty_layer: true }, { created_by: 'two' }],
  });
  assert.deepEqual(
    a.image.layers.map((l) => l.history),
    [undefined, undefined, undefined],
  );
  assert.ok(
    a.image.warnings.some((w) => w.code === 'history-mismatch'),
    JSON.stringify(a.image.warnings),
  );
});
