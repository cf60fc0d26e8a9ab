/** The ELF content analyser: memory vs spool paths agree, non-ELF files are dropped early, broken ones are "malformed". */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Entry } from '../../src/model/entry.js';
import { elfAnalyser, MEMORY_CAP } from '../../src/io/elf-analyser.js';
import { textAnalyser } from '../../src/io/text-analyser.js';
import { readelfFile } from '../helpers/readelf.js';

const entryOf = (path: string, size: number): Entry => ({
  path,
  kind: 'file',
  size,
  mode: 0o755,
  uid: 0,
  gid: 0,
  mtime: 0,
});

async function feed(bytes: Buffer, chunk = 65536, path = 'bin/x'): Promise<{ entry: Entry; writes: number }> {
  const entry = entryOf(path, bytes.length);
  const sink = elfAnalyser.open(entry);
  let writes = 0;
  for (let i = 0; i < bytes.length; i += chunk) {
    writes++;
    if (!sink.write(bytes.subarray(i, i + chunk))) break;
  }
  // A spooled file ends once its writes behind the stream have landed.
  await sink.end();
  return { entry, writes };
}

test('an ELF file bigger than the memory cap is spooled to an unlinked temp file and reads the same', async () => {
  const ls = readFileSync('/bin/ls');
  const big = Buffer.concat([ls, Buffer.alloc(MEMORY_CAP + 1024 * 1024)]); // sections stay where e_shoff says
  const before = readdirSync(tmpdir()).filter((n) => n.startsWith('slimtui-spool-')).length;
  const small = (await feed(ls)).entry.facts!['elf'] as { needed: string[]; interpreter: string; fileSize: number };
  const spooled = (await feed(big, 1 << 20)).entry.facts!['elf'] as {
    needed: string[];
    interpreter: string;
    fileSize: number;
  };
  const re = readelfFile('/bin/ls');
  assert.deepEqual(small.needed, re.needed);
  assert.equal(small.interpreter, re.interpreter);
  assert.deepEqual(spooled.needed, re.needed);
  assert.equal(spooled.interpreter, re.interpreter);
  assert.equal(spooled.fileSize, big.length);
  assert.equal(
    readdirSync(tmpdir()).filter((n) => n.startsWith('slimtui-spool-')).length,
    before,
    'no spool file left behind',
  );
});

test('a spooled file ended or aborted while its writes are in flight closes its descriptor once they land', async () => {
  const openFds = (): number => readdirSync('/proc/self/fd').length;
  const ls = readFileSync('/bin/ls');
  const big = Buffer.concat([ls, Buffer.alloc(MEMORY_CAP + 8 * 1024 * 1024)]);
  const before = openFds();
  const sink = elfAnalyser.open(entryOf('usr/lib/big.so', big.length));
  for (let i = 0; i < big.length; i += 1 << 20) assert.ok(sink.write(big.subarray(i, i + (1 << 20))));
  assert.equal(openFds(), before + 1, 'the spool file is open while its writes land');
  sink.abort!();
  // abort() leaves the close to the writes still in flight; once they land the descriptor is gone, not leaked.
  for (let i = 0; i < 200 && openFds() > before; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(openFds(), before);
});

test('non-ELF content stops after the first chunk and leaves no fact; tiny first chunks still work', async () => {
  const text = Buffer.alloc(1 << 20, 0x61);
  const r = await feed(text);
  assert.equal(r.writes, 1);
  assert.equal(r.entry.facts, undefined);
  const ls = readFileSync('/bin/ls');
  const t = (await feed(ls, 3)).entry.facts!['elf'] as { kind: string };
  assert.equal(t.kind, 'dynamic-exec');
});

test('a truncated ELF file gives a malformed fact', async () => {
  const ls = readFileSync('/bin/ls');
  const f = (await feed(ls.subarray(0, 40 + 24))).entry.facts!['elf'] as { malformed?: string };
  assert.equal(typeof f.malformed, 'string');
});

test('the text analyser keeps only the well-known small files', () => {
  assert.ok(textAnalyser.wants(entryOf('etc/ld.so.conf', 100)));
  assert.ok(textAnalyser.wants(entryOf('etc/ld.so.conf.d/libc.conf', 100)));
  assert.ok(textAnalyser.wants(entryOf('etc/ld-musl-x86_64.path', 100)));
  assert.ok(!textAnalyser.wants(entryOf('etc/passwd', 100)));
  assert.ok(!textAnalyser.wants(entryOf('etc/ld.so.conf', 1 << 20)));
  const e = entryOf('etc/os-release', 20);
  const s = textAnalyser.open(e);
  s.write(Buffer.from('PRETTY_NAME="X 1"\n'));
  void s.end();
  assert.equal(e.facts!['text'], 'PRETTY_NAME="X 1"\n');
});
