/**
 * ELF fields as the loader reads them, checked against binutils readelf on crafted files (elf-writer.ts) and on
 * gcc-built files patched here: 64-bit addresses above 2^53 (IA-64 puts code at 0x4000000000000000), DT_STRSZ
 * that stops short of the names, a `.dynamic` section without PT_DYNAMIC, names that are not UTF-8, and EM_S390
 * in both classes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesSource, parseElf, type ElfInfo } from '../../../src/model/elf/index.js';
import { readelfFile } from '../../helpers/readelf.js';
import { craftElf, strtab } from './elf-writer.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'slimtui-elf-exact-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_RUNPATH = 29;

function parseFile(path: string): ElfInfo {
  const r = parseElf(bytesSource(readFileSync(path)));
  assert.ok(r.ok, r.ok ? '' : r.malformed);
  return r.elf;
}

function readelf(args: string[], file: string): string {
  const r = spawnSync('readelf', ['-W', ...args, file], { encoding: 'latin1' });
  assert.ok(r.status === 0 || r.stdout.length > 0, `readelf ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

test('IA-64 addresses above 2^53: DT_STRTAB at 0x40000000000005d8 maps to the right strings (readelf -d / -l)', () => {
  // Doubles near 2^62 are 1024 apart: 0x40000000000005d8 rounds to 0x4000000000000400, where a decoy table sits.
  const base = 0x4000000000000000n;
  const decoy = strtab(['libwrong.so', '/decoy/dir/xx']);
  const real = strtab(['libfoo.so.1', '/opt/ia64/lib']);
  assert.deepEqual(decoy.index, real.index); // same indexes, different strings
  const strAddr = 0x40000000000005d8n;
  assert.notEqual(BigInt(Number(strAddr)), strAddr, 'the address must not be exact as a double');
  const file = join(dir, 'ia64.so');
  writeFileSync(
    file,
    craftElf({
      is64: true,
      le: true,
      machine: 50,
      base,
      size: 0x800,
      blobs: [
        { at: 0x400, bytes: decoy.bytes },
        { at: 0x5d8, bytes: real.bytes },
      ],
      dynamic: {
        at: 0x700,
        segment: true,
        entries: [
          [DT_NEEDED, BigInt(real.index[0]!)],
          [DT_RUNPATH, BigInt(real.index[1]!)],
          [DT_STRTAB, strAddr],
          [DT_STRSZ, BigInt(real.bytes.length)],
        ],
      },
    }),
  );
  const l = readelf(['-l'], file);
  assert.match(l, /LOAD\s+0x0+ 0x4000000000000000 /);
  assert.match(l, /DYNAMIC\s+0x0+700 0x4000000000000700 /);
  const re = readelfFile(file);
  assert.deepEqual(re.needed, ['libfoo.so.1']);
  assert.deepEqual(re.runpath, ['/opt/ia64/lib']);
  const e = parseFile(file);
  assert.equal(e.machine, 50);
  assert.deepEqual(e.needed, re.needed);
  assert.deepEqual(e.runpath, re.runpath);
  assert.equal(e.warnings, undefined);
});

/** The file offset and size of a section, from `readelf -S`. */
function sectionOf(file: string, name: string): { offset: number; size: number } {
  const line = readelf(['-S'], file)
    .split('\n')
    .find((x) => x.includes(` ${name} `));
  assert.ok(line, `no ${name} in ${file}`);
  const m = /\]\s+\S+\s+\S+\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)/.exec(line);
  assert.ok(m, line);
  return { offset: parseInt(m[1]!, 16), size: parseInt(m[2]!, 16) };
}

function gcc(args: string[]): void {
  const r = spawnSync('gcc', args, { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, `gcc ${args.join(' ')}: ${r.stderr}`);
}

test('DT_STRSZ is not a limit (glibc never checks it): names and version names past it still read, as readelf -V and the loader do', () => {
  writeFileSync(join(dir, 'hello.c'), '#include <stdio.h>\nint main(void){ puts("ok"); return 0; }\n');
  gcc(['-O1', '-o', 'hello', 'hello.c']);
  const orig = join(dir, 'hello');
  const patched = join(dir, 'hello-strsz');
  copyFileSync(orig, patched);
  // Walk .dynamic (16-byte entries, little-endian) and set DT_STRSZ to 1: every name lies past it.
  const bytes = readFileSync(patched);
  const dyn = sectionOf(patched, '.dynamic');
  let hit = false;
  for (let o = dyn.offset; o + 16 <= dyn.offset + dyn.size; o += 16) {
    if (bytes.readBigUInt64LE(o) === BigInt(DT_STRSZ)) {
      bytes.writeBigUInt64LE(1n, o + 8);
      hit = true;
    }
  }
  assert.ok(hit, 'no DT_STRSZ found');
  writeFileSync(patched, bytes);
  assert.match(readelf(['-d'], patched), /\(STRSZ\)\s+1 \(bytes\)/);
  // The loader does not care: the patched program runs.
  const run = spawnSync(patched, [], { encoding: 'utf8' });
  assert.equal(run.stdout, 'ok\n');
  const want = readelfFile(orig); // the names themselves did not move
  const wantV = readelfFile(patched); // readelf -V reads version names through the section headers
  const e = parseFile(patched);
  assert.deepEqual(e.needed, want.needed);
  assert.deepEqual(e.versionNeeds, wantV.versionNeeds);
  assert.ok(e.versionNeeds.length > 0 && e.minGlibc !== undefined);
  assert.ok(e.warnings?.includes('a dynamic string lies past DT_STRSZ'));
});

test('a .dynamic section without PT_DYNAMIC gives no dependencies (the loader never sees it; readelf -d agrees)', () => {
  writeFileSync(join(dir, 'lib.c'), 'int foo(void){ return 1; }\n');
  gcc(['-shared', '-fPIC', '-o', 'libx.so', 'lib.c', '-Wl,-soname,libx.so.1', '-Wl,-rpath,/opt/x']);
  const f = join(dir, 'libx.so');
  const before = parseFile(f);
  assert.deepEqual(before.needed, readelfFile(f).needed);
  assert.equal(before.soname, 'libx.so.1');
  // Turn PT_DYNAMIC (type 2) into PT_NULL in the program header table (e_phoff at 0x20, 56-byte entries).
  const bytes = readFileSync(f);
  const phoff = Number(bytes.readBigUInt64LE(0x20));
  const phnum = bytes.readUInt16LE(0x38);
  let hit = false;
  for (let i = 0; i < phnum; i++) {
    if (bytes.readUInt32LE(phoff + i * 56) === 2) {
      bytes.writeUInt32LE(0, phoff + i * 56);
      hit = true;
    }
  }
  assert.ok(hit);
  writeFileSync(f, bytes);
  assert.doesNotMatch(readelf(['-l'], f), /DYNAMIC/);
  assert.match(readelf(['-S'], f), / \.dynamic /);
  const re = readelfFile(f);
  const e = parseFile(f);
  assert.deepEqual(e.needed, re.needed);
  assert.deepEqual(e.needed, []);
  assert.equal(e.soname, re.soname);
  assert.equal(e.soname, undefined);
  assert.deepEqual(e.rpath, []);
  assert.ok(e.warnings?.some((w) => w.includes('without PT_DYNAMIC')));
});

test('names keep their bytes: two non-UTF-8 DT_NEEDED names stay distinct (\\xNN for each byte that is not UTF-8)', () => {
  const names = [
    Buffer.from('lib\xff.so', 'latin1'),
    Buffer.from('lib\xfe.so', 'latin1'),
    Buffer.from('libé.so', 'utf8'),
  ];
  const t = strtab(names);
  const file = join(dir, 'bytes.so');
  writeFileSync(
    file,
    craftElf({
      is64: true,
      le: true,
      machine: 62,
      base: 0n,
      size: 0x400,
      blobs: [{ at: 0x200, bytes: t.bytes }],
      dynamic: {
        at: 0x300,
        segment: true,
        entries: [
          ...t.index.map((i) => [DT_NEEDED, BigInt(i)] as [number, bigint]),
          [DT_STRTAB, 0x200n],
          [DT_STRSZ, BigInt(t.bytes.length)],
        ],
      },
    }),
  );
  // readelf prints the raw bytes; escape them here by hand (valid UTF-8 kept, any other byte as \xNN).
  const raw = [...readelf(['-d'], file).matchAll(/Shared library: \[(.*)\]/g)].map((m) => Buffer.from(m[1]!, 'latin1'));
  assert.equal(raw.length, 3);
  const escape = (b: Buffer): string => {
    const s = b.toString('utf8');
    return Buffer.from(s, 'utf8').equals(b)
      ? s
      : [...b].map((c) => (c < 0x80 ? String.fromCharCode(c) : `\\x${c.toString(16)}`)).join('');
  };
  const want = raw.map(escape);
  assert.deepEqual(want, ['lib\\xff.so', 'lib\\xfe.so', 'libé.so']);
  assert.deepEqual(parseFile(file).needed, want);
});

test('EM_S390 (22): s390 for ELF32, s390x for ELF64 (readelf says "IBM S/390" for both)', () => {
  for (const [is64, name] of [
    [false, 's390'],
    [true, 's390x'],
  ] as const) {
    const file = join(dir, `s390-${is64 ? 64 : 32}`);
    writeFileSync(file, craftElf({ is64, le: false, type: 2, machine: 22, base: 0x400000n, size: 0x200, blobs: [] }));
    const re = readelfFile(file);
    assert.equal(re.machine, 'IBM S/390');
    const e = parseFile(file);
    assert.equal(e.machine, 22);
    assert.equal(e.class, is64 ? 64 : 32);
    assert.equal(e.machineName, name);
  }
});
