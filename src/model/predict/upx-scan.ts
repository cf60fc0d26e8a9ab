/**
 * What UPX looks at in a file's bytes before packing it (UPX 4.2 source, oracles README §2–3):
 * - the "UPX!" magic of an already packed file;
 * - the x86 call/jump filter pre-scan (filter 0x49 "ctok32"): on the largest PF_X PT_LOAD (minus the ELF header
 *   and program headers when it starts at offset 0), every E8/E9/0F 8x whose rel32 target falls outside the
 *   buffer marks the byte after the opcode as unusable for the "cto" marker; the filter is possible iff some
 *   byte value stays free and no in-buffer target is ≥ 16 MiB;
 * - for shared libraries: DT_INIT, or DT_INIT_ARRAY (UPX reads init_array[0] through RELA, not RELR); and xct_off, the
 *   file offset of the lowest-addressed SHF_EXECINSTR section (UPX stores everything below it uncompressed).
 */
import { readClamped, type ByteSource } from '../elf/byte-reader.js';
import type { ElfInfo } from '../elf/index.js';
import { parseDynamic } from '../elf/dynamic.js';
import { parseElfHeader } from '../elf/elf-header.js';
import { parseSections } from '../elf/sections.js';

const PT_LOAD = 1;
const PF_X = 1;
const SHF_EXECINSTR = 0x4;
const DT_INIT = 12;
const DT_INIT_ARRAY = 25;
const DT_RELR = 36;
const CHUNK = 1 << 20;

export interface CtoScan {
  /** Bytes scanned (the filter's buffer). */
  bufferBytes: number;
  /** Byte values still free to be the cto marker. */
  freeBytes: number;
  /** Some in-buffer branch target lies ≥ 16 MiB from the buffer start (the 24-bit encoding cannot hold it). */
  farTarget: boolean;
  /** UPX can apply filter 0x49. */
  possible: boolean;
}

export interface UpxScan {
  /** "UPX!" found where UPX puts it (after the program headers, or in the last 64 bytes). */
  packed: boolean;
  cto: CtoScan;
  /** Shared libraries only. */
  shlib?: {
    /** DT_INIT present. */
    hasInit: boolean;
    /** DT_INIT_ARRAY present. */
    hasInitArray: boolean;
    /** DT_RELR present (packed relative relocations, which UPX 4.2 does not read: init_array[0] looks like 0). */
    hasRelr: boolean;
    /** UPX's xct_off. */
    xctOff?: number;
  };
}

/** The largest PF_X PT_LOAD as a file range [start, end), skipping the headers when it starts at 0. */
export function filterRange(elf: ElfInfo, fileSize: number): { start: number; end: number } | undefined {
  let best: { offset: number; filesz: number } | undefined;
  for (const p of elf.programHeaders) {
    if (p.type !== PT_LOAD || (p.flags & PF_X) === 0) continue;
    if (!best || p.filesz > best.filesz) best = p;
  }
  if (!best) return undefined;
  const is64 = elf.class === 64;
  let start = best.offset;
  if (start === 0) start = (is64 ? 64 : 52) + elf.programHeaders.length * (is64 ? 56 : 32);
  const end = Math.min(fileSize, best.offset + best.filesz);
  return end > start ? { start, end } : undefined;
}

/** UPX's ctok32 pre-scan (first pass, as in filter/ctok.h): which cto marker bytes remain free. */
export function scanCto(src: ByteSource, start: number, end: number): CtoScan {
  const size = end - start;
  const used = new Uint8Array(256);
  let farTarget = false;
  if (size > 5) {
    // Read with a 5-byte overlap so that the rel32 after an opcode at a chunk's end is visible.
    let prev = -1; // byte before the current chunk
    for (let base = 0; base < size - 5; base += CHUNK) {
      const want = Math.min(CHUNK + 5, size - base);
      const b = readClamped(src, start + base, want);
      const limit = Math.min(CHUNK, size - 5 - base);
      for (let i = 0; i < limit; i++) {
        const c = b[i]!;
        const before = i > 0 ? b[i - 1]! : prev;
        const ic = base + i;
        if (c === 0xe8 || c === 0xe9 || (ic !== 0 && before === 0x0f && c >= 0x80 && c <= 0x8f)) {
          const rel = (b[i + 1]! | (b[i + 2]! << 8) | (b[i + 3]! << 16) | (b[i + 4]! << 24)) >>> 0;
          const jc = (rel + ic + 1) >>> 0;
          if (jc >= size) used[b[i + 1]!] = 1;
          else if (jc >= 1 << 24) farTarget = true;
        }
      }
      prev = b[limit - 1] ?? -1;
    }
  }
  let freeBytes = 0;
  for (let v = 0; v < 256; v++) if (used[v] === 0) freeBytes++;
  return { bufferBytes: Math.max(0, size), freeBytes, farTarget, possible: size > 5 && freeBytes > 0 && !farTarget };
}

function hasUpxMagic(src: ByteSource, elf: ElfInfo): boolean {
  const is64 = elf.class === 64;
  const phEnd = (is64 ? 64 : 52) + elf.programHeaders.length * (is64 ? 56 : 32);
  const head = readClamped(src, 0, Math.min(src.size, phEnd + 256));
  const tail = readClamped(src, Math.max(0, src.size - 64), 64);
  const find = (b: Uint8Array): boolean => {
    for (let i = 0; i + 4 <= b.length; i++) {
      if (b[i] === 0x55 && b[i + 1] === 0x50 && b[i + 2] === 0x58 && b[i + 3] === 0x21) return true;
    }
    return false;
  };
  return find(head.subarray(Math.min(head.length, phEnd))) || find(tail);
}

/** Lowest-addressed SHF_EXECINSTR section's file offset (UPX's xct_off). */
export function xctOff(elf: ElfInfo): number | undefined {
  let best: { addr: number; offset: number } | undefined;
  for (const s of elf.sections) {
    if ((s.flags & SHF_EXECINSTR) === 0 || s.size === 0) continue;
    if (!best || s.addr < best.addr) best = s;
  }
  return best?.offset;
}

function shlibFacts(src: ByteSource, elf: ElfInfo): NonNullable<UpxScan['shlib']> {
  const warnings: string[] = [];
  const out: NonNullable<UpxScan['shlib']> = { hasInit: false, hasInitArray: false, hasRelr: false };
  const x = xctOff(elf);
  if (x !== undefined) out.xctOff = x;
  try {
    const h = parseElfHeader(src);
    const secs = parseSections(src, h, warnings).sections;
    const dyn = parseDynamic(src, h, elf.programHeaders, secs, warnings);
    out.hasInit = dyn.entries.some((e) => e.tag === DT_INIT && e.val !== 0);
    out.hasInitArray = dyn.entries.some((e) => e.tag === DT_INIT_ARRAY);
    out.hasRelr = dyn.entries.some((e) => e.tag === DT_RELR);
  } catch {
    // Unreadable dynamic section: leave hasInit false.
  }
  return out;
}

/** Everything UPX checks in the bytes (one pass over the text segment, a few header reads). */
export function scanForUpx(src: ByteSource, elf: ElfInfo): UpxScan {
  const r = filterRange(elf, src.size);
  const cto = r ? scanCto(src, r.start, r.end) : { bufferBytes: 0, freeBytes: 256, farTarget: false, possible: false };
  const out: UpxScan = { packed: hasUpxMagic(src, elf), cto };
  if (elf.kind === 'shared-lib') out.shlib = shlibFacts(src, elf);
  return out;
}
