/**
 * Seeded mutation fuzzing of parseElf over real binaries: bit flips, huge header fields, truncations,
 * version chains that wrap around in 32-bit arithmetic (cycles for a C reader), hostile dynamic entries.
 * parseElf must never throw, must return quickly, and must never ask the source for bytes past its end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { bytesSource, parseElf, type ByteSource, type ElfInfo } from '../../../src/model/elf/index.js';
import { sharedPath } from '../../helpers/shared.js';
import { rng } from '../../helpers/rng.js';

const SEEDS = [
  '/usr/bin/ls',
  '/usr/lib/x86_64-linux-gnu/libz.so.1',
  sharedPath('oracles/bins/c-hello-gcc-g'),
  sharedPath('oracles/bins/c-hello-musl-static'),
  sharedPath('oracles/bins/go-hello-cgo0'),
];
const ITERATIONS = 10000;
const MAX_MS_PER_CALL = 1000;

interface Tracked extends ByteSource {
  calls: number;
  bytesRequested: number;
  outOfRange: string[];
}

function tracked(bytes: Uint8Array): Tracked {
  const inner = bytesSource(bytes);
  const t: Tracked = {
    size: inner.size,
    calls: 0,
    bytesRequested: 0,
    outOfRange: [],
    read(offset: number, length: number): Uint8Array {
      t.calls++;
      t.bytesRequested += length;
      if (!(offset >= 0) || !(length >= 0) || offset + length > inner.size) {
        if (t.outOfRange.length < 3) t.outOfRange.push(`read(${offset}, ${length}) on size ${inner.size}`);
      }
      return inner.read(offset, length);
    },
  };
  return t;
}

interface Seed {
  path: string;
  bytes: Uint8Array;
  elf: ElfInfo;
  /** Offsets of interesting structures in the file. */
  verneed?: number;
  verdef?: number;
  dynamic?: number;
}

function loadSeed(path: string): Seed {
  const bytes = new Uint8Array(readFileSync(path));
  const r = parseElf(bytesSource(bytes));
  assert.ok(r.ok, `${path}: ${r.ok ? '' : r.malformed}`);
  const sec = (n: string): number | undefined => r.elf.sections.find((s) => s.name === n)?.offset;
  const s: Seed = { path, bytes, elf: r.elf };
  const vn = sec('.gnu.version_r');
  const vd = sec('.gnu.version_d');
  const dy = r.elf.programHeaders.find((p) => p.type === 2)?.offset;
  if (vn !== undefined) s.verneed = vn;
  if (vd !== undefined) s.verdef = vd;
  if (dy !== undefined) s.dynamic = dy;
  return s;
}

const HUGE = [0xffffffff, 0x7fffffff, 0x80000000, 0xfffffff0, 0x10000, 0xffff, 0];

function mutate(seed: Seed, rand: () => number): { bytes: Uint8Array; what: string } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const kind = Math.floor(rand() * 7);
  if (kind === 0) {
    // Truncation: mostly inside the headers / tables, sometimes anywhere.
    const n =
      rand() < 0.6 ? Math.floor(rand() * Math.min(seed.bytes.length, 65536)) : Math.floor(rand() * seed.bytes.length);
    return { bytes: seed.bytes.subarray(0, n), what: `truncate to ${n}` };
  }
  const b = new Uint8Array(seed.bytes);
  const dv = new DataView(b.buffer);
  const le = seed.elf.endian === 'le';
  const is64 = seed.elf.class === 64;
  const put32 = (off: number, v: number): void => {
    if (off >= 0 && off + 4 <= b.length) dv.setUint32(off, v >>> 0, le);
  };
  const put16 = (off: number, v: number): void => {
    if (off >= 0 && off + 2 <= b.length) dv.setUint16(off, v & 0xffff, le);
  };
  const put64 = (off: number, v: bigint): void => {
    if (off >= 0 && off + 8 <= b.length) dv.setBigUint64(off, v, le);
  };
  switch (kind) {
    case 1: {
      // Bit flips, biased towards the first 4 KiB (headers) and the structures we parse.
      const n = 1 + Math.floor(rand() * 8);
      const regions = [0, seed.dynamic ?? 0, seed.verneed ?? 0, seed.verdef ?? 0];
      for (let i = 0; i < n; i++) {
        const base = pick(regions);
        const off = rand() < 0.8 ? base + Math.floor(rand() * 512) : Math.floor(rand() * b.length);
        if (off < b.length) b[off]! ^= 1 << Math.floor(rand() * 8);
      }
      return { bytes: b, what: `flip ${n} bits` };
    }
    case 2: {
      // A file-header field set to a huge value.
      const fields = is64
        ? [
            [24, 8],
            [32, 8],
            [40, 8],
            [54, 2],
            [56, 2],
            [58, 2],
            [60, 2],
            [62, 2],
          ]
        : [
            [24, 4],
            [28, 4],
            [32, 4],
            [42, 2],
            [44, 2],
            [46, 2],
            [48, 2],
            [50, 2],
          ];
      const [off, size] = pick(fields) as [number, number];
      const v = pick(HUGE);
      if (size === 2) put16(off, v);
      else if (size === 4) put32(off, v);
      else put64(off, rand() < 0.5 ? BigInt(v) : 0xffffffffffffff00n);
      return { bytes: b, what: `ehdr@${off}=${v}` };
    }
    case 3: {
      // A program header's offset/filesz/vaddr set to a huge value.
      const ph = seed.elf.programHeaders;
      if (ph.length === 0) return { bytes: b, what: 'noop' };
      const phoff = is64 ? Number(dv.getBigUint64(32, le)) : dv.getUint32(28, le);
      const i = Math.floor(rand() * ph.length);
      const ent = is64 ? 56 : 32;
      const fieldOffs = is64 ? [8, 16, 32, 40] : [4, 8, 16, 20];
      const f = pick(fieldOffs);
      const v = pick(HUGE);
      if (is64) put64(phoff + i * ent + f, rand() < 0.5 ? BigInt(v) : 0x7ffffffffffff000n);
      else put32(phoff + i * ent + f, v);
      if (rand() < 0.3) put32(phoff + i * ent, pick([1, 2, 3, 7, 0x6474e551])); // retype the segment
      return { bytes: b, what: `phdr[${i}]+${f}=${v}` };
    }
    case 4: {
      // Version chains: vn_next / vna_next / vd_next that wrap to an earlier entry in 32-bit arithmetic
      // (a cycle for a C reader), zero, or huge; vn_cnt huge.
      const base = pick([seed.verneed, seed.verdef].filter((x): x is number => x !== undefined));
      if (base === undefined) return { bytes: b, what: 'noop' };
      const isNeed = base === seed.verneed;
      const entry = base + 16 * Math.floor(rand() * 3);
      const r = Math.floor(rand() * 5);
      if (isNeed) {
        if (r === 0)
          put32(entry + 12, 0x100000000 - (entry - base)); // vn_next back to the first entry
        else if (r === 1) put32(entry + 12, pick(HUGE));
        else if (r === 2)
          put16(entry + 2, 0xffff); // vn_cnt
        else if (r === 3)
          put32(entry + 8, 0); // vn_aux pointing at the verneed itself
        else put32(entry + 12, 16); // vn_next = 16: the next entry may be an aux (overlapping walk)
      } else {
        if (r === 0) put32(entry + 16, 0x100000000 - (entry - base));
        else if (r === 1) put32(entry + 16, pick(HUGE));
        else if (r === 2)
          put16(entry + 6, 0xffff); // vd_cnt
        else if (r === 3)
          put32(entry + 12, 0xfffffff0); // vd_aux
        else put32(entry + 16, 20);
      }
      return { bytes: b, what: `version chain ${isNeed ? 'need' : 'def'} r=${r}` };
    }
    case 5: {
      // Dynamic entries: huge values, and DT_VERNEEDNUM/DT_VERDEFNUM/DT_STRSZ/DT_STRTAB set hostile.
      if (seed.dynamic === undefined) return { bytes: b, what: 'noop' };
      const ent = is64 ? 16 : 8;
      const i = Math.floor(rand() * 30);
      const off = seed.dynamic + i * ent;
      const tag = pick([1, 5, 10, 14, 15, 29, 0x6ffffffe, 0x6fffffff, 0x6ffffffc, 0x6ffffffd]);
      if (is64) {
        if (rand() < 0.5) put64(off, BigInt(tag));
        put64(off + 8, rand() < 0.5 ? BigInt(pick(HUGE)) : BigInt(Math.floor(rand() * b.length)));
      } else {
        if (rand() < 0.5) put32(off, tag);
        put32(off + 4, rand() < 0.5 ? pick(HUGE) : Math.floor(rand() * b.length));
      }
      return { bytes: b, what: `dyn[${i}] tag ${tag}` };
    }
    default: {
      // Random 8-byte splats over the section header table or anywhere.
      const shoff = is64 ? Number(dv.getBigUint64(40, le)) : dv.getUint32(32, le);
      const n = 1 + Math.floor(rand() * 6);
      for (let k = 0; k < n; k++) {
        const off =
          rand() < 0.7 && shoff < b.length
            ? shoff + Math.floor(rand() * Math.min(4096, b.length - shoff))
            : Math.floor(rand() * b.length);
        for (let j = 0; j < 8 && off + j < b.length; j++) b[off + j] = Math.floor(rand() * 256);
      }
      return { bytes: b, what: `splat ${n}` };
    }
  }
}

test(`parseElf survives ${ITERATIONS} seeded mutations of real binaries`, { timeout: 180_000 }, () => {
  const seeds = SEEDS.filter((p) => existsSync(p)).map(loadSeed);
  assert.ok(seeds.length >= 4, 'fuzz seeds missing');
  const rand = rng(0x5eed);
  let maxMs = 0;
  let maxWhat = '';
  let failed = 0;
  const t0 = Date.now();
  for (let i = 0; i < ITERATIONS; i++) {
    const seed = seeds[i % seeds.length]!;
    const { bytes, what } = mutate(seed, rand);
    const src = tracked(bytes);
    const start = performance.now();
    let result;
    try {
      result = parseElf(src);
    } catch (e) {
      assert.fail(`iteration ${i} (${seed.path}, ${what}) threw: ${String(e)}`);
    }
    const ms = performance.now() - start;
    if (ms > maxMs) {
      maxMs = ms;
      maxWhat = `${seed.path} ${what}`;
    }
    if (!result.ok) failed++;
    assert.ok(ms < MAX_MS_PER_CALL, `iteration ${i} (${seed.path}, ${what}) took ${ms.toFixed(0)} ms`);
    assert.deepEqual(src.outOfRange, [], `iteration ${i} (${seed.path}, ${what}) read past the end`);
    // Bounded work: never more than a few times the file plus the fixed caps.
    assert.ok(src.calls < 300_000, `iteration ${i}: ${src.calls} reads`);
    if (what.startsWith('truncate to') && bytes.length < 52)
      assert.equal(result.ok, false, `${what} should be malformed`);
    if (result.ok) {
      // Results stay bounded too.
      assert.ok(result.elf.needed.length <= 65536);
      assert.ok(result.elf.versionNeeds.length <= 4096);
      assert.ok(result.elf.sections.length <= 65535);
    }
  }
  console.log(
    `fuzz: ${ITERATIONS} mutations over ${seeds.length} seeds in ${Date.now() - t0} ms; ` +
      `${failed} reported malformed; slowest call ${maxMs.toFixed(1)} ms (${maxWhat})`,
  );
});
