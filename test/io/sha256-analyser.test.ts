// Content digests: every digest must equal sha256sum of the
// file's bytes as `tar -xO` extracts them, for small files, files spanning many chunks, and empty ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadImage } from '../../src/io/load-image.js';
import { createSha256Analyser } from '../../src/io/sha256-analyser.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test('worker digests equal sha256 of the extracted bytes (demo image and a multi-batch file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slimtui-sha-'));
  try {
    // A one-layer docker-archive made with the tar CLI: a 9 MiB file (3 batches), small files, an empty one.
    const root = join(dir, 'rootfs');
    mkdirSync(join(root, 'data'), { recursive: true });
    let seed = 7;
    const big = Buffer.alloc(9 * 1024 * 1024 + 123);
    for (let i = 0; i < big.length; i++) big[i] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16;
    writeFileSync(join(root, 'data', 'big.bin'), big);
    for (let i = 0; i < 50; i++) writeFileSync(join(root, 'data', `small-${i}.txt`), `file ${i}\n`.repeat(i + 1));
    writeFileSync(join(root, 'data', 'empty'), '');
    const image = await loadImage(
      { kind: 'dir', location: root },
      {
        analysers: [createSha256Analyser()],
        platform: { os: 'linux', architecture: 'amd64' },
        platformExplicit: false,
      },
    );
    const files = image.layers[0]!.entries.filter((e) => e.kind === 'file');
    assert.equal(files.length, 52);
    for (const e of files) {
      const expected =
        e.size > 0
          ? execFileSync('sha256sum', [join(root, e.path)])
              .toString()
              .split(' ')[0]
          : undefined;
      assert.equal(e.facts?.['sha256'], expected, e.path);
    }

    const demo = join(process.cwd(), 'demo', 'demo-image.tar');
    const img = await loadImage(
      { kind: 'docker-archive', location: demo },
      {
        analysers: [createSha256Analyser()],
        platform: { os: 'linux', architecture: 'amd64' },
        platformExplicit: false,
      },
    );
    const manifest = JSON.parse(execFileSync('tar', ['-xOf', demo, 'manifest.json']).toString()) as [
      { Layers: string[] },
    ];
    let checked = 0;
    for (const [i, layerPath] of manifest[0].Layers.entries()) {
      const layerTar = join(dir, `layer-${i}.tar`);
      writeFileSync(layerTar, execFileSync('tar', ['-xOf', demo, layerPath], { maxBuffer: 1 << 28 }));
      for (const e of img.layers[i]!.entries) {
        if (e.kind !== 'file' || e.size === 0) continue;
        const bytes = execFileSync('tar', ['-xOf', layerTar, e.path], { maxBuffer: 1 << 28 });
        assert.equal(e.facts?.['sha256'], sha(bytes), `${e.path} in layer ${i}`);
        checked++;
      }
    }
    assert.ok(checked > 40, `checked ${checked} demo files`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
