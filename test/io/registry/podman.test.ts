// Podman for real: a private `podman system service` (test/helpers/registry-podman.ts), an image built on the
// test daemon, saved with `docker save` and loaded with `podman load`, then read through podman:// — compared
// with the same archive read directly, and with podman's own image inspect.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../../src/model/analysis.js';
import type { Image } from '../../../src/model/image.js';
import { openImage } from '../../../src/io/load-image.js';
import { getTestDaemon, type TestDaemon } from '../../helpers/docker-daemon.js';
import { BUSYBOX_IMAGE, ensureBaseImages } from '../../helpers/base-images.js';
import { buildImage, saveImage } from '../../helpers/build-image.js';
import { AMD64, loadSpec } from '../../helpers/load.js';
import { runCli } from '../../helpers/cli.js';
import { startPodman, type TestPodman } from '../../helpers/registry-podman.js';

const TAG = 'slimtui-test/podman-app:latest';
let d: TestDaemon;
let p: TestPodman;
let work: string;
let viaSave: Image;

before(async () => {
  d = await getTestDaemon();
  await ensureBaseImages(d);
  work = await mkdtemp(join(tmpdir(), 'slimtui-podman-test-'));
  await buildImage(
    d,
    TAG,
    { 'app.conf': 'podman=yes\n' },
    [
      `FROM ${BUSYBOX_IMAGE}`,
      'COPY app.conf /etc/app.conf',
      'RUN rm /etc/app.conf && echo again > /etc/app2.conf',
      '',
    ].join('\n'),
  );
  const archive = join(work, 'saved.tar');
  await saveImage(d, TAG, archive);
  viaSave = await loadSpec({ kind: 'docker-archive', location: archive });
  p = await startPodman();
  await p.podman(['load', '-i', archive]);
});

after(async () => {
  if (p) await p.stop();
  if (work) await rm(work, { recursive: true, force: true });
  if (d) {
    await d.docker(['image', 'rm', '-f', TAG]).catch(() => undefined);
    await d.stop();
  }
});

const shape = (img: Image) => {
  const a = analyze(img);
  return {
    layers: img.layers.map((l) => ({
      size: l.size,
      diffId: l.diffId,
      entries: l.entries.map((e) => [e.path, e.kind, e.size, e.mode & 0o7777, e.uid, e.gid, e.linkTarget ?? null]),
    })),
    config: img.config,
    platform: img.platform,
    metrics: {
      image: a.dive.imageSize,
      wasted: a.dive.wastedBytes,
      eff: a.dive.efficiency,
      reclaim: a.reclaimable.totalBytes,
    },
  };
};

test('podman:// reads the loaded image as docker save has it, and podman agrees on its id and layers', async () => {
  const old = process.env['CONTAINER_HOST'];
  process.env['CONTAINER_HOST'] = p.containerHost;
  try {
    const loaded = await openImage(
      { kind: 'podman', location: TAG },
      { analysers: [], platform: AMD64, platformExplicit: false },
    );
    const img = loaded.image;
    assert.equal(img.source, 'podman');
    assert.deepEqual(shape(img), shape(viaSave));
    const inspect = JSON.parse(await p.podman(['image', 'inspect', TAG])) as {
      Id: string;
      RootFS: { Layers: string[] };
    }[];
    assert.equal(img.digest, `sha256:${inspect[0]!.Id.replace(/^sha256:/, '')}`);
    assert.deepEqual(
      img.layers.map((l) => l.diffId),
      inspect[0]!.RootFS.Layers,
    );
    // The preview re-reads podman's export.
    const layer = img.layers.findIndex((l) => l.entries.some((e) => e.path === 'etc/app2.conf'));
    assert.ok(loaded.preview);
    assert.equal(Buffer.from(await loaded.preview.read(layer, 'etc/app2.conf')).toString(), 'again\n');
  } finally {
    if (old === undefined) delete process.env['CONTAINER_HOST'];
    else process.env['CONTAINER_HOST'] = old;
  }
});

test('the CLI: podman://NAME through CONTAINER_HOST, and a missing image is one line', async () => {
  const ok = await runCli([`podman://${TAG}`, '--json'], { cwd: work, env: { CONTAINER_HOST: p.containerHost } });
  assert.equal(ok.code, 0, ok.stderr);
  const j = JSON.parse(ok.stdout) as { image: { source: string; id: string }; layers: unknown[] };
  assert.equal(j.image.source, 'podman');
  assert.equal(j.image.id, viaSave.digest);
  assert.equal(j.layers.length, viaSave.layers.length);
  const missing = await runCli(['podman://slimtui-test/not-there:1', '--json'], {
    cwd: work,
    env: { CONTAINER_HOST: p.containerHost },
  });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^slimtui: image not found in podman: slimtui-test\/not-there:1\n$/);
});
