/**
 * ELF files of an uncompressed layer read from a file are parsed by position from that file (`StoredAt`), with
 * nothing copied or spooled, once the stream's first and last bytes match the file's there; where they do not
 * (a wrong offset), the streamed bytes are used as before. Layers are written by GNU tar; judges: readelf, and
 * the same layer read without `stored`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { elfAnalyser, MEMORY_CAP, storedStats } from '../../src/io/elf-analyser.js';
import { fileChunks } from '../../src/io/file-chunks.js';
import { readLayer, type ParsedLayer } from '../../src/io/layer-reader.js';
import { readelfFile } from '../helpers/readelf.js';

let dir = '';
/** The layer tar, and the same tar stored after 1536 bytes of something else (as in an archive). */
let tar = '';
let inArchive = '';
const PREFIX = 1536;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'slimtui-elf-stored-'));
  const root = join(dir, 'root');
  const deep = join(root, 'usr/lib/' + 'd'.repeat(90) + '/' + 'e'.repeat(90)); // a long name: a PAX/GNU record
  mkdirSync(deep, { recursive: true });
  mkdirSync(join(root, 'bin'));
  copyFileSync('/bin/ls', join(root, 'bin/ls'));
  copyFileSync('/bin/ls', join(deep, 'ls-deep'));
  // Bigger than the memory cap (the spool's size before): ls with zeros after it (its sections stay put).
  writeFileSync(join(root, 'bin/big'), Buffer.concat([readFileSync('/bin/ls'), Buffer.alloc(MEMORY_CAP + 12345)]), {
    mode: 0o755,
  });
  writeFileSync(join(root, 'bin/script'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
  tar = join(dir, 'layer.tar');
  execFileSync('tar', ['--format=gnu', '--sort=name', '-C', root, '-cf', tar, '.']);
  inArchive = join(dir, 'archive');
  const fd = openSync(inArchive, 'w');
  writeSync(fd, Buffer.alloc(PREFIX, 0x5a));
  writeSync(fd, readFileSync(tar));
  closeSync(fd);
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function read(file: string, start: number, stored?: { file: string; start: number }): Promise<ParsedLayer> {
  const end = start + readFileSync(tar).length;
  return readLayer(fileChunks(file, 1 << 20, 4, { start, end }), {
    what: 'layer',
    analysers: [elfAnalyser],
    ...(stored ? { stored } : {}),
  });
}
const elfFacts = (l: ParsedLayer): Record<string, unknown> =>
  Object.fromEntries(l.entries.filter((e) => e.facts?.['elf']).map((e) => [e.path, e.facts!['elf']]));

test('a layer inside a file: its ELF files are read in place, and read the same as streamed (readelf agrees)', async () => {
  const streamed = elfFacts(await read(tar, 0));
  const before = { ...storedStats };
  const inPlace = elfFacts(await read(inArchive, PREFIX, { file: inArchive, start: PREFIX }));
  assert.equal(storedStats.direct - before.direct, 3, 'ls, the deep ls and the big one, read in place');
  assert.equal(storedStats.mismatched - before.mismatched, 0);
  assert.deepEqual(Object.keys(inPlace).sort(), Object.keys(streamed).sort());
  assert.equal(Object.keys(inPlace).length, 3);
  assert.deepEqual(inPlace, streamed);
  const re = readelfFile('/bin/ls');
  for (const f of Object.values(inPlace) as { needed: string[]; interpreter: string }[]) {
    assert.deepEqual(f.needed, re.needed);
    assert.equal(f.interpreter, re.interpreter);
  }
  const big = Object.entries(inPlace).find(([p]) => p === 'bin/big')![1] as { fileSize: number };
  assert.equal(big.fileSize, readFileSync('/bin/ls').length + MEMORY_CAP + 12345);
});

test('a stored place that does not hold the streamed bytes is not used: the stream is read as before', async () => {
  const streamed = elfFacts(await read(tar, 0));
  const before = { ...storedStats };
  // The claim is off by the prefix: the bytes there are another part of the archive.
  const claimed = elfFacts(await read(inArchive, PREFIX, { file: inArchive, start: 0 }));
  assert.equal(storedStats.direct - before.direct, 0);
  assert.equal(storedStats.mismatched - before.mismatched, 3);
  assert.deepEqual(claimed, streamed);
});
