// A big uncompressed layer cut into spans for the skim (io/layer-spans.ts, LayerPool in io/parallel-layers.ts):
// each span is skimmed on its own thread and the pieces joined, and a cut counts only when the span before it
// tiled up to it. Layers written by GNU tar (not by tar-stream, which reads them), with what makes a cut go
// wrong: PAX records before their headers, GNU long names, a tar file stored inside the layer (its headers are
// 512-aligned blocks of file data that read as headers), a file big enough to be skipped, absolute names.
// Spans are forced small (SLIMTUI_SKIM_SPAN), so cuts land on every kind of block; the joined entries must be
// the layer's as one read gives them, and as GNU tar lists them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { link, mkdtemp, mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileChunks } from '../../src/io/file-chunks.js';
import { readLayer } from '../../src/io/layer-reader.js';
import { LayerPool, spanCounts } from '../../src/io/parallel-layers.js';
import { SKIM_MIN_FILE } from '../../src/io/skim-chunks.js';
import { SlimError } from '../../src/io/errors.js';
import { packEntries } from '../../src/model/entry-table.js';
import type { LayerBlobRef, LoadOptions } from '../../src/io/sources/image-source.js';

const OPTS: LoadOptions = { analysers: [], platform: { os: 'linux', architecture: 'amd64' }, platformExplicit: false };

async function withTmp<T>(f: (d: string) => Promise<T>): Promise<T> {
  const d = await mkdtemp(join(tmpdir(), 'slimtui-spans-'));
  try {
    return await f(d);
  } finally {
    await rm(d, { recursive: true, force: true });
  }
}

/** A deterministic pseudo-random sequence (the fixture is the same on every run). */
function rng(seed: number): () => number {
  let x = seed;
  return () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

/** `tar -tv` as GNU tar lists it: path → size, for regular files. */
function gnuListing(tar: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of execFileSync('tar', ['--numeric-owner', '-tvf', tar], { encoding: 'utf8' }).split('\n')) {
    const m = /^-\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+(.*)$/.exec(line);
    if (m) out.set(m[2]!.replace(/^\.\//, '').replace(/^\//, ''), Number(m[1]));
  }
  return out;
}

/** Files of many sizes and long and non-ASCII names, a stored tar of small files, one big file; `n` absolute names. */
async function makeLayer(d: string, format: 'gnu' | 'posix', absolute: number): Promise<string> {
  const root = join(d, 'root');
  const next = rng(7);
  const deep = 'd'.repeat(90) + '/' + 'e'.repeat(60);
  await mkdir(join(root, deep), { recursive: true });
  await mkdir(join(root, 'inner'), { recursive: true });
  for (let i = 0; i < 240; i++) {
    const name = i % 7 === 0 ? `${deep}/f${i}` : i % 11 === 0 ? `ünï-${i}.txt` : `f${i}`;
    await writeFile(join(root, name), Buffer.alloc(Math.floor(next() * 3000), 0x61 + (i % 26)));
  }
  // Links, so that pieces carry link targets (each piece's are numbered from its own first).
  for (let i = 1; i < 240; i += 12)
    if (i % 7 !== 0 && i % 11 !== 0) {
      await symlink(`f${i}`, join(root, `l${i}`));
      await link(join(root, `f${i}`), join(root, `h${i}`));
    }
  for (let i = 0; i < 120; i++) await writeFile(join(root, 'inner', `x${i}`), Buffer.alloc(i * 13, 0x78));
  execFileSync('tar', ['--format=ustar', '-C', join(root, 'inner'), '-cf', join(root, 'stored.tar'), '.']);
  await rm(join(root, 'inner'), { recursive: true });
  await writeFile(join(root, 'big.bin'), Buffer.alloc(SKIM_MIN_FILE + 1000, 0x42));
  const tar = join(d, `layer-${format}.tar`);
  execFileSync('tar', [`--format=${format}`, '--sort=name', '-C', root, '-cf', tar, '.']);
  if (absolute > 0) {
    const abs = join(d, 'abs');
    await mkdir(abs);
    const files = Array.from({ length: absolute }, (_, i) => join(abs, `a${i}`));
    for (const f of files) await writeFile(f, 'absolute\n');
    execFileSync('tar', [`--format=${format}`, '--absolute-names', '-rf', tar, ...files]);
  }
  return tar;
}

async function skimWithSpans(tar: string, span: number | undefined) {
  const size = (await stat(tar)).size;
  const ref: LayerBlobRef = {
    name: 'layer.tar',
    size,
    at: { file: tar, start: 0, end: size },
    open: () => fileChunks(tar, 1 << 20, 4, { start: 0, end: size }),
  };
  const before = { ...spanCounts };
  const saved = process.env['SLIMTUI_SKIM_SPAN'];
  if (span === undefined) delete process.env['SLIMTUI_SKIM_SPAN'];
  else process.env['SLIMTUI_SKIM_SPAN'] = String(span);
  const pool = new LayerPool([ref], OPTS, { analysers: [], taps: [] }, () => 'layer.tar', 2);
  try {
    const [layer] = await pool.parse('skim');
    return {
      layer: layer!,
      spans: spanCounts.spans - before.spans,
      rejoined: spanCounts.rejoined - before.rejoined,
    };
  } finally {
    if (saved === undefined) delete process.env['SLIMTUI_SKIM_SPAN'];
    else process.env['SLIMTUI_SKIM_SPAN'] = saved;
    await pool.close();
  }
}

for (const format of ['posix', 'gnu'] as const) {
  test(`GNU tar --format=${format}: a layer cut into small spans joins to the entries one read gives`, async () => {
    await withTmp(async (d) => {
      const tar = await makeLayer(d, format, 3);
      const size = (await stat(tar)).size;
      const one = await readLayer(fileChunks(tar, 1 << 20, 4, { start: 0, end: size }), {
        what: 'layer.tar',
        analysers: [],
      });
      const listed = gnuListing(tar);
      // 240 files + stored.tar + big.bin + 3 absolute names (counted by hand from makeLayer).
      assert.equal(listed.size, 245);
      for (const span of [1536, 4096, 20480, 65536]) {
        const { layer, spans, rejoined } = await skimWithSpans(tar, span);
        // About one span per `span` bytes, except in big.bin's data, where no block reads as a header.
        const expected = Math.floor((size - SKIM_MIN_FILE) / span / 2);
        assert.ok(spans >= expected, `span ${span}: ${spans} spans for ${size} bytes`);
        // As assembleImage makes them (views over one table of columns: model/entry-table.ts), both alike.
        assert.deepEqual(packEntries(layer.entries), packEntries(one.entries), `span ${span}`);
        assert.equal(layer.size, one.size);
        assert.equal(layer.tarSize, size);
        assert.equal(layer.blobSize, size);
        // One warning for the layer's three absolute names, however many spans held them.
        assert.deepEqual(layer.warnings, one.warnings);
        assert.deepEqual(
          layer.warnings.map((w) => w.message),
          ['layer.tar: 3 entries have absolute names; read relative to the image root'],
        );
        const files = layer.entries.filter((e) => e.kind === 'file');
        assert.equal(files.length, listed.size, `span ${span}`);
        for (const e of files) assert.equal(listed.get(e.path), e.size, e.path);
        // The stored tar's headers are 512-aligned blocks that read as headers: small spans cut inside it, and
        // those cuts must have been caught (read again) rather than trusted.
        if (span <= 4096) assert.ok(rejoined > 0, `span ${span}: no cut was read again`);
      }
      // Without the forced size the layer is far below a span: one piece, nothing read again.
      const plain = await skimWithSpans(tar, undefined);
      assert.equal(plain.spans, 1);
      assert.equal(plain.rejoined, 0);
      assert.deepEqual(packEntries(plain.layer.entries), packEntries(one.entries));
    });
  });
}

test('a layer with a corrupt header past a cut: the skim fails with the one read’s error', async () => {
  await withTmp(async (d) => {
    const tar = await makeLayer(d, 'posix', 0);
    const raw = await readFile(tar);
    // Spoil the checksum of the header of f200 (far from the start: past several cuts).
    const at = raw.indexOf(Buffer.from('./f200\0', 'latin1'));
    assert.ok(at > 0 && at % 512 === 0);
    raw[at + 148] = 0x37;
    raw[at + 149] = 0x37;
    const bad = join(d, 'bad.tar');
    await writeFile(bad, raw);
    const size = raw.length;
    const one = await readLayer(fileChunks(bad, 1 << 20, 4, { start: 0, end: size }), {
      what: 'layer.tar',
      analysers: [],
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(one instanceof SlimError, 'the one read fails');
    await assert.rejects(skimWithSpans(bad, 4096), (e: unknown) => {
      assert.ok(e instanceof SlimError);
      assert.equal(e.message, one.message);
      return true;
    });
  });
});
