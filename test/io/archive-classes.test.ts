/**
 * Archive classes of issue 10 (items 1, 2, 3, 7), each on a fixture built here, with expected values by hand:
 * legacy docker's symlinked repeat layers (symlink after or before its target), the same blob listed twice,
 * tag selection, and integrity checks (every digest checked by default as a warning, an error with --verify; zstd
 * skippable frames).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { analyze } from '../../src/model/analysis.js';
import type { Image } from '../../src/model/image.js';
import { loadImage } from '../../src/io/load-image.js';
import { parseSourceArg } from '../../src/io/sources/source-spec.js';
import { classifyPath } from '../../src/io/load-image.js';
import { legacyArchiveWithLinks } from '../helpers/legacy-archive.js';
import { haveZstd, makeTar, ociArchive, ociLayoutDir, sha256, type ImageSpec } from '../helpers/make-archive.js';
import { AMD64 } from '../helpers/load.js';
import { runCli } from '../helpers/cli.js';

let dir = '';
let A: Buffer;
let B: Buffer;
let C: Buffer;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'slimtui-archive-classes-'));
  A = await makeTar([
    { name: 'app/', type: 'directory' },
    { name: 'app/a', size: 100 },
    { name: 'app/shared', size: 50 },
  ]);
  B = await makeTar([{ name: 'app/b', size: 10 }]);
  C = await makeTar([{ name: 'etc/c', size: 7 }]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, bytes: Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};
const load = (
  location: string,
  kind: 'docker-archive' | 'oci-archive' | 'oci-dir' = 'docker-archive',
  verify?: 'error',
  tag?: string,
): Promise<Image> =>
  loadImage(
    { kind, location, ...(tag ? { tag } : {}) },
    { analysers: [], platform: AMD64, platformExplicit: false, ...(verify ? { verify } : {}) },
  );

/** The numbers of the image [A, B, A], by hand: A = app/a 100 + app/shared 50; B = app/b 10. */
function checkABA(img: Image, what: string): void {
  assert.deepEqual(
    img.layers.map((l) => l.size),
    [150, 10, 150],
    what,
  );
  assert.deepEqual(
    img.layers.map((l) => l.entries.map((e) => e.path)),
    [['app', 'app/a', 'app/shared'], ['app/b'], ['app', 'app/a', 'app/shared']],
    what,
  );
  const a = analyze(img);
  // Layer 0's two files are overwritten by layer 2's copies: 100 + 50 reclaimable, nothing else.
  assert.equal(a.reclaimable.totalBytes, 150, what);
  assert.deepEqual([...a.reclaimable.perLayer], [150, 0, 0], what);
  assert.deepEqual(
    a.reclaimable.items.map((i) => [i.path, i.layer, i.bytes]).sort(),
    [
      ['app/a', 0, 100],
      ['app/shared', 0, 50],
    ],
    what,
  );
  // dive counts every copy of a path seen more than once: app/a 2 × 100, app/shared 2 × 50.
  const ineff = new Map(a.dive.inefficientPaths.map((p) => [p.path, p.bytes]));
  assert.equal(ineff.get('app/a'), 200, what);
  assert.equal(ineff.get('app/shared'), 100, what);
}

test('item 1: docker < 25 symlinks a repeated layer (../<id0>/layer.tar); after or before its target, one image', async () => {
  for (const linkFirst of [false, true]) {
    const archive = await legacyArchiveWithLinks([{ tag: 'x/aba:1', layers: [A, B, A] }], { linkFirst });
    // The fixture really holds a symlink, and it comes where the test says (tar(1) lists the entries in order).
    const listing = execFileSync('tar', ['-tvf', write(`aba-${linkFirst}.tar`, archive)], { encoding: 'utf8' }).split(
      '\n',
    );
    const link = listing.findIndex((l) => l.startsWith('l') && l.includes('layer.tar -> ../'));
    const files = listing
      .map((l, i) => [l, i] as const)
      .filter(([l]) => l.startsWith('-') && l.endsWith('/layer.tar'))
      .map(([, i]) => i);
    assert.ok(link >= 0 && files.length === 2, listing.join('\n'));
    assert.equal(linkFirst ? link < Math.min(...files) : link > Math.min(...files), true);
    const img = await load(join(dir, `aba-${linkFirst}.tar`));
    checkABA(img, `linkFirst=${linkFirst}`);
    // Every diff_id is checked against the bytes (an error with --verify): both positions of A hash to sha256(A).
    const verified = await load(join(dir, `aba-${linkFirst}.tar`), 'docker-archive', 'error');
    assert.deepEqual(
      verified.layers.map((l) => l.diffId),
      [A, B, A].map((t) => `sha256:${sha256(t)}`),
    );
  }
});

test('item 1: across images (a shared top layer under another parent is a symlink), with the tag picking each', async () => {
  const p = write(
    'two.tar',
    await legacyArchiveWithLinks(
      [
        { tag: 'x/one:1', layers: [A, C] },
        { tag: 'x/two:2', layers: [B, C] },
      ],
      { linkFirst: true },
    ),
  );
  const one = await load(p, 'docker-archive', 'error', 'x/one:1');
  const two = await load(p, 'docker-archive', 'error', 'x/two:2');
  assert.deepEqual(
    one.layers.map((l) => l.entries.map((e) => e.path)),
    [['app', 'app/a', 'app/shared'], ['etc/c']],
  );
  assert.deepEqual(
    two.layers.map((l) => l.entries.map((e) => e.path)),
    [['app/b'], ['etc/c']],
  );
  assert.deepEqual(two.repoTags, ['x/two:2']);
});

test('item 2: the same blob listed twice in a manifest: each position is its own layer (all sources agree)', async () => {
  const spec: ImageSpec = { layers: [{ raw: A }, { raw: B }, { raw: A }], compression: 'none' };
  // docker-archive: manifest.json names one layer.tar twice (no symlink at all).
  const legacy = await legacyArchiveWithLinks([{ tag: 'x/aba:1', layers: [A, B] }]);
  const manifest = JSON.parse(
    execFileSync('tar', ['-xOf', write('dup-base.tar', legacy), 'manifest.json'], { encoding: 'utf8' }),
  ) as { Config: string; RepoTags: string[]; Layers: string[] }[];
  const dupLayers = [manifest[0]!.Layers[0]!, manifest[0]!.Layers[1]!, manifest[0]!.Layers[0]!];
  // The config must list three diff ids for three positions.
  const cfg = JSON.parse(
    execFileSync('tar', ['-xOf', join(dir, 'dup-base.tar'), manifest[0]!.Config], { encoding: 'utf8' }),
  ) as { rootfs: { diff_ids: string[] } };
  cfg.rootfs.diff_ids = [A, B, A].map((t) => `sha256:${sha256(t)}`);
  const cfgBytes = Buffer.from(JSON.stringify(cfg));
  const dupArchive = await legacyArchiveWithLinks([{ tag: 'x/aba:1', layers: [A, B] }], {
    manifest: [{ Config: `${sha256(cfgBytes)}.json`, RepoTags: ['x/aba:1'], Layers: dupLayers }],
  });
  const withCfg = await makeTarAppend(dupArchive, `${sha256(cfgBytes)}.json`, cfgBytes);
  checkABA(await load(write('dup-docker.tar', withCfg), 'docker-archive', 'error'), 'docker-archive');
  checkABA(await load(write('dup-oci.tar', await ociArchive(spec)), 'oci-archive', 'error'), 'oci-archive');
  await ociLayoutDir(join(dir, 'dup-oci-dir'), spec);
  checkABA(await load(join(dir, 'dup-oci-dir'), 'oci-dir', 'error'), 'oci-dir');
});

/** Re-packs a tar with one more file (tar-stream output is plain ustar: drop the two zero blocks, append). */
async function makeTarAppend(tar: Buffer, name: string, content: Buffer): Promise<Buffer> {
  const extra = await makeTar([{ name, content }]);
  let end = tar.length;
  while (end >= 512 && tar.subarray(end - 512, end).every((b) => b === 0)) end -= 512;
  return Buffer.concat([tar.subarray(0, end), extra]);
}

test('item 3: tags — several images warn naming the one shown; FILE:name:tag selects; an unknown tag is exit 2 naming the tags', async () => {
  const p = write(
    'tags.tar',
    await legacyArchiveWithLinks([
      { tag: 'x/one:1', layers: [A, C] },
      { tag: 'x/two:2', layers: [B, C] },
    ]),
  );
  const first = await load(p);
  const warning = first.warnings.find((w) => /holds 2 images/.test(w.message));
  assert.ok(warning, JSON.stringify(first.warnings));
  assert.match(warning.message, /showing x\/one:1 \(others: x\/two:2\)/);
  // docker-archive:FILE:name:tag — the tag has a colon of its own; a path may have one too.
  const colon = join(dir, 'with:colon.tar');
  copyFileSync(p, colon);
  for (const file of [p, colon]) {
    const spec = parseSourceArg(`docker-archive:${file}:x/two:2`, undefined, classifyPath);
    assert.deepEqual(spec, { kind: 'docker-archive', location: file, tag: 'x/two:2' });
    assert.deepEqual(parseSourceArg(`docker-archive:${file}`, undefined, classifyPath), {
      kind: 'docker-archive',
      location: file,
    });
  }
  assert.deepEqual(parseSourceArg(colon, undefined, classifyPath), { kind: 'docker-archive', location: colon });
  const r = await runCli([`docker-archive:${colon}:x/two:2`, '--json'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((JSON.parse(r.stdout) as { image: { repoTags: string[] } }).image.repoTags, ['x/two:2']);
  const bad = await runCli([`docker-archive:${p}:x/nope:3`, '--json'], { cwd: dir });
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, '');
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.match(bad.stderr, /no image tagged x\/nope:3 .*tags present: x\/one:1, x\/two:2/);
});

test('item 3: an OCI layout with two named images — a warning without a tag, :name selects, unknown is an error', async () => {
  const d = join(dir, 'two-refs');
  await ociLayoutDir(
    d,
    [{ layers: [[{ name: 'one', size: 1 }]] }, { layers: [[{ name: 'two', size: 2 }], [{ name: 'more', size: 3 }]] }],
    { nested: false },
  );
  const index = JSON.parse(readFileSync(join(d, 'index.json'), 'utf8')) as {
    manifests: { annotations: Record<string, string> }[];
  };
  index.manifests[0]!.annotations['org.opencontainers.image.ref.name'] = 'one';
  index.manifests[1]!.annotations['org.opencontainers.image.ref.name'] = 'two';
  writeFileSync(join(d, 'index.json'), JSON.stringify(index));
  const dflt = await load(d, 'oci-dir');
  assert.equal(dflt.layers.length, 1);
  assert.ok(
    dflt.warnings.some((w) => /holds 2 images; showing one \(others: two\)/.test(w.message)),
    JSON.stringify(dflt.warnings),
  );
  assert.equal((await load(d, 'oci-dir', undefined, 'two')).layers.length, 2);
  await assert.rejects(load(d, 'oci-dir', undefined, 'three'), /no image tagged three in .*tags present: one, two/);
});

test('item 7: a wrong diff_id is a warning by default (exit 0) and fails --verify (exit 2, one line)', async () => {
  const good = await legacyArchiveWithLinks([{ tag: 'x/t:1', layers: [A, B] }]);
  // Swap the config for one whose diff_id of layer 1 is wrong (the config's own name stays its true digest).
  const manifest = JSON.parse(
    execFileSync('tar', ['-xOf', write('t-good.tar', good), 'manifest.json'], { encoding: 'utf8' }),
  ) as { Config: string; RepoTags: string[]; Layers: string[] }[];
  const cfg = JSON.parse(
    execFileSync('tar', ['-xOf', join(dir, 't-good.tar'), manifest[0]!.Config], { encoding: 'utf8' }),
  ) as { rootfs: { diff_ids: string[] } };
  const wrong = `sha256:${'0'.repeat(64)}`;
  cfg.rootfs.diff_ids[1] = wrong;
  const cfgBytes = Buffer.from(JSON.stringify(cfg));
  const bad = await makeTarAppend(
    await legacyArchiveWithLinks([{ tag: 'x/t:1', layers: [A, B] }], {
      manifest: [{ ...manifest[0], Config: `${sha256(cfgBytes)}.json` }],
    }),
    `${sha256(cfgBytes)}.json`,
    cfgBytes,
  );
  const p = write('t-bad-diffid.tar', bad);
  const message = `digest mismatch: layer 1's uncompressed content hashes to sha256:${sha256(B)}, but the config's diff_id is ${wrong} (a corrupt or altered image)`;
  // By default the diff_id is hashed too, and a mismatch is a warning: on stderr and in the JSON, exit 0.
  const dflt = await runCli([p, '--json'], { cwd: dir });
  assert.equal(dflt.code, 0, dflt.stderr);
  assert.deepEqual(
    (JSON.parse(dflt.stdout) as { warnings: { code: string; message: string }[] }).warnings
      .filter((w) => w.code === 'digest-mismatch')
      .map((w) => w.message),
    [message],
  );
  assert.equal(dflt.stderr, `slimtui: warning: ${message}\n`);
  const v = await runCli([p, '--json', '--verify'], { cwd: dir });
  assert.equal(v.code, 2);
  assert.equal(v.stdout, '');
  assert.equal(v.stderr, `slimtui: ${message}\n`);
  assert.equal((await runCli([join(dir, 't-good.tar'), '--json', '--verify'], { cwd: dir })).code, 0);
});

test('item 7: an OCI layout — altered blob bytes (same size), a wrong descriptor size and an altered config warn by default; --verify fails', async () => {
  const spec: ImageSpec = { layers: [[{ name: 'f', size: 5000 }]], compression: 'gzip' };
  const fresh = async (
    name: string,
  ): Promise<{
    d: string;
    manifest: { config: { digest: string }; layers: { digest: string; size: number }[] };
    manifestHex: string;
  }> => {
    const d = join(dir, name);
    await ociLayoutDir(d, spec);
    const index = JSON.parse(readFileSync(join(d, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const manifestHex = index.manifests[0]!.digest.slice(7);
    return { d, manifest: JSON.parse(readFileSync(join(d, 'blobs/sha256', manifestHex), 'utf8')), manifestHex };
  };
  // (a) gzip header mtime changed: a valid blob of the same size and content, another digest.
  const a = await fresh('alt-blob');
  const blobHex = a.manifest.layers[0]!.digest.slice(7);
  const blob = readFileSync(join(a.d, 'blobs/sha256', blobHex));
  blob[4] = blob[4]! ^ 0xff;
  writeFileSync(join(a.d, 'blobs/sha256', blobHex), blob);
  const blobMessage = `digest mismatch: layer 0's blob hashes to sha256:${sha256(blob)}, but its digest is sha256:${blobHex} (a corrupt or altered image)`;
  const img = await load(a.d, 'oci-dir');
  assert.deepEqual(
    img.warnings.filter((w) => w.code === 'digest-mismatch').map((w) => w.message),
    [blobMessage],
  );
  await assert.rejects(load(a.d, 'oci-dir', 'error'), (e: Error) => e.message === blobMessage);
  // (b) the manifest states a size one byte off (manifest rewritten under its new digest).
  const b = await fresh('bad-size');
  const size = b.manifest.layers[0]!.size;
  b.manifest.layers[0]!.size = size + 1;
  const mBytes = Buffer.from(JSON.stringify(b.manifest));
  writeFileSync(join(b.d, 'blobs/sha256', sha256(mBytes)), mBytes);
  writeFileSync(
    join(b.d, 'index.json'),
    readFileSync(join(b.d, 'index.json'), 'utf8')
      .replace(b.manifestHex, sha256(mBytes))
      .replace(/"size":\d+/, `"size":${mBytes.length}`),
  );
  const sized = await load(b.d, 'oci-dir');
  assert.deepEqual(
    sized.warnings.filter((w) => w.code === 'digest-mismatch').map((w) => w.message),
    [
      `size mismatch: layer 0's blob holds ${size} bytes, but its descriptor says ${size + 1} (a truncated or altered image)`,
    ],
  );
  await assert.rejects(load(b.d, 'oci-dir', 'error'), /size mismatch/);
  // (c) the config's bytes changed under its name.
  const c = await fresh('alt-config');
  const cfgPath = join(c.d, 'blobs/sha256', c.manifest.config.digest.slice(7));
  const cfg = Buffer.concat([readFileSync(cfgPath), Buffer.from(' ')]);
  writeFileSync(cfgPath, cfg);
  const altered = await load(c.d, 'oci-dir');
  assert.deepEqual(
    altered.warnings.filter((w) => w.code === 'digest-mismatch').map((w) => w.message),
    [
      `digest mismatch: the image config hashes to sha256:${sha256(cfg)}, but its name in the manifest is ${c.manifest.config.digest} (a corrupt or altered image)`,
    ],
  );
  await assert.rejects(load(c.d, 'oci-dir', 'error'), /the image config hashes to/);
});

test('item 7: a zstd layer that starts with a skippable frame is a valid layer (and verifies)', async () => {
  assert.ok(haveZstd(), 'the zstd CLI is needed for this test (apt-get install zstd)');
  const tar = await makeTar([
    { name: 'etc/', type: 'directory' },
    { name: 'etc/z', size: 3000 },
    { name: 'etc/y', content: 'why\n' },
  ]);
  const zst = execFileSync('zstd', ['-q', '-c', '-3'], { input: tar });
  // Skippable frame: magic 0x184D2A5? little-endian, a 4-byte length, that many bytes (RFC 8878 §3.1.2).
  const payload = Buffer.from('slimtui test metadata');
  const head = Buffer.alloc(8);
  head.writeUInt32LE(0x184d2a53, 0);
  head.writeUInt32LE(payload.length, 4);
  const blob = Buffer.concat([head, payload, zst]);
  // The real zstd tool agrees it is one valid stream.
  assert.ok(execFileSync('zstd', ['-q', '-d', '-c'], { input: blob }).equals(tar));
  const p = write(
    'skippable.tar',
    await ociArchive({ layers: [{ raw: blob, diffId: `sha256:${sha256(tar)}` }], compression: 'zstd' }),
  );
  const img = await load(p, 'oci-archive', 'error');
  assert.equal(img.layers[0]!.compression, 'zstd');
  assert.deepEqual(
    img.layers[0]!.entries.map((e) => [e.path, e.size]),
    [
      ['etc', 0],
      ['etc/z', 3000],
      ['etc/y', 4],
    ],
  );
  assert.equal(img.layers[0]!.tarSize, tar.length);
});

test('item 7: error texts say what is wrong', async () => {
  const notManifest = write('not-manifest.tar', await makeTar([{ name: 'manifest.json', content: '{"a":1}' }]));
  const r = await runCli([notManifest, '--json'], { cwd: dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^slimtui: manifest\.json is JSON but not a docker save manifest/);
  const notJson = write('not-json.tar', await makeTar([{ name: 'manifest.json', content: '[{"Config": ' }]));
  assert.match((await runCli([notJson, '--json'], { cwd: dir })).stderr, /corrupt manifest\.json: not valid JSON/);
  const gz = write('gz-manifest.tar', await makeTar([{ name: 'manifest.json', content: gzipSync('[]') }]));
  assert.equal((await runCli([gz, '--json'], { cwd: dir })).code, 2);
});
