// Item 1 against the real thing: the archive docker < 25 writes for an image whose layer repeats (a symlink
// `<id>/layer.tar -> ../<id0>/layer.tar`, before or after its target) is accepted by `docker load` in the test
// daemon, and slimtui reads it as docker sees it: the layer count and diff_ids of `docker image inspect`, the
// per-layer sizes of `docker history`, and — saved again by this daemon — the same image from its own archive.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadImage } from '../../src/io/load-image.js';
import type { Image } from '../../src/model/image.js';
import { getTestDaemon, type TestDaemon } from '../helpers/docker-daemon.js';
import { legacyArchiveWithLinks } from '../helpers/legacy-archive.js';
import { AMD64 } from '../helpers/load.js';
import { makeTar } from '../helpers/make-archive.js';

let d: TestDaemon;
let dir: string;
before(async () => {
  d = await getTestDaemon();
  dir = mkdtempSync(join(tmpdir(), 'slimtui-legacy-links-'));
});
after(async () => {
  if (d) {
    for (const t of ['slimtui-test/aba:link-after', 'slimtui-test/aba:link-first'])
      await d.docker(['image', 'rm', '-f', t]).catch(() => undefined);
    await d.stop();
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const load = (p: string): Promise<Image> =>
  loadImage(
    { kind: 'docker-archive', location: p },
    { analysers: [], platform: AMD64, platformExplicit: false, verify: 'error' },
  );

test('docker load accepts the symlinked repeat layer; slimtui agrees with docker image inspect and docker history', async () => {
  const A = await makeTar([
    { name: 'app/', type: 'directory' },
    { name: 'app/a', size: 4096 },
    { name: 'app/shared', size: 1000 },
  ]);
  const B = await makeTar([{ name: 'app/b', size: 300 }]);
  for (const [tag, linkFirst] of [
    ['slimtui-test/aba:link-after', false],
    ['slimtui-test/aba:link-first', true],
  ] as const) {
    const p = join(dir, `${linkFirst}.tar`);
    writeFileSync(p, await legacyArchiveWithLinks([{ tag, layers: [A, B, A] }], { linkFirst }));
    await d.docker(['load', '-i', p]);
    const inspect = JSON.parse((await d.docker(['image', 'inspect', tag])).stdout) as {
      RootFS: { Layers: string[] };
    }[];
    const img = await load(p);
    assert.equal(img.layers.length, 3);
    assert.deepEqual(
      img.layers.map((l) => l.diffId),
      inspect[0]!.RootFS.Layers,
    );
    assert.equal(inspect[0]!.RootFS.Layers[0], inspect[0]!.RootFS.Layers[2]);
    // docker history: newest first, SIZE in bytes — the sum of the layer's file sizes, as slimtui's layer size.
    const sizes = (await d.docker(['history', '--human=false', '--no-trunc', '--format', '{{.Size}}', tag])).stdout
      .trim()
      .split('\n')
      .reverse()
      .map(Number);
    assert.deepEqual(
      img.layers.map((l) => l.size),
      sizes,
    );
    assert.deepEqual(sizes, [5096, 300, 5096]);
    // The daemon's own export of what it loaded: the same layers, sizes and entries.
    const again = join(dir, `${linkFirst}-saved.tar`);
    await d.docker(['save', '-o', again, tag]);
    const saved = await load(again);
    assert.deepEqual(
      saved.layers.map((l) => [l.diffId, l.size, l.entries.map((e) => e.path)]),
      img.layers.map((l) => [l.diffId, l.size, l.entries.map((e) => e.path)]),
    );
  }
});
