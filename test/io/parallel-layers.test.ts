// Layers parsed on worker threads (io/parallel-layers.ts) give the very Image the one-thread read gives —
// entries, sizes, digests, ELF facts, text facts and the gzip estimate — on the demo image (real ELF files),
// gzip and zstd OCI layouts, and a corrupt layer fails the same way. The one-thread read is the reference
// (its numbers are checked against tar, sha256sum, readelf and dive in the other tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadImage } from '../../src/io/load-image.js';
import { createSha256Analyser } from '../../src/io/sha256-analyser.js';
import { elfAnalyser } from '../../src/io/elf-analyser.js';
import { textAnalyser } from '../../src/io/text-analyser.js';
import { gzipEstimateTap } from '../../src/io/gzip-estimate-tap.js';
import type { SourceSpec } from '../../src/io/sources/source-spec.js';
import type { Image } from '../../src/model/image.js';
import { dir, file, ociLayoutDir, symlink, whiteout } from '../helpers/make-archive.js';
import { workerLayerCount } from '../../src/io/parallel-layers.js';

const demo = fileURLToPath(new URL('../../../demo/demo-image.tar', import.meta.url));

async function load(spec: SourceSpec, parallel: 'off' | 'force'): Promise<Image> {
  const before = process.env['SLIMTUI_PARALLEL'];
  process.env['SLIMTUI_PARALLEL'] = parallel;
  // Small batches, so that layers here go over several messages from the worker.
  process.env['SLIMTUI_PARALLEL_BATCH'] = '2';
  try {
    return await loadImage(spec, {
      analysers: [createSha256Analyser(), elfAnalyser, textAnalyser],
      taps: [gzipEstimateTap()],
      platform: { os: 'linux', architecture: 'amd64' },
      platformExplicit: false,
    });
  } finally {
    delete process.env['SLIMTUI_PARALLEL_BATCH'];
    if (before === undefined) delete process.env['SLIMTUI_PARALLEL'];
    else process.env['SLIMTUI_PARALLEL'] = before;
  }
}

test('demo image (real ELF files): workers give the same Image as one thread', async () => {
  const spec: SourceSpec = { kind: 'docker-archive', location: demo };
  const one = await load(spec, 'off');
  const before = workerLayerCount();
  const par = await load(spec, 'force');
  assert.equal(workerLayerCount() - before, par.layers.length, 'every layer was read on a worker');
  assert.ok(
    one.layers.some((l) => l.entries.some((e) => e.facts?.['elf'])),
    'the demo has ELF facts to compare',
  );
  assert.ok(one.layers.some((l) => l.entries.some((e) => typeof e.facts?.sha256 === 'string')));
  assert.deepEqual(par, one);
});

for (const compression of ['gzip', 'zstd'] as const) {
  test(`OCI layout, ${compression} layers: workers give the same Image as one thread`, async () => {
    const d = await mkdtemp(join(tmpdir(), 'slimtui-par-'));
    try {
      await ociLayoutDir(d, {
        compression,
        layers: [
          [
            dir('etc/'),
            file('etc/a', 1000),
            file('etc/b', 20),
            symlink('etc/c', 'a'),
            dir('usr/'),
            file('usr/x', 70_000),
          ],
          [dir('etc/'), whiteout('etc/a'), file('etc/b', 30)],
          [dir('opt/'), file('opt/big', 300_000)],
        ],
      });
      const spec: SourceSpec = { kind: 'oci-dir', location: d };
      const one = await load(spec, 'off');
      const before = workerLayerCount();
      const par = await load(spec, 'force');
      assert.equal(workerLayerCount() - before, 3, 'every layer was read on a worker');
      assert.equal(one.layers[0]!.compression, compression);
      assert.deepEqual(par, one);
      assert.deepEqual(
        par.layers.map((l) => l.entries.length),
        [6, 3, 2],
      );
    } finally {
      await rm(d, { recursive: true, force: true });
    }
  });
}

test('a corrupt layer read on a worker fails with the same message', async () => {
  const d = await mkdtemp(join(tmpdir(), 'slimtui-par-'));
  try {
    const good = [file('a', 10)];
    await ociLayoutDir(d, {
      compression: 'gzip',
      layers: [good, { raw: Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(600, 7)]) }],
    });
    const spec: SourceSpec = { kind: 'oci-dir', location: d };
    const one = await load(spec, 'off').then(
      () => 'loaded',
      (e: Error) => e.message,
    );
    const par = await load(spec, 'force').then(
      () => 'loaded',
      (e: Error) => e.message,
    );
    assert.notEqual(one, 'loaded');
    assert.equal(par, one);
  } finally {
    await rm(d, { recursive: true, force: true });
  }
});
