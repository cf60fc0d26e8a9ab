/**
 * A model of `upx --best --lzma` (UPX 4.2.x) on ELF files: whether UPX packs the file at all (refusals are data,
 * never savings) and, when it does, the packed size from the size of one raw LZMA1 stream (oracles README §2–5).
 *
 * Executables (ET_EXEC, PIE, static-pie): UPX compresses every byte of the file (PT_LOADs with the x86 call
 * filter on the text segment when its pre-scan allows it, then the gaps incl. .symtab/DWARF) and adds a ~6 kB stub:
 *   packed ≈ 0.991 · L + 5850        (7430 for static non-PIE ET_EXEC: its stub is bigger)
 * where L = size of `xz --format=raw [--x86] --lzma1=preset=9` of the whole file (--x86 iff the filter is possible).
 * Shared libraries: bytes below xct_off and writable PT_LOADs are stored as they are:
 *   packed ≈ xct_off + RW PT_LOAD filesz + L(non-writable PT_LOAD bytes ≥ xct_off, then the bytes after the last
 *            PT_LOAD) + 3000
 * Fitted on the oracle (UPX 4.2.3, 32 packable executables + 5 libraries) and checked against UPX 4.2.2 here
 * (8 more libraries: 4000 of the README's fit over-predicts small and mid-size ones).
 */
import type { ElfInfo } from '../elf/index.js';
import type { UpxScan } from './upx-scan.js';

const PT_LOAD = 1;
const PF_W = 2;

/** The smallest file UPX accepts (PackUnix::canPack: "file is too small"). */
export const UPX_MIN_FILE_SIZE = 4096;

export type UpxRefusal =
  | 'too-small'
  | 'already-packed'
  | 'not-executable'
  | 'unsupported-format'
  | 'shared-library-unsupported'
  | 'not-compressible';

export interface UpxFacts {
  /** Permission bits (tar header mode). UPX refuses files without the owner-x bit. */
  mode?: number;
  /** From scanForUpx on the file's bytes; without it the magic, filter and DT_INIT checks are skipped. */
  scan?: UpxScan;
}

export type UpxEligibility =
  | { ok: true }
  | {
      ok: false;
      refusal: UpxRefusal;
      /** UPX's own message (what `upx` prints). */
      message: string;
      /** What would make UPX accept it, when something simple would. */
      fix?: string;
    };

/** Machines UPX 4.2 packs as Linux ELF. x86 ones get the call filter and the fitted size model. */
const UPX_MACHINES = new Set([
  3 /* i386 */, 62 /* x86-64 */, 40 /* arm */, 183 /* aarch64 */, 8 /* mips */, 20, 21 /* ppc, ppc64 */,
]);

function refuse(refusal: UpxRefusal, message: string, fix?: string): UpxEligibility {
  return fix === undefined ? { ok: false, refusal, message } : { ok: false, refusal, message, fix };
}

/**
 * UPX's refusals, in the order UPX checks them. 'not-executable' is a refusal (UPX says "file not executable;
 * try 'chmod +x'"), with the fix given; 'not-compressible' can only be decided from the size (predictUpx).
 */
export function upxEligibility(elf: ElfInfo, fileSize: number, facts: UpxFacts = {}): UpxEligibility {
  // Order as UPX: tiny files are skipped before anything is read; then the format; then PackUnix::canPack.
  if (fileSize < 512) return refuse('too-small', 'IOException: file is too small');
  if (facts.scan?.packed) return refuse('already-packed', 'AlreadyPackedException');
  if (elf.type !== 'exec' && elf.type !== 'dyn')
    return refuse('unsupported-format', 'UnknownExecutableFormatException');
  if (
    !UPX_MACHINES.has(elf.machine) ||
    (elf.machine !== 40 && elf.machine !== 8 && elf.machine !== 20 && elf.endian !== 'le')
  )
    return refuse('unsupported-format', 'UnknownExecutableFormatException');
  const loads = elf.programHeaders.filter((p) => p.type === PT_LOAD);
  if (loads.length === 0) return refuse('unsupported-format', 'UnknownExecutableFormatException');
  // Non-page-aligned segments (ld -n / -N): UPX's ELF handlers do not recognise the file.
  if (loads.some((p) => p.align < 0x1000)) return refuse('unsupported-format', 'UnknownExecutableFormatException');
  if (fileSize < UPX_MIN_FILE_SIZE) return refuse('too-small', 'CantPackException: file is too small');
  if (facts.mode !== undefined && (facts.mode & 0o100) === 0)
    return refuse('not-executable', "CantPackException: file not executable; try 'chmod +x'", 'chmod +x');
  if (elf.kind === 'shared-lib') {
    const s = facts.scan?.shlib;
    if (s && !s.hasInit) {
      if (!s.hasInitArray)
        return refuse('shared-library-unsupported', 'CantPackException: need DT_INIT; try "void _init(void){}"');
      if (s.hasRelr)
        return refuse(
          'shared-library-unsupported',
          'CantPackException: bad init address 0 (init_array relocated by DT_RELR)',
        );
    }
  }
  return { ok: true };
}

export interface ByteRange {
  start: number;
  end: number;
}

/** What to compress for the model: the ranges, concatenated, go through ONE raw LZMA1 preset-9 stream. */
export interface UpxPackPlan {
  /** Ranges of the file to compress, in order. */
  ranges: ByteRange[];
  /** Use the x86 BCJ filter (`xz --x86`): x86 machine and UPX's ctok32 pre-scan succeeds. */
  x86Filter: boolean;
  /** Bytes UPX stores uncompressed (shared libraries: below xct_off, writable PT_LOADs). */
  storedBytes: number;
  /** Where those bytes are. */
  storedRanges: ByteRange[];
  /** packed ≈ storedBytes + slope · L + overhead. */
  slope: number;
  overhead: number;
  /** 'fitted': x86-64, checked against the real tool; 'approximate': i386 (one file measured) and other machines. */
  quality: 'fitted' | 'approximate';
  /**
   * Executables: the first PF_X PT_LOAD (without the ELF headers), which UPX packs on its own through
   * compressWithFilters. That routine only keeps a compressed block when `c_len + loader size < u_len`
   * (best_ph starts at c_len = u_len, and the loader counts), so a small text segment is STORED as it is —
   * e.g. /usr/bin/file's 7.5 kB text (LZMA 3.4 kB + a ~5 kB loader ≥ 7.5 kB). Set only when it is small
   * enough for that to happen (≤ UPX_STORE_CHECK_MAX); the adapter sizes it alone and calls `withStoredExtent`.
   */
  filteredExtent?: ByteRange;
}

/** The amd64 LZMA loader UPX 4.2 counts against the first filtered block (getLoaderSize; ~5 kB). */
export const UPX_LZMA_LOADER_BYTES = 5000;
/** A filtered extent larger than this always compresses by more than a loader. */
export const UPX_STORE_CHECK_MAX = 64 * 1024;

/** True when UPX stores the filtered extent raw: its own LZMA size plus the loader is no smaller. */
export function extentStored(extent: ByteRange, lzmaBytes: number, loaderBytes = UPX_LZMA_LOADER_BYTES): boolean {
  return lzmaBytes + loaderBytes >= extent.end - extent.start;
}

/** The plan with `extent` stored raw instead of compressed. */
export function withStoredExtent(plan: UpxPackPlan, extent: ByteRange): UpxPackPlan {
  const ranges: ByteRange[] = [];
  for (const r of plan.ranges) {
    if (r.end <= extent.start || r.start >= extent.end) ranges.push(r);
    else {
      if (r.start < extent.start) ranges.push({ start: r.start, end: extent.start });
      if (r.end > extent.end) ranges.push({ start: extent.end, end: r.end });
    }
  }
  const { filteredExtent: _drop, ...rest } = plan;
  return {
    ...rest,
    ranges,
    storedBytes: plan.storedBytes + (extent.end - extent.start),
    storedRanges: mergeRanges([...plan.storedRanges, extent]),
  };
}

/** The first PF_X PT_LOAD as UPX's packExtent sees it (the ELF header and phdrs go in their own block). */
function firstFilteredExtent(elf: ElfInfo, fileSize: number): ByteRange | undefined {
  const x = elf.programHeaders.find((p) => p.type === PT_LOAD && (p.flags & 1) !== 0);
  if (!x) return undefined;
  const hdr = elf.class === 64 ? 64 + 56 * elf.programHeaders.length : 52 + 32 * elf.programHeaders.length;
  const start = x.offset === 0 ? hdr : x.offset;
  const end = Math.min(fileSize, x.offset + x.filesz);
  return end > start ? { start, end } : undefined;
}

function mergeRanges(rs: ByteRange[]): ByteRange[] {
  const sorted = rs.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
  const out: ByteRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/** The bytes to feed the LZMA size adapter and the constants that turn its answer into a packed size. */
export function upxPackPlan(elf: ElfInfo, fileSize: number, scan?: UpxScan): UpxPackPlan {
  const x86 = elf.machine === 62 || elf.machine === 3;
  const x86Filter = x86 && (scan?.cto.possible ?? true);
  const quality = elf.machine === 62 ? 'fitted' : 'approximate';
  if (elf.kind !== 'shared-lib') {
    const staticExec = elf.type === 'exec' && elf.interpreter === undefined;
    // i386: one static ld-built file measured (UPX 4.2.2): its stub is ~5.1 kB. The former +1580 B for static
    // ET_EXEC was small static binaries' text being stored raw (filteredExtent), now modelled as such.
    const overhead = elf.machine === 3 ? 5070 : staticExec && elf.machine !== 62 ? 7430 : 5850;
    const ext = elf.machine === 62 ? firstFilteredExtent(elf, fileSize) : undefined;
    const small = ext !== undefined && ext.end - ext.start <= UPX_STORE_CHECK_MAX ? { filteredExtent: ext } : {};
    return {
      ranges: [{ start: 0, end: fileSize }],
      x86Filter,
      storedBytes: 0,
      storedRanges: [],
      slope: 0.991,
      overhead,
      quality,
      ...small,
    };
  }
  const loads = elf.programHeaders.filter((p) => p.type === PT_LOAD);
  const xct = scan?.shlib?.xctOff ?? xctFromSections(elf) ?? 0;
  let stored = xct;
  const storedRanges: ByteRange[] = [{ start: 0, end: xct }];
  const ranges: ByteRange[] = [];
  let lastEnd = 0;
  for (const p of loads) {
    const end = Math.min(fileSize, p.offset + p.filesz);
    lastEnd = Math.max(lastEnd, end);
    if ((p.flags & PF_W) !== 0) {
      stored += Math.max(0, end - Math.max(p.offset, xct));
      storedRanges.push({ start: Math.max(p.offset, xct), end });
      continue;
    }
    ranges.push({ start: Math.max(p.offset, xct), end });
  }
  ranges.push({ start: lastEnd, end: fileSize });
  return {
    ranges: mergeRanges(ranges),
    x86Filter,
    storedBytes: stored,
    storedRanges: mergeRanges(storedRanges),
    slope: 1,
    overhead: 3000,
    quality,
  };
}

function xctFromSections(elf: ElfInfo): number | undefined {
  let best: { addr: number; offset: number } | undefined;
  for (const s of elf.sections) if ((s.flags & 0x4) !== 0 && s.size > 0 && (!best || s.addr < best.addr)) best = s;
  return best?.offset;
}

/** Total bytes of a plan's ranges (what the LZMA adapter will read). */
export function planInputBytes(plan: UpxPackPlan): number {
  return plan.ranges.reduce((n, r) => n + (r.end - r.start), 0);
}

export interface UpxPrediction {
  /** Predicted size of the `upx --best --lzma` output. */
  size: number;
  /** fileSize − size. */
  savedBytes: number;
}

/**
 * Packed size from the plan and L = raw LZMA1 preset-9 size of the plan's ranges (lzmaRawSize in src/io).
 * Returns the 'not-compressible' refusal when UPX would find no gain.
 */
export function predictUpx(
  plan: UpxPackPlan,
  lzmaBytes: number,
  fileSize: number,
): UpxPrediction | { refusal: 'not-compressible' } {
  const size = Math.round(plan.storedBytes + plan.slope * lzmaBytes + plan.overhead);
  if (size >= fileSize) return { refusal: 'not-compressible' };
  return { size, savedBytes: fileSize - size };
}

/**
 * gzip -6 size of a `upx --best --lzma` output (README §5): LZMA-packed bytes do not compress; gzip only wins
 * ~1.25 kB of stub/header padding (fit on the oracle's upx_best_lzma_gzip6: packed·1.00017 − 1250 within 0.4%
 * for outputs ≥ 15 kB; tiny outputs still hold page padding: ~0.8).
 * Shared libraries keep plan.storedRanges uncompressed; pass their gzip size (`storedGzipBytes`, e.g. deflate
 * level 6 of those ranges) — .dynsym/.dynstr and relocated data compress far better than the file on average.
 */
export function predictUpxGzip(packedSize: number, storedBytes = 0, storedGzipBytes = storedBytes * 0.45): number {
  const packedPart = Math.max(0, packedSize - storedBytes);
  const packedGzip = packedPart >= 15_000 ? packedPart * 1.00017 - 1250 : packedPart * 0.8;
  return Math.round(packedGzip + storedGzipBytes);
}

/** The caveats to show wherever UPX is offered (DOMAIN.md §6). */
export const UPX_CAVEATS: readonly string[] = [
  'decompressed into memory at every start: slower start-up, more RSS, no page sharing between processes',
  'cannot be profiled or debugged as usual (perf, gdb, core dumps see the stub)',
  'flagged by some virus and supply-chain scanners',
  'packed bytes do not compress: in a gzip/zstd layer the pull-size saving is much smaller than the on-disk one',
];
