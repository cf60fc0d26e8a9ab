/**
 * The ImageSource interface: random-access sources list their layer blobs without reading them, and parsing
 * those blobs in ANY order then joining them gives the same Image as the one pass; each blob's byte range is
 * exactly the member tar(1) extracts. The CLI's --json path never loads dockerode (engine sources only).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { assembleImage } from '../../src/io/assemble-image.js';
import { readLayer } from '../../src/io/layer-reader.js';
import { openSource, SOURCE_TABLE } from '../../src/io/sources/source-table.js';
import type { SourceSpec } from '../../src/io/sources/source-spec.js';
import {
  dockerArchiveLegacy,
  dockerArchiveOciStyle,
  ociArchive,
  ociLayoutDir,
  type ImageSpec,
} from '../helpers/make-archive.js';
import { AMD64 } from '../helpers/load.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'slimtui-image-source-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const spec: ImageSpec = {
  compression: 'gzip',
  layers: [
    [
      { name: 'a/', type: 'directory' },
      { name: 'a/x', content: 'x'.repeat(3000) },
    ],
    [
      { name: 'a/x', content: 'y'.repeat(10) },
      { name: 'b', content: 'bee' },
    ],
    [{ name: 'c', content: 'c'.repeat(70_000) }],
  ],
};

const opts = { analysers: [], platform: AMD64, platformExplicit: false };
const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function sameAsOnePass(s: SourceSpec, archive?: string): Promise<void> {
  const source = await openSource(s);
  const listing = await source.layerBlobs?.(opts);
  assert.ok(listing, `${s.kind}: no listing`);
  const loaded = await source.load(opts);
  assert.equal(listing.layers.length, loaded.image.layers.length);
  // Parse the blobs last to first: the order must not matter.
  const parsed = [];
  for (const l of [...listing.layers].reverse())
    parsed.unshift({
      parsed: await readLayer(l.open(), { what: l.name, analysers: [] }),
      ...(l.digest ? { digest: l.digest } : {}),
    });
  const joined = assembleImage({
    reference: s.location,
    source: listing.source,
    configBytes: listing.configBytes,
    layers: parsed,
    repoTags: listing.repoTags,
    warnings: listing.warnings,
  });
  assert.deepEqual(joined, loaded.image, s.kind);
  for (const l of listing.layers) {
    const at = l.at!;
    const bytes = readFileSync(at.file).subarray(at.start, at.end);
    assert.equal(bytes.length, l.size);
    // Independently: the member as tar(1) extracts it from the outer archive, or the blob file itself.
    const want = archive
      ? execFileSync('tar', ['-xOf', archive, l.name], { maxBuffer: 1 << 26 })
      : readFileSync(join(s.location, l.name));
    assert.equal(digest(bytes), digest(want), `${s.kind}: ${l.name}`);
    if (l.digest) assert.equal(l.digest, `sha256:${digest(want)}`);
  }
}

for (const [name, make, kind] of [
  ['docker-save legacy', dockerArchiveLegacy, 'docker-archive'],
  ['docker-save Docker >= 25 layout', dockerArchiveOciStyle, 'docker-archive'],
  ['OCI archive', (s: ImageSpec) => ociArchive(s), 'oci-archive'],
] as const) {
  test(`layerBlobs: ${name} lists its blobs by byte range; parsed in any order they give the one pass's Image`, async () => {
    const p = join(dir, `${name.replace(/\W+/g, '-')}.tar`);
    writeFileSync(p, await make(spec));
    await sameAsOnePass({ kind, location: p }, p);
  });
}

test('layerBlobs: the demo archive (docker save legacy, 4 layers)', async () => {
  const p = join(process.cwd(), 'demo/demo-image.tar');
  await sameAsOnePass({ kind: 'docker-archive', location: p }, p);
});

test('layerBlobs: OCI layout directory', async () => {
  const p = join(dir, 'layout');
  await ociLayoutDir(p, spec);
  await sameAsOnePass({ kind: 'oci-dir', location: p });
});

test('layerBlobs: a gzip-compressed outer archive has no random access (undefined), but loads', async () => {
  const p = join(dir, 'legacy.tar.gz');
  writeFileSync(p, gzipSync(await dockerArchiveLegacy(spec)));
  const source = await openSource({ kind: 'docker-archive', location: p });
  assert.equal(await source.layerBlobs?.(opts), undefined);
  assert.equal((await source.load(opts)).image.layers.length, 3);
});

test('every table row opens a source of its own kind, and only engine rows carry prefixes of engines', async () => {
  for (const row of SOURCE_TABLE) {
    const s = await row.open({ kind: row.kind, location: '/nonexistent' });
    assert.equal(s.kind, row.kind);
    assert.equal(typeof s.load, 'function');
  }
});

test('--json on an archive never loads dockerode (it loads only for engine sources)', () => {
  const probe = join(dir, 'probe.mjs');
  writeFileSync(
    probe,
    `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
process.on('exit', () => process.stderr.write('\\nDOCKERODE=' + Object.keys(require.cache).filter((k) => /[\\\\/]node_modules[\\\\/](dockerode|docker-modem|ssh2)[\\\\/]/.test(k)).length + '\\n'));
`,
  );
  const main = join(process.cwd(), '.build/src/cli/main.js');
  const r = spawnSync(process.execPath, ['--import', probe, main, 'demo/demo-image.tar', '--json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /DOCKERODE=0\n/);
  // The probe itself works: an engine source does load it (the daemon need not exist: the error comes after).
  const e = spawnSync(process.execPath, ['--import', probe, main, 'docker://nope:1', '--json'], {
    encoding: 'utf8',
    env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent.sock' },
  });
  assert.match(e.stderr, /DOCKERODE=[1-9]\d*\n/);
});
