// The explorer's fast open (io/skim-chunks.ts, io/skim-load.ts): a skim of a layer's headers, with big files'
// data not read, gives the entries a full read gives; the content pass then completes the very Image a full
// load makes. Layers are written by GNU tar and Python's tarfile (not by tar-stream, which reads them), in the
// formats whose records change where the next header is: GNU long names, PAX records (one with a `size`
// that overrides the header's), base-256 sizes, old-style directories named with a trailing '/'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, stat, writeFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileChunks } from '../../src/io/file-chunks.js';
import { readLayer } from '../../src/io/layer-reader.js';
import { skimChunks, skimStats, SKIM_MIN_FILE } from '../../src/io/skim-chunks.js';
import { openImage, loadImage } from '../../src/io/load-image.js';
import { createSha256Analyser } from '../../src/io/sha256-analyser.js';
import { elfAnalyser } from '../../src/io/elf-analyser.js';
import { textAnalyser } from '../../src/io/text-analyser.js';
import { gzipEstimateTap } from '../../src/io/gzip-estimate-tap.js';
import { SlimError } from '../../src/io/errors.js';
import type { LoadOptions } from '../../src/io/sources/image-source.js';
import { dockerArchiveLegacy, makeTar, ociArchive, ociLayoutDir } from '../helpers/make-archive.js';
import { legacyArchiveWithLinks } from '../helpers/legacy-archive.js';
import { sharedPath } from '../helpers/shared.js';

const demo = fileURLToPath(new URL('../../../demo/demo-image.tar', import.meta.url));

async function withTmp<T>(f: (d: string) => Promise<T>): Promise<T> {
  const d = await mkdtemp(join(tmpdir(), 'slimtui-skim-'));
  try {
    return await f(d);
  } finally {
    await rm(d, { recursive: true, force: true });
  }
}

async function parseBoth(tar: string) {
  const size = (await stat(tar)).size;
  const range = { start: 0, end: size };
  const full = await readLayer(fileChunks(tar, 1 << 20, 4, range), { what: 'full', analysers: [] });
  const before = { ...skimStats };
  const skim = await readLayer(skimChunks(tar, range), { what: 'skim', analysers: [] });
  return { full, skim, fetched: skimStats.bytes - before.bytes, size };
}

/** `tar -tv` as GNU tar lists it: path → size, for regular files (the independent reference). */
function gnuListing(tar: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of execFileSync('tar', ['--numeric-owner', '-tvf', tar], { encoding: 'utf8' }).split('\n')) {
    const m = /^-\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+(.*)$/.exec(line);
    if (m) out.set(m[2]!.replace(/^\.\//, ''), Number(m[1]));
  }
  return out;
}

for (const format of ['gnu', 'posix', 'ustar'] as const) {
  test(`GNU tar --format=${format}: the skim gives the full read's entries and fetches no big file's data`, async () => {
    await withTmp(async (d) => {
      const root = join(d, 'root');
      const long = 'l'.repeat(60) + '/' + 'm'.repeat(70) + '/' + 'n'.repeat(80);
      await mkdir(join(root, 'usr/lib'), { recursive: true });
      await mkdir(join(root, long.split('/').slice(0, 2).join('/')), { recursive: true });
      // Big files (skipped), files just below and at the threshold, small ones between them.
      await writeFile(join(root, 'usr/lib/big1.so'), Buffer.alloc(3 * SKIM_MIN_FILE + 17, 0x41));
      await writeFile(join(root, 'usr/lib/small'), 'x'.repeat(700));
      await writeFile(join(root, 'usr/lib/below'), Buffer.alloc(SKIM_MIN_FILE - 1, 0x42));
      await writeFile(join(root, 'usr/lib/exact'), Buffer.alloc(SKIM_MIN_FILE, 0x43));
      await writeFile(join(root, 'usr/lib/empty'), '');
      await writeFile(
        join(root, format === 'ustar' ? 'usr/lib/big2' : long),
        Buffer.alloc(2 * SKIM_MIN_FILE + 3, 0x44),
      );
      await symlink('big1.so', join(root, 'usr/lib/link.so'));
      execFileSync('ln', [join(root, 'usr/lib/small'), join(root, 'usr/lib/hard')]);
      const tar = join(d, 'layer.tar');
      execFileSync('tar', [`--format=${format}`, '--sort=name', '-C', root, '-cf', tar, '.']);
      const { full, skim, fetched, size } = await parseBoth(tar);
      assert.deepEqual(skim.entries, full.entries);
      assert.equal(skim.size, full.size);
      assert.equal(skim.tarSize, size);
      // Against GNU tar's own listing: every regular file with its size.
      const listed = gnuListing(tar);
      const files = skim.entries.filter((e) => e.kind === 'file');
      assert.equal(files.length, listed.size);
      for (const e of files) assert.equal(listed.get(e.path), e.size, e.path);
      const big = 3 * SKIM_MIN_FILE + 17 + 2 * SKIM_MIN_FILE + 3 + SKIM_MIN_FILE;
      // Reads are 1 MiB, with one ahead: at most two of them run on past a file it then skips.
      assert.ok(fetched <= size - big + (2 << 20) + (64 << 10), `fetched ${fetched} of ${size}; big files ${big}`);
    });
  });
}

/** Rewrites one header of `raw` (found by its name) and its checksum. */
function patchHeader(raw: Buffer, name: string, edit: (h: Buffer) => void): void {
  const at = raw.indexOf(Buffer.from(name + '\0', 'latin1'));
  assert.ok(at >= 0 && at % 512 === 0, `header of ${name}`);
  const h = raw.subarray(at, at + 512);
  edit(h);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
}

test('Python tarfile: a PAX size record over a zero size field, a base-256 size, a v7 "dir/" name', async () => {
  await withTmp(async (d) => {
    const tar = join(d, 'layer.tar');
    const big = 3 * SKIM_MIN_FILE;
    const paxed = 2 * SKIM_MIN_FILE + 5;
    const py = `
import tarfile, io
t = tarfile.open(${JSON.stringify(tar)}, 'w', format=tarfile.PAX_FORMAT)
def add(name, data, pax=None, typ=tarfile.REGTYPE):
    i = tarfile.TarInfo(name); i.size = len(data); i.type = typ
    if pax: i.pax_headers = pax
    t.addfile(i, io.BytesIO(data))
add('a/small', b'hello')
add('a/big256', b'B' * ${big})
add('b/paxsized', b'\\0' * ${paxed}, {'size': '${paxed}', 'comment': 'x'})
add('olddir/', b'')
add('c/after', b'end')
t.close()
`;
    execFileSync('python3', ['-c', py]);
    const raw = await readFile(tar);
    // GNU's base-256 encoding of a size; and a zero size field where the PAX record alone says the size (its data
    // all zeros: a reader that ignored the record would take them for the end-of-archive marker).
    patchHeader(raw, 'a/big256', (h) => {
      h[124] = 0x80;
      h.fill(0, 125, 136);
      h.writeUIntBE(big, 130, 6);
    });
    patchHeader(raw, 'b/paxsized', (h) => h.write('00000000000\0', 124, 'latin1'));
    await writeFile(tar, raw);
    // Python's own reading of the patched file: the reference for the PAX and base-256 sizes.
    const listing = execFileSync(
      'python3',
      ['-c', `import tarfile\nfor m in tarfile.open(${JSON.stringify(tar)}): print(m.name, m.size, m.isdir())`],
      { encoding: 'utf8' },
    );
    assert.match(listing, new RegExp(`^b/paxsized ${paxed} False$`, 'm'));
    assert.match(listing, new RegExp(`^a/big256 ${big} False$`, 'm'));
    const { full, skim, fetched, size } = await parseBoth(tar);
    assert.deepEqual(skim.entries, full.entries);
    const sizes = Object.fromEntries(skim.entries.map((e) => [e.path, e.size]));
    assert.equal(sizes['b/paxsized'], paxed);
    assert.equal(sizes['a/big256'], big);
    assert.equal(sizes['c/after'], 3, 'the entry after them is where it is');
    assert.ok(fetched <= size - big - paxed + (2 << 20) + (64 << 10), `fetched ${fetched} of ${size}`);
  });
});

const opts = (skim: boolean): LoadOptions => ({
  analysers: [createSha256Analyser(), elfAnalyser, textAnalyser],
  taps: [gzipEstimateTap()],
  platform: { os: 'linux', architecture: 'amd64' },
  platformExplicit: false,
  ...(skim ? { skim: true } : {}),
});

async function forced<T>(f: () => Promise<T>): Promise<T> {
  const before = process.env['SLIMTUI_PARALLEL'];
  process.env['SLIMTUI_PARALLEL'] = 'force';
  try {
    return await f();
  } finally {
    if (before === undefined) delete process.env['SLIMTUI_PARALLEL'];
    else process.env['SLIMTUI_PARALLEL'] = before;
  }
}

test('demo image (real ELF files): the skimmed image has no facts; after the content pass it is the full load', async () => {
  const spec = { kind: 'docker-archive' as const, location: demo };
  const full = await loadImage(spec, opts(false));
  const loaded = await forced(() => openImage(spec, opts(true)));
  assert.ok(loaded.content, 'the demo archive (uncompressed layers in a file) is skimmed');
  assert.ok(
    loaded.image.layers.every((l) => l.entries.every((e) => e.facts === undefined) && l.facts === undefined),
    'no content facts before the content pass',
  );
  const c = await loaded.content!();
  assert.equal(c.reloaded, false);
  assert.ok(
    full.layers.some((l) => l.entries.some((e) => e.facts?.['elf'])),
    'the demo has ELF facts',
  );
  assert.deepEqual(c.image, full);
  // The facts are on the first frame's own entries (the tree built from them sees them).
  assert.equal(c.image.layers[1]!.entries, loaded.image.layers[1]!.entries);
});

test('a corrupt layer: the skim gives up and the full pass says what is wrong (exit 2), as without the skim', async () => {
  await withTmp(async (d) => {
    const bad = join(d, 'bad.tar');
    const raw = await readFile(demo);
    // Damage the second layer's first header inside the archive: its checksum no longer matches.
    const listing = execFileSync('tar', ['-tvf', demo], { encoding: 'utf8' });
    assert.match(listing, /layer\.tar/);
    const at = raw.indexOf(Buffer.from('ustar'), raw.indexOf(Buffer.from('layer.tar')) + 1024);
    raw[at - 257 + 10] = raw[at - 257 + 10]! ^ 0xff;
    await writeFile(bad, raw);
    const spec = { kind: 'docker-archive' as const, location: bad };
    const plain = await loadImage(spec, opts(false)).then(
      () => 'loaded',
      (e: unknown) => e,
    );
    const skimmed = await forced(() => openImage(spec, opts(true))).then(
      () => 'loaded',
      (e: unknown) => e,
    );
    assert.ok(plain instanceof SlimError, String(plain));
    assert.ok(skimmed instanceof SlimError, String(skimmed));
    assert.equal(skimmed.message, plain.message);
  });
});

test('skimmed, then a layer whose bytes were altered: the content pass reports the diff_id mismatch (sha256sum)', async () => {
  await withTmp(async (d) => {
    const MARK = 'ORIGINAL-PAYLOAD-5c1e';
    const archive = await dockerArchiveLegacy({
      layers: [
        [{ name: 'etc/keep', content: 'keep\n' }],
        [{ name: 'app/data', content: `${'x'.repeat(3000)}${MARK}${'y'.repeat(3000)}` }],
      ],
      compression: 'none',
    });
    const at = archive.indexOf(Buffer.from(MARK));
    assert.ok(at > 0);
    archive.write('ALTERED!-PAYLOAD-5c1e', at, 'latin1');
    const path = join(d, 'altered.tar');
    await writeFile(path, archive);
    // The layer tar as stored now, hashed by sha256sum; and the diff_id its config still names.
    const layerName = execFileSync('tar', ['-tf', path], { encoding: 'utf8' })
      .split('\n')
      .filter((n) => n.endsWith('layer.tar'))
      .find((n) => execFileSync('tar', ['-xOf', path, n]).includes(Buffer.from('ALTERED!')))!;
    const got = execFileSync('sh', ['-c', `tar -xOf '${path}' '${layerName}' | sha256sum`], { encoding: 'utf8' }).split(
      ' ',
    )[0]!;
    const loaded = await forced(() => openImage({ kind: 'docker-archive', location: path }, opts(true)));
    assert.ok(loaded.content, 'skimmed');
    assert.deepEqual(loaded.image.warnings, [], 'no digest is known before the content pass');
    const c = await loaded.content!();
    const w = c.image.warnings.filter((x) => x.code === 'digest-mismatch');
    assert.equal(w.length, 1, JSON.stringify(c.image.warnings));
    assert.equal(w[0]!.layer, 1);
    assert.ok(w[0]!.message.includes(`sha256:${got}`), w[0]!.message);
    assert.ok(w[0]!.message.includes(c.image.layers[1]!.diffId!), w[0]!.message);
  });
});

test('repeated layers (docker < 25 symlinked layer.tar, one blob listed twice), dive’s fixtures (gzip, zstd, eStargz, uncompressed, kaniko), a zstd OCI layout: skim + contents equal a full load', async () => {
  await withTmp(async (d) => {
    const A = await makeTar([
      { name: 'app/', type: 'directory' },
      { name: 'app/a', size: 100 },
      { name: 'app/shared', size: 50 },
    ]);
    const B = await makeTar([{ name: 'app/b', size: 10 }]);
    const legacy = join(d, 'aba-legacy.tar');
    await writeFile(legacy, await legacyArchiveWithLinks([{ tag: 'x/aba:1', layers: [A, B, A] }]));
    assert.match(execFileSync('tar', ['-tvf', legacy], { encoding: 'utf8' }), /layer\.tar -> \.\.\//);
    const oci = join(d, 'aba-oci.tar');
    await writeFile(oci, await ociArchive({ layers: [{ raw: A }, { raw: B }, { raw: A }], compression: 'none' }));
    // dive's own test images: uncompressed, gzip, zstd, eStargz (a table of contents after the end marker), kaniko.
    const dive = ['uncompressed', 'gzip', 'zstd', 'estargz'].map((c) =>
      sharedPath('fixtures', 'third-party-dive', `test-oci-${c}-image.tar`),
    );
    const layout = join(d, 'oci-zstd');
    await ociLayoutDir(layout, {
      layers: [[{ name: 'etc/x', content: 'x\n' }], [{ name: 'etc/y', size: 70_000 }]],
      compression: 'zstd',
    });
    for (const [kind, location] of [
      ['docker-archive', legacy],
      ['oci-archive', oci],
      ...dive.map((p) => ['oci-archive', p] as const),
      ['docker-archive', sharedPath('fixtures', 'third-party-dive', 'test-kaniko-image.tar')],
      ['oci-dir', layout],
    ] as const) {
      const spec = { kind, location };
      const full = await loadImage(spec, opts(false));
      const loaded = await forced(() => openImage(spec, opts(true)));
      assert.ok(loaded.content, `${location} is skimmed`);
      const c = await loaded.content();
      assert.equal(c.reloaded, false, location);
      assert.deepEqual(c.image, full, location);
    }
    // The three positions of [A, B, A] by hand: 150, 10, 150 bytes; each position its own entries.
    const img = (
      await (
        await forced(() => openImage({ kind: 'docker-archive', location: legacy }, opts(true)))
      ).content!()
    ).image;
    assert.deepEqual(
      img.layers.map((l) => l.size),
      [150, 10, 150],
    );
    assert.notEqual(img.layers[0]!.entries[1], img.layers[2]!.entries[1]);
  });
});
