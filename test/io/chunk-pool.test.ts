// src/io/chunk-pool.ts: a layer thread's read buffers are read into again once tar-stream's parse is past them.
// A layer tar written by GNU tar, with a PAX record whose data crosses the first 1 MiB read boundary and ~8 MiB of
// small files after it, is read in 1 MiB chunks from pooled buffers (the skim's reads and the full read's) and
// must give the entries the same tar gives when handed over as one buffer, with buffers reused on the way; a read
// with a content analyser must reuse none, and its digests must be those of the files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry } from '../../src/model/entry.js';
import { ChunkPool } from '../../src/io/chunk-pool.js';
import { fileChunks } from '../../src/io/file-chunks.js';
import { readLayer } from '../../src/io/layer-reader.js';
import { elfAnalyser } from '../../src/io/elf-analyser.js';
import { createSha256Analyser } from '../../src/io/sha256-analyser.js';
import { textAnalyser } from '../../src/io/text-analyser.js';
import { skimChunks } from '../../src/io/skim-chunks.js';

const MiB = 1 << 20;
const fields = (e: Entry) => [e.path, e.kind, e.size, e.mode, e.uid, e.gid, e.mtime, e.linkTarget ?? null];

/** [start, end) of the data of each PAX 'x' record of a tar, walked by its headers. */
function paxData(tar: Buffer): [number, number][] {
  const out: [number, number][] = [];
  for (let at = 0; at + 512 <= tar.length;) {
    const h = tar.subarray(at, at + 512);
    if (h.every((b) => b === 0)) break;
    const size = parseInt(h.toString('latin1', 124, 136).replace(/\0.*$/s, '').trim() || '0', 8);
    const type = String.fromCharCode(h[156]!);
    if (type === 'x') out.push([at + 512, at + 512 + size]);
    at += 512 + (type === '5' ? 0 : Math.ceil(size / 512) * 512);
  }
  return out;
}

test('pooled 1 MiB reads give the entries of the whole tar, with buffers reused, and none reused under an analyser', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slimtui-pool-'));
  try {
    const root = join(dir, 'root');
    mkdirSync(root);
    const deep = join(root, 'b'.repeat(200), 'c'.repeat(200), 'd'.repeat(200));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'long'), 'long path');
    // Real ELF files (two under 16 MiB, read in place from the layer file) and a text file the text reader keeps.
    mkdirSync(join(root, 'bin'));
    for (const b of ['env', 'ls', 'tar']) copyFileSync(join('/usr/bin', b), join(root, 'bin', b));
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc', 'os-release'), 'ID=test\nVERSION_ID=1\n');
    mkdirSync(join(root, 'many'));
    const contents = new Map<string, Buffer>();
    for (let i = 0; i < 4000; i++) {
      const body = Buffer.alloc(1000 + ((i * 37) % 2000), String(i));
      contents.set(`many/f${i}`, body);
      writeFileSync(join(root, 'many', `f${i}`), body);
    }
    const file = join(dir, 'layer.tar');
    // 'a' comes first (sorted by name); the path of 3 × 200-character directories needs two blocks of PAX data.
    // 'a' is sized (a first tar tells where that record lies) so that those two blocks sit on both sides of 1 MiB.
    const build = (filler: number): Buffer => {
      writeFileSync(join(root, 'a'), Buffer.alloc(filler, 7));
      execFileSync('tar', ['-c', '--format=posix', '--sort=name', '--mtime=@1700000000', '-f', file, '-C', root, '.']);
      return readFileSync(file);
    };
    const twoBlocks = (t: Buffer): [number, number] => paxData(t).find(([s, e]) => e - s > 512)!;
    const first = 900_000;
    const [at] = twoBlocks(build(first));
    const tar = build(first + (MiB - 512 - at));
    assert.ok(statSync(file).size > 8 * MiB);
    const [s0, e0] = twoBlocks(tar);
    assert.ok(s0 < MiB && e0 > MiB, `a PAX record crosses the first 1 MiB boundary (${s0}-${e0})`);

    const whole = await readLayer(
      (async function* () {
        yield tar;
      })(),
      { what: 'whole', analysers: [] },
    );
    assert.ok(whole.entries.length > 4000);
    assert.ok(whole.entries.some((e) => e.path.endsWith('d'.repeat(200) + '/long')));
    const expected = whole.entries.map(fields);
    const range = { start: 0, end: tar.length };

    // Two buffers kept free between streams: a stream that reuses more has taken buffers back within itself.
    const pool = new ChunkPool(2);
    const skimmed = await readLayer(skimChunks(file, range, { tiled: false }, pool), {
      what: 'skim',
      analysers: [],
      recycle: pool,
    });
    pool.reset();
    assert.deepEqual(skimmed.entries.map(fields), expected);
    const afterSkim = pool.stats.reused;
    assert.ok(afterSkim > 0, `the skim reused buffers (${JSON.stringify(pool.stats)})`);

    const full = await readLayer(fileChunks(file, MiB, 4, range, pool), {
      what: 'full',
      analysers: [],
      recycle: pool,
      digests: { diffId: true },
    });
    pool.reset();
    assert.deepEqual(full.entries.map(fields), expected);
    assert.equal(full.digests?.diffId, `sha256:${createHash('sha256').update(tar).digest('hex')}`);
    assert.ok(pool.stats.reused > afterSkim, 'the full read reused buffers');

    // The analysers that copy what they keep (ELF, text, sha256), told where the files lie in the layer file:
    // buffers are reused, and every fact is the one a read of the tar as one buffer gives.
    const analysers = () => [elfAnalyser, textAnalyser, createSha256Analyser()];
    const reference = await readLayer(
      (async function* () {
        yield tar;
      })(),
      { what: 'reference', analysers: analysers() },
    );
    const facts = (l: { entries: readonly Entry[] }) => l.entries.map((e) => [e.path, e.facts ?? null]);
    const elfs = reference.entries.filter((e) => e.facts?.['elf'] !== undefined).map((e) => e.path);
    assert.deepEqual(elfs.sort(), ['bin/env', 'bin/ls', 'bin/tar']);
    assert.equal(
      reference.entries.find((e) => e.path === 'etc/os-release')?.facts?.['text'],
      'ID=test\nVERSION_ID=1\n',
    );
    const beforeStored = pool.stats.reused;
    const stored = await readLayer(fileChunks(file, MiB, 4, range, pool), {
      what: 'stored',
      analysers: analysers(),
      recycle: pool,
      stored: { file, start: 0 },
    });
    pool.reset();
    assert.deepEqual(facts(stored), facts(reference));
    assert.ok(pool.stats.reused - beforeStored > 2, 'the analysed read reused buffers within itself');

    // With an analyser that is not told where the files lie, no buffer is taken back while the layer is read:
    // only the two kept free from the streams before are lent again, and every other read (of 9) is a new buffer.
    const before = { ...pool.stats };
    const analysed = await readLayer(fileChunks(file, MiB, 4, range, pool), {
      what: 'analysed',
      analysers: [createSha256Analyser()],
      recycle: pool,
    });
    assert.equal(pool.stats.reused - before.reused, 2);
    assert.equal(pool.stats.made - before.made, Math.ceil(tar.length / MiB) - 2);
    pool.reset();
    assert.deepEqual(analysed.entries.map(fields), expected);
    let checked = 0;
    for (const e of analysed.entries) {
      const body = contents.get(e.path);
      if (!body) continue;
      assert.equal(e.facts?.sha256, createHash('sha256').update(body).digest('hex'), e.path);
      checked++;
    }
    assert.equal(checked, contents.size);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
