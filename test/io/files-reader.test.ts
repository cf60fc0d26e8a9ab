/**
 * A source's readFiles port: the whole bytes of several files, in one pass over each kind of source (docker-save legacy
 * and Docker >= 25 layouts, OCI archive, OCI layout dir, rootfs dir), held in memory up to a cap and spooled
 * beyond it. Expected bytes are the ones written into the fixtures.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WantedFile } from '../../src/model/ports.js';
import type { LoadedImage } from '../../src/io/load-image.js';
import type { SourceSpec } from '../../src/io/sources/source-spec.js';
import {
  dockerArchiveLegacy,
  dockerArchiveOciStyle,
  haveZstd,
  ociArchive,
  ociLayoutDir,
  type Compression,
  type ImageSpec,
} from '../helpers/make-archive.js';
import { openSpec } from '../helpers/load.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'slimtui-files-reader-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const X0 = randomBytes(300_000);
const Y0 = randomBytes(10_000);
const X1 = randomBytes(200_000);
const Z_OLD = randomBytes(1_000);
const Z1 = randomBytes(50_000);

const spec = (compression: Compression): ImageSpec => ({
  compression,
  layers: [
    [
      { name: 'a/', type: 'directory' },
      { name: 'a/x', content: X0, mode: 0o755 },
      { name: 'a/y', content: Y0 },
    ],
    // b/z twice in one layer: the last one wins, as in the engine.
    [
      { name: 'a/x', content: X1 },
      { name: 'b/z', content: Z_OLD },
      { name: './b/z', content: Z1 },
      { name: 'b/link', type: 'symlink', linkname: 'z' },
    ],
  ],
});

const WANTED: WantedFile[] = [
  { layer: 0, path: 'a/x' },
  { layer: 1, path: 'a/x' },
  { layer: 1, path: 'b/z' },
  { layer: 0, path: 'a/y' },
  { layer: 1, path: 'nope' },
  { layer: 1, path: 'b/link' },
];
const EXPECT: [number, string, Buffer][] = [
  [0, 'a/x', X0],
  [1, 'a/x', X1],
  [1, 'b/z', Z1],
  [0, 'a/y', Y0],
];

async function check(s: SourceSpec, loaded: LoadedImage, expect = EXPECT, wanted = WANTED): Promise<void> {
  const before = readdirSync(tmpdir()).filter((n) => n.startsWith('slimtui-spool-')).length;
  let progress = 0;
  // A cap below the files' total: the first ones stay in memory, the rest are spooled.
  const set = await loaded.readFiles?.(wanted, { memoryCap: 320_000, onProgress: (b) => (progress = b) });
  assert.ok(set, `${s.kind}: no file set`);
  try {
    for (const [layer, path, bytes] of expect) {
      const src = set.get(layer, path);
      assert.ok(src, `${s.kind}: ${layer}:${path} missing`);
      assert.equal(src.size, bytes.length, `${s.kind}: ${layer}:${path} size`);
      assert.ok(Buffer.from(src.read(0, src.size)).equals(bytes), `${s.kind}: ${layer}:${path} bytes`);
      assert.ok(
        Buffer.from(src.read(1000, 77)).equals(bytes.subarray(1000, 1077)),
        `${s.kind}: ${layer}:${path} positioned read`,
      );
    }
    const found = new Set(expect.map(([l, p]) => `${l}:${p}`));
    assert.deepEqual(
      set.missing.map((w) => `${w.layer}:${w.path}`),
      wanted.filter((w) => !found.has(`${w.layer}:${w.path}`)).map((w) => `${w.layer}:${w.path}`),
    );
    assert.ok(set.memoryBytes <= 320_000, `${s.kind}: ${set.memoryBytes} bytes in memory`);
    assert.ok(set.spooledBytes > 0, `${s.kind}: nothing spooled`);
    assert.ok(progress > 0, `${s.kind}: no progress`);
    // The spool file is unlinked at once: no new name in the temp dir.
    assert.equal(readdirSync(tmpdir()).filter((n) => n.startsWith('slimtui-spool-')).length, before);
  } finally {
    set.close();
  }
}

for (const [name, make, compression] of [
  ['docker-save legacy, uncompressed', dockerArchiveLegacy, 'none'],
  ['docker-save legacy, gzip', dockerArchiveLegacy, 'gzip'],
  ['docker-save Docker >= 25 layout, gzip', dockerArchiveOciStyle, 'gzip'],
  ['OCI archive, gzip', (s: ImageSpec) => ociArchive(s), 'gzip'],
  ['OCI archive, zstd', (s: ImageSpec) => ociArchive(s), 'zstd'],
] as const) {
  test(`readFiles: ${name}`, async () => {
    // A missing tool is a failure, never a silent skip.
    if (compression === 'zstd') assert.ok(haveZstd(), 'the zstd CLI is needed for this test (apt-get install zstd)');
    const p = join(dir, `${name.replace(/\W+/g, '-')}.tar`);
    writeFileSync(p, await make(spec(compression)));
    const s: SourceSpec = { kind: name.startsWith('OCI') ? 'oci-archive' : 'docker-archive', location: p };
    await check(s, await openSpec(s));
  });
}

test('readFiles: OCI layout directory (only the blobs of the layers concerned)', async () => {
  const p = join(dir, 'oci-layout');
  await ociLayoutDir(p, spec('gzip'));
  const s: SourceSpec = { kind: 'oci-dir', location: p };
  await check(s, await openSpec(s));
});

test('readFiles: rootfs dir (no symlink followed, nothing outside the folder)', async () => {
  const root = join(dir, 'rootfs');
  mkdirSync(join(root, 'a'), { recursive: true });
  mkdirSync(join(root, 'b'));
  writeFileSync(join(root, 'a', 'x'), X0);
  writeFileSync(join(root, 'a', 'y'), Y0);
  writeFileSync(join(root, 'b', 'z'), Z1);
  writeFileSync(join(dir, 'outside'), 'secret');
  const { symlinkSync } = await import('node:fs');
  symlinkSync('z', join(root, 'b', 'link'));
  symlinkSync(dir, join(root, 'up'));
  const s: SourceSpec = { kind: 'dir', location: root };
  const image = await openSpec(s);
  const wanted: WantedFile[] = [
    { layer: 0, path: 'a/x' },
    { layer: 0, path: 'a/y' },
    { layer: 0, path: 'b/z' },
    { layer: 0, path: 'b/link' },
    { layer: 0, path: 'up/outside' },
    { layer: 0, path: '../outside' },
  ];
  await check(
    s,
    image,
    [
      [0, 'a/x', X0],
      [0, 'a/y', Y0],
      [0, 'b/z', Z1],
    ],
    wanted,
  );
});

test('readFiles: standard input cannot be read twice', async () => {
  // The port is absent for `-`: the loaded image of a stdin source has no readFiles.
  const { spawnSync } = await import('node:child_process');
  const { readFileSync } = await import('node:fs');
  const r = spawnSync(
    process.execPath,
    [
      '-e',
      `import('${join(process.cwd(), '.build/src/io/load-image.js')}').then(async (m) => { const l = await m.openImage({ kind: 'docker-archive', location: '-' }, { analysers: [], platform: { os: 'linux', architecture: 'amd64' }, platformExplicit: false }); process.stdout.write(String(l.readFiles === undefined && l.preview === undefined)); })`,
    ],
    { input: readFileSync(join(process.cwd(), 'demo/demo-image.tar')), encoding: 'utf8' },
  );
  assert.equal(r.stdout, 'true', r.stderr);
});
