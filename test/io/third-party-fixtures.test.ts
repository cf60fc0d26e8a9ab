// dive's own test images (../shared/fixtures/third-party-dive): OCI archives with gzip, zstd, uncompressed and
// eStargz layers, and a kaniko docker-archive with .tar.gz layers. All load; the four OCI variants describe the
// same filesystem; the kaniko numbers are cross-checked against GNU tar's listings of each layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { analyze } from '../../src/model/analysis.js';
import { entryAt } from '../../src/model/file-tree.js';
import type { Image } from '../../src/model/image.js';
import { loadSpec } from '../helpers/load.js';
import { sharedPath } from '../helpers/shared.js';

const DIR = sharedPath('fixtures', 'third-party-dive');
const OCI = {
  gzip: 'test-oci-gzip-image.tar',
  zstd: 'test-oci-zstd-image.tar',
  none: 'test-oci-uncompressed-image.tar',
  estargz: 'test-oci-estargz-image.tar',
} as const;
const KANIKO = join(DIR, 'test-kaniko-image.tar');

const sh = (cmd: string, args: string[], input?: Buffer): Buffer =>
  execFileSync(cmd, args, { maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'ignore'], ...(input ? { input } : {}) });

/** Entries as comparable data, sorted by path. */
const entriesOf = (img: Image) =>
  img.layers.map((l) =>
    l.entries
      .map((e) => ({
        path: e.path,
        kind: e.kind,
        size: e.size,
        mode: e.mode & 0o7777,
        uid: e.uid,
        gid: e.gid,
        link: e.linkTarget ?? null,
      }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
  );

test('the four OCI variants load, with the compression their blobs use', async () => {
  for (const [kind, name] of Object.entries(OCI)) {
    const img = await loadSpec({ kind: 'oci-archive', location: join(DIR, name) });
    assert.ok(img.layers.length > 0, name);
    const want = kind === 'estargz' ? 'gzip' : kind;
    for (const l of img.layers) assert.equal(l.compression, want, `${name} layer ${l.index}`);
  }
});

test('OCI gzip, zstd and uncompressed give identical entries, sizes and metrics', async () => {
  const imgs = await Promise.all(
    [OCI.gzip, OCI.zstd, OCI.none].map((n) => loadSpec({ kind: 'oci-archive', location: join(DIR, n) })),
  );
  const [ref, ...others] = imgs.map((i) => ({ sizes: i.layers.map((l) => l.size), entries: entriesOf(i) }));
  for (const o of others) {
    assert.deepEqual(o.sizes, ref!.sizes);
    assert.deepEqual(o.entries, ref!.entries);
  }
  const metrics = imgs.map((i) => {
    const a = analyze(i);
    return [a.dive.imageSize, a.dive.wastedBytes, a.dive.efficiency, a.reclaimable.totalBytes];
  });
  for (const m of metrics) assert.deepEqual(m, metrics[0]);
});

// eStargz appends its table of contents (a tar entry `stargz.index.json`) AFTER the tar's end-of-archive
// marker (two zero blocks), so that ordinary tar readers — Go's archive/tar in dive and containerd, GNU tar
// without -i — never see it: the filesystem is the same as the plain gzip image's.
test('eStargz gives the same entries and sizes as plain gzip (its TOC after the end-of-archive is not a file)', async () => {
  const [gz, esgz] = await Promise.all(
    [OCI.gzip, OCI.estargz].map((n) => loadSpec({ kind: 'oci-archive', location: join(DIR, n) })),
  );
  // GNU tar's listing of the eStargz layer: README.md 11189 only (the TOC comes after the end marker)
  assert.deepEqual(
    esgz!.layers.map((l) => l.size),
    [11189],
  );
  assert.deepEqual(entriesOf(esgz!), entriesOf(gz!));
});

test('OCI uncompressed: layer size equals the sum of `tar -tv` sizes of its blob', async () => {
  const img = await loadSpec({ kind: 'oci-archive', location: join(DIR, OCI.none) });
  const index = JSON.parse(sh('tar', ['-xOf', join(DIR, OCI.none), 'index.json']).toString()) as {
    manifests: { digest: string }[];
  };
  const manifest = JSON.parse(
    sh('tar', ['-xOf', join(DIR, OCI.none), `blobs/sha256/${index.manifests[0]!.digest.slice(7)}`]).toString(),
  ) as { layers: { digest: string; size: number }[] };
  assert.equal(img.layers.length, manifest.layers.length);
  manifest.layers.forEach((d, i) => {
    const blob = sh('tar', ['-xOf', join(DIR, OCI.none), `blobs/sha256/${d.digest.slice(7)}`]);
    const listing = parseListing(sh('tar', ['-tvf', '-'], blob).toString());
    assert.equal(img.layers[i]!.size, sum(listing.filter((e) => e.type !== 'h').map((e) => e.size)));
    assert.equal(img.layers[i]!.tarSize, blob.length);
  });
});

interface Listed {
  type: string;
  size: number;
  name: string;
}

/** GNU tar -tv lines: `perm owner size date time name[ -> target| link to target]`. */
function parseListing(text: string): Listed[] {
  const out: Listed[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^(\S)\S*\s+\S+\s+(\d+)\s+\S+\s+\S+\s(.*)$/.exec(line);
    assert.ok(m, `cannot parse tar line: ${line}`);
    let name = m[3]!;
    if (m[1] === 'h') name = name.replace(/ link to .*$/, '');
    if (m[1] === 'l') name = name.replace(/ -> .*$/, '');
    out.push({ type: m[1]!, size: Number(m[2]), name });
  }
  return out;
}

const sum = (xs: number[]): number => xs.reduce((s, n) => s + n, 0);
const norm = (n: string): string =>
  n
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');

test('kaniko (.tar.gz layers): numbers match an independent computation from tar listings', async () => {
  const img = await loadSpec({ kind: 'docker-archive', location: KANIKO });
  const manifest = JSON.parse(sh('tar', ['-xOf', KANIKO, 'manifest.json']).toString()) as { Layers: string[] }[];
  const layerNames = manifest[0]!.Layers;
  assert.equal(img.layers.length, layerNames.length); // 14
  assert.equal(img.layers.length, 14);

  // Independent stacking of the listings: the set of live paths after each layer.
  const live = new Set<string>();
  let imageSize = 0;
  let firstSize = 0;
  layerNames.forEach((name, i) => {
    const blob = sh('tar', ['-xOf', KANIKO, name]);
    const listing = parseListing(sh('tar', ['-tvzf', '-'], blob).toString());
    const layer = img.layers[i]!;
    // dive's layer size: sum of header sizes, hard links 0
    const size = sum(listing.filter((e) => e.type !== 'h').map((e) => e.size));
    assert.equal(layer.size, size, `layer ${i} size`);
    assert.equal(layer.compression, 'gzip');
    assert.equal(layer.compressedSize, blob.length, `layer ${i} compressed size`);
    assert.equal(layer.tarSize, sh('gzip', ['-dc'], blob).length, `layer ${i} tar size`);
    const paths = listing.map((e) => norm(e.name)).filter((p) => p !== '');
    assert.equal(layer.entries.length, paths.length, `layer ${i} entry count`);
    assert.deepEqual(
      layer.entries.map((e) => (e.kind === 'whiteout' ? `.wh:${e.path}` : e.path)),
      paths.map((p) => {
        const base = p.slice(p.lastIndexOf('/') + 1);
        return base.startsWith('.wh.') ? `.wh:${p.replace(/(^|\/)\.wh\.([^/]*)$/, '$1$2')}` : p;
      }),
    );
    assert.equal(
      layer.entries.filter((e) => e.kind === 'hardlink').length,
      listing.filter((e) => e.type === 'h').length,
    );
    for (const p of paths) {
      const base = p.slice(p.lastIndexOf('/') + 1);
      if (base.startsWith('.wh.')) {
        const target = p.replace(/(^|\/)\.wh\.([^/]*)$/, '$1$2');
        for (const q of [...live]) if (q === target || q.startsWith(`${target}/`)) live.delete(q);
      } else {
        live.add(p);
        for (let j = p.indexOf('/'); j > 0; j = p.indexOf('/', j + 1)) live.add(p.slice(0, j));
      }
    }
    imageSize += size;
    if (i === 0) firstSize = size;
  });

  const a = analyze(img);
  assert.equal(a.dive.imageSize, imageSize);
  assert.equal(a.dive.userSize, imageSize - firstSize);
  const last = img.layers.length - 1;
  const ours = new Set(a.tree.nodes.filter((n) => n.path !== '' && entryAt(n, last) !== null).map((n) => n.path));
  assert.deepEqual([...ours].sort(), [...live].sort());
});
