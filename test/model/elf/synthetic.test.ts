/**
 * Hand-built ELF files in all four class/byte-order combinations (the machine has no big-endian dynamic
 * binaries): a dynamic object with interpreter, DT_NEEDED, SONAME, RPATH/RUNPATH, version needs and
 * definitions. readelf reads them too and is the reference.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesSource, parseElf } from '../../../src/model/elf/index.js';
import { READELF_MACHINES, readelfFile } from '../../helpers/readelf.js';

const dir = mkdtempSync(join(tmpdir(), 'slimtui-synth-elf-'));
after(() => rmSync(dir, { recursive: true, force: true }));

class Out {
  bytes = new Uint8Array(1 << 14);
  dv = new DataView(this.bytes.buffer);
  constructor(
    readonly le: boolean,
    readonly is64: boolean,
  ) {}
  u8(o: number, v: number): void {
    this.dv.setUint8(o, v);
  }
  u16(o: number, v: number): void {
    this.dv.setUint16(o, v, this.le);
  }
  u32(o: number, v: number): void {
    this.dv.setUint32(o, v, this.le);
  }
  word(o: number, v: number): void {
    if (this.is64) this.dv.setBigUint64(o, BigInt(v), this.le);
    else this.dv.setUint32(o, v, this.le);
  }
  str(o: number, s: string): void {
    this.bytes.set(new TextEncoder().encode(s + '\0'), o);
  }
}

/** A string table builder. */
function strtab(strings: string[]): { bytes: string; at: Map<string, number> } {
  let bytes = '\0';
  const at = new Map<string, number>();
  for (const s of strings) {
    if (at.has(s)) continue;
    at.set(s, bytes.length);
    bytes += s + '\0';
  }
  return { bytes, at };
}

function build(is64: boolean, le: boolean, machine: number): Uint8Array {
  const o = new Out(le, is64);
  const V = 0x10000; // vaddr of file offset 0
  const ehsize = is64 ? 64 : 52;
  const phent = is64 ? 56 : 32;
  const shent = is64 ? 64 : 40;
  const interp = '/lib/ld-synthetic.so.1';
  const ds = strtab([
    'libc.so.6',
    'libm.so.6',
    'libsynth.so.2',
    '$ORIGIN/lib:/opt/a',
    '/runpath',
    'GLIBC_2.17',
    'GLIBC_2.28',
    'GLIBC_2.29',
    'SYN_1',
    'SYN_2',
  ]);
  const INTERP = 0x200;
  const DYNSTR = 0x240;
  const VERNEED = 0x400;
  const VERDEF = 0x480;
  const DYN = 0x500;
  const SHSTR = 0x700;
  const SHOFF = 0x800;
  // ELF header
  o.bytes.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1], 0);
  o.u16(16, 3); // ET_DYN
  o.u16(18, machine);
  o.u32(20, 1);
  o.word(24, V + 0x100);
  o.word(is64 ? 32 : 28, ehsize); // e_phoff
  o.word(is64 ? 40 : 32, SHOFF);
  const b = is64 ? 52 : 40;
  o.u16(b, ehsize);
  o.u16(b + 2, phent);
  o.u16(b + 4, 3);
  o.u16(b + 6, shent);
  o.u16(b + 8, 7);
  o.u16(b + 10, 6);
  // Program headers: LOAD (whole file), INTERP, DYNAMIC
  const ph = (i: number, type: number, off: number, size: number, flags: number): void => {
    const p = ehsize + i * phent;
    o.u32(p, type);
    if (is64) {
      o.u32(p + 4, flags);
      o.word(p + 8, off);
      o.word(p + 16, V + off);
      o.word(p + 24, V + off);
      o.word(p + 32, size);
      o.word(p + 40, size);
      o.word(p + 48, type === 1 ? 0x1000 : 8);
    } else {
      o.u32(p + 4, off);
      o.u32(p + 8, V + off);
      o.u32(p + 12, V + off);
      o.u32(p + 16, size);
      o.u32(p + 20, size);
      o.u32(p + 24, flags);
      o.u32(p + 28, type === 1 ? 0x1000 : 4);
    }
  };
  ph(0, 1, 0, SHOFF, 5);
  ph(1, 3, INTERP, interp.length + 1, 4);
  const dynEnt = is64 ? 16 : 8;
  const dyn: [number, number][] = [
    [1, ds.at.get('libc.so.6')!],
    [1, ds.at.get('libm.so.6')!],
    [14, ds.at.get('libsynth.so.2')!],
    [15, ds.at.get('$ORIGIN/lib:/opt/a')!],
    [29, ds.at.get('/runpath')!],
    [5, V + DYNSTR],
    [10, ds.bytes.length],
    [0x6ffffffe, V + VERNEED],
    [0x6fffffff, 2],
    [0x6ffffffc, V + VERDEF],
    [0x6ffffffd, 3],
    [0, 0],
  ];
  ph(2, 2, DYN, dyn.length * dynEnt, 6);
  o.str(INTERP, interp);
  o.str(DYNSTR, ds.bytes.slice(0, -1));
  dyn.forEach(([tag, val], i) => {
    o.word(DYN + i * dynEnt, tag);
    o.word(DYN + i * dynEnt + (is64 ? 8 : 4), val);
  });
  // Verneed: libc.so.6 {GLIBC_2.17, GLIBC_2.28}, libm.so.6 {GLIBC_2.29}
  const vn = (off: number, file: string, names: string[], last: boolean, firstIndex: number): number => {
    o.u16(off, 1);
    o.u16(off + 2, names.length);
    o.u32(off + 4, ds.at.get(file)!);
    o.u32(off + 8, 16);
    o.u32(off + 12, last ? 0 : 16 + 16 * names.length);
    names.forEach((n, i) => {
      const a = off + 16 + 16 * i;
      o.u32(a, 0x1234 + i);
      o.u16(a + 4, 0);
      o.u16(a + 6, firstIndex + i);
      o.u32(a + 8, ds.at.get(n)!);
      o.u32(a + 12, i === names.length - 1 ? 0 : 16);
    });
    return off + 16 + 16 * names.length;
  };
  const n2 = vn(VERNEED, 'libc.so.6', ['GLIBC_2.17', 'GLIBC_2.28'], false, 4);
  vn(n2, 'libm.so.6', ['GLIBC_2.29'], true, 6);
  // Verdef: base (libsynth.so.2), SYN_1, SYN_2 (parent SYN_1)
  const defs: [number, string[]][] = [
    [1, ['libsynth.so.2']],
    [0, ['SYN_1']],
    [0, ['SYN_2', 'SYN_1']],
  ];
  let d = VERDEF;
  defs.forEach(([flags, names], i) => {
    o.u16(d, 1);
    o.u16(d + 2, flags);
    o.u16(d + 4, i + 1);
    o.u16(d + 6, names.length);
    o.u32(d + 8, 0);
    o.u32(d + 12, 20);
    const size = 20 + 8 * names.length;
    o.u32(d + 16, i === defs.length - 1 ? 0 : size);
    names.forEach((n, j) => {
      o.u32(d + 20 + 8 * j, ds.at.get(n)!);
      o.u32(d + 20 + 8 * j + 4, j === names.length - 1 ? 0 : 8);
    });
    d += size;
  });
  // Sections: null, .interp, .dynstr, .gnu.version_r, .gnu.version_d, .dynamic, .shstrtab
  const ss = strtab(['.interp', '.dynstr', '.gnu.version_r', '.gnu.version_d', '.dynamic', '.shstrtab']);
  o.str(SHSTR, ss.bytes.slice(0, -1));
  const sh = (
    i: number,
    name: string,
    type: number,
    off: number,
    size: number,
    link: number,
    info: number,
    flags: number,
  ): void => {
    const s = SHOFF + i * shent;
    o.u32(s, ss.at.get(name)!);
    o.u32(s + 4, type);
    if (is64) {
      o.word(s + 8, flags);
      o.word(s + 16, flags ? V + off : 0);
      o.word(s + 24, off);
      o.word(s + 32, size);
      o.u32(s + 40, link);
      o.u32(s + 44, info);
      o.word(s + 48, 1);
    } else {
      o.u32(s + 8, flags);
      o.u32(s + 12, flags ? V + off : 0);
      o.u32(s + 16, off);
      o.u32(s + 20, size);
      o.u32(s + 24, link);
      o.u32(s + 28, info);
      o.u32(s + 32, 1);
    }
  };
  sh(1, '.interp', 1, INTERP, interp.length + 1, 0, 0, 2);
  sh(2, '.dynstr', 3, DYNSTR, ds.bytes.length, 0, 0, 2);
  sh(3, '.gnu.version_r', 0x6ffffffe, VERNEED, n2 + 32 - VERNEED, 2, 2, 2);
  sh(4, '.gnu.version_d', 0x6ffffffd, VERDEF, d - VERDEF, 2, 3, 2);
  sh(5, '.dynamic', 6, DYN, dyn.length * dynEnt, 2, 0, 3);
  sh(6, '.shstrtab', 3, SHSTR, ss.bytes.length, 0, 0, 0);
  return o.bytes.slice(0, SHOFF + 7 * shent);
}

for (const [is64, le, machine] of [
  [true, true, 62],
  [false, true, 3],
  [true, false, 22],
  [false, false, 8],
] as const) {
  const name = `synthetic ELF${is64 ? 64 : 32} ${le ? 'LE' : 'BE'}`;
  test(`${name}: dynamic facts agree with readelf`, () => {
    const bytes = build(is64, le, machine);
    const file = join(dir, `synth-${is64 ? 64 : 32}-${le ? 'le' : 'be'}`);
    writeFileSync(file, bytes);
    const re = readelfFile(file);
    const r = parseElf(bytesSource(bytes));
    assert.ok(r.ok, r.ok ? '' : r.malformed);
    const e = r.elf;
    assert.equal(e.class, is64 ? 64 : 32);
    assert.equal(e.endian, le ? 'le' : 'be');
    assert.equal(e.machine, READELF_MACHINES[re.machine ?? '']);
    assert.equal(e.type, re.type);
    assert.equal(e.interpreter, re.interpreter);
    assert.deepEqual(e.needed, re.needed);
    assert.equal(e.soname, re.soname);
    assert.deepEqual(e.rpath, re.rpath);
    assert.deepEqual(e.runpath, re.runpath);
    assert.deepEqual(e.versionNeeds, re.versionNeeds);
    assert.deepEqual(e.versionDefs, re.versionDefs);
    // Independently known from the construction, too (guards against readelf parsing nothing).
    assert.deepEqual(re.needed, ['libc.so.6', 'libm.so.6']);
    assert.deepEqual(re.versionDefs, ['SYN_1', 'SYN_2']);
    assert.deepEqual(re.versionNeeds, [
      { file: 'libc.so.6', versions: ['GLIBC_2.17', 'GLIBC_2.28'] },
      { file: 'libm.so.6', versions: ['GLIBC_2.29'] },
    ]);
    assert.deepEqual(re.rpath, ['$ORIGIN/lib', '/opt/a']);
    assert.equal(e.minGlibc, '2.29');
    // ET_DYN + PT_INTERP + SONAME + no DF_1_PIE: a runnable shared library (like glibc's libc.so.6).
    assert.equal(e.kind, 'shared-lib');
  });
}
