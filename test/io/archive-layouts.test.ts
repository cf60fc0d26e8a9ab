// One hand-made image written in every layout slimtui reads (legacy docker-save with manifest.json last,
// Docker >= 25 docker-save, OCI archive, OCI layout dir, nested multi-platform index) and with every layer
// compression (none, gzip, zstd): each must give the same layers, entries, sizes and metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/model/analysis.js';
import type { Image } from '../../src/model/image.js';
import {
  buildImageParts,
  dir,
  dockerArchiveLegacy,
  dockerArchiveOciStyle,
  file,
  hardlink,
  haveZstd,
  makeTar,
  ociArchive,
  ociLayoutDir,
  opaque,
  symlink,
  whiteout,
  type Compression,
  type ImageSpec,
} from '../helpers/make-archive.js';
import { AMD64, loadBuffer, loadSpec } from '../helpers/load.js';

const layers = [
  [
    dir('etc/'),
    file('etc/conf', 100),
    file('etc/keep', 10),
    dir('cache/'),
    file('cache/a', 200),
    dir('lib/'),
    file('lib/real', 70),
    hardlink('lib/alias', 'lib/real'),
    symlink('lib/sym', 'real'),
  ],
  [dir('etc/'), file('etc/conf', 120), whiteout('cache'), dir('opt/'), opaque('opt'), file('opt/new', 5)],
] as const;

const spec = (compression: Compression, extra: Partial<ImageSpec> = {}): ImageSpec => ({
  layers: layers.map((l) => [...l]),
  compression,
  ...extra,
});

const summary = (img: Image) => {
  const a = analyze(img);
  return {
    layers: img.layers.map((l) => ({
      size: l.size,
      tarSize: l.tarSize,
      diffId: l.diffId,
      command: l.history?.createdBy,
      entries: l.entries.map((e) => [e.path, e.kind, e.size, e.mode & 0o7777, e.linkTarget ?? null]),
    })),
    config: img.config,
    platform: img.platform,
    metrics: [
      a.dive.imageSize,
      a.dive.userSize,
      a.dive.wastedBytes,
      a.dive.efficiency,
      a.reclaimable.totalBytes,
      [...a.reclaimable.perLayer],
    ],
  };
};

test('legacy docker-save has manifest.json as its last member (as written by the helper)', async () => {
  const names = execFileSync('tar', ['-tf', '-'], { input: await dockerArchiveLegacy(spec('none')) })
    .toString()
    .trim()
    .split('\n');
  assert.equal(names.at(-1), 'manifest.json');
});

test('every layout and compression gives the same image', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'slimtui-layouts-'));
  try {
    const ref = summary(await loadBuffer(await dockerArchiveLegacy(spec('none')), 'docker-archive'));
    // hand check of the reference: layer 0 = 100 + 10 + 200 + 70 + 0 (hard link) + 0 (symlink: header size 0) = 380 ; layer 1 = 120 + 5 = 125
    assert.deepEqual(
      ref.layers.map((l) => l.size),
      [380, 125],
    );
    assert.deepEqual(
      ref.layers.map((l) => l.command),
      ['layer 0', 'layer 1'],
    );
    const comps: Compression[] = haveZstd() ? ['none', 'gzip', 'zstd'] : ['none', 'gzip'];
    assert.ok(comps.includes('zstd'), 'the zstd CLI is needed for these tests (apt-get install zstd)');
    for (const c of comps) {
      const variants: [string, Image][] = [
        [`legacy ${c}`, await loadBuffer(await dockerArchiveLegacy(spec(c)), 'docker-archive')],
        [`docker25 ${c}`, await loadBuffer(await dockerArchiveOciStyle(spec(c)), 'docker-archive')],
        [`oci-archive ${c}`, await loadBuffer(await ociArchive(spec(c)), 'oci-archive')],
        [
          `oci-archive index-last ${c}`,
          await loadBuffer(await ociArchive(spec(c), { indexLast: true }), 'oci-archive'),
        ],
        [
          `oci-archive nested ${c}`,
          await loadBuffer(
            await ociArchive([spec(c, { architecture: 'arm64', variant: 'v8' }), spec(c)], { nested: true }),
            'oci-archive',
          ),
        ],
      ];
      const d = join(tmp, `oci-${c}`);
      await ociLayoutDir(d, spec(c));
      variants.push([`oci-dir ${c}`, await loadSpec({ kind: 'oci-dir', location: d })]);
      for (const [name, img] of variants) {
        assert.deepEqual(summary(img), ref, name);
        for (const l of img.layers) assert.equal(l.compression, c, `${name} layer ${l.index}`);
      }
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('compressed layers: compressedSize is the blob size, tarSize the uncompressed tar size', async () => {
  for (const c of ['gzip', 'zstd'] as const) {
    const parts = await buildImageParts(spec(c));
    const img = await loadBuffer(await ociArchive(spec(c)), 'oci-archive');
    assert.deepEqual(
      img.layers.map((l) => l.compressedSize),
      parts.blobs.map((b) => b.length),
      c,
    );
    assert.deepEqual(
      img.layers.map((l) => l.tarSize),
      parts.tars.map((t) => t.length),
      c,
    );
    assert.deepEqual(
      img.layers.map((l) => l.digest),
      parts.blobs.map((b) => `sha256:${execFileSync('sha256sum', { input: b }).toString().slice(0, 64)}`),
      c,
    );
  }
});

test('a multi-platform index: the host platform by default, --platform picks another', async () => {
  const arm = spec('gzip', { architecture: 'arm64', variant: 'v8', layers: [[file('arm-only', 3)]] });
  const amd = spec('gzip', { layers: [[file('amd-only', 4)]] });
  const archive = await ociArchive([arm, amd], { nested: true });
  const host = await loadBuffer(archive, 'oci-archive', AMD64, false);
  assert.deepEqual(
    host.layers[0]!.entries.map((e) => e.path),
    ['amd-only'],
  );
  assert.equal(host.platform.architecture, 'amd64');
  const other = await loadBuffer(archive, 'oci-archive', { os: 'linux', architecture: 'arm64' }, true);
  assert.deepEqual(
    other.layers[0]!.entries.map((e) => e.path),
    ['arm-only'],
  );
  assert.equal(other.platform.architecture, 'arm64');
  await assert.rejects(
    loadBuffer(archive, 'oci-archive', { os: 'linux', architecture: 's390x' }, true),
    /no image for platform linux\/s390x.*linux\/arm64.*linux\/amd64/,
  );
});

test('a tar with a raw layer tar directly (no image metadata) is not an image', async () => {
  await assert.rejects(loadBuffer(await makeTar([file('a', 1)]), 'docker-archive'), /not a container image/);
});
