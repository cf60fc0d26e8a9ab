/** Program headers (segments) and virtual-address → file-offset mapping through PT_LOAD. */
import { FieldReader, Malformed, readClamped, type ByteSource } from './byte-reader.js';
import type { ElfHeader } from './elf-header.js';

export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_TLS = 7;
export const PT_GNU_STACK = 0x6474e551;
export const PF_X = 1;
export const PF_W = 2;

/** Upper bound on header counts we are willing to read (ELF's own u16 limit). */
export const MAX_HEADERS = 65535;

export interface ProgramHeader {
  type: number;
  offset: number;
  /** As a number (rounded above 2^53; mapping uses the exact value). */
  vaddr: number;
  filesz: number;
  memsz: number;
  flags: number;
  align: number;
}

/** A program header with its exact address, used for address mapping (parseElf keeps only ProgramHeader). */
export interface RawProgramHeader extends ProgramHeader {
  vaddrExact: bigint;
}

/** Parses the program header table; `phnum` may be the extended count from section 0. */
export function parseProgramHeaders(
  src: ByteSource,
  h: ElfHeader,
  phnum: number,
  warnings: string[],
): RawProgramHeader[] {
  if (phnum === 0 || h.phoff === 0) return [];
  const min = h.is64 ? 56 : 32;
  if (h.phentsize < min) throw new Malformed(`e_phentsize ${h.phentsize} too small`);
  let count = Math.min(phnum, MAX_HEADERS);
  if (h.phoff >= src.size) throw new Malformed('program header table past end of file');
  const bytes = readClamped(src, h.phoff, count * h.phentsize);
  if (bytes.length < count * h.phentsize) {
    count = Math.floor(bytes.length / h.phentsize);
    warnings.push('program header table truncated');
  }
  const r = new FieldReader(bytes, h.le);
  const out: RawProgramHeader[] = [];
  for (let i = 0; i < count; i++) {
    const o = i * h.phentsize;
    if (h.is64) {
      const vaddrExact = r.u64Exact(o + 16);
      out.push({
        type: r.u32(o),
        flags: r.u32(o + 4),
        offset: r.u64(o + 8),
        vaddr: Number(vaddrExact),
        vaddrExact,
        filesz: r.u64(o + 32),
        memsz: r.u64(o + 40),
        align: r.u64(o + 48),
      });
    } else {
      out.push({
        type: r.u32(o),
        offset: r.u32(o + 4),
        vaddr: r.u32(o + 8),
        vaddrExact: BigInt(r.u32(o + 8)),
        filesz: r.u32(o + 16),
        memsz: r.u32(o + 20),
        flags: r.u32(o + 24),
        align: r.u32(o + 28),
      });
    }
  }
  return out;
}

/** The exact p_vaddr when the header came from parseProgramHeaders; else its number (exact below 2^53). */
const exactVaddr = (p: ProgramHeader): bigint =>
  'vaddrExact' in p ? (p as RawProgramHeader).vaddrExact : BigInt(p.vaddr);

/** A file range found for a virtual address: offset and the end of the bytes that back it. */
export interface MappedRange {
  offset: number;
  end: number;
}

/**
 * Maps a virtual address to a file offset through the PT_LOAD segments (file-backed part only). The
 * arithmetic is exact (bigint): addresses above 2^53 are valid, and a rounded one lands on the wrong bytes.
 */
export function vaddrToOffset(
  phdrs: readonly ProgramHeader[],
  address: number | bigint,
  fileSize: number,
): MappedRange | undefined {
  const addr = BigInt(address);
  for (const p of phdrs) {
    if (p.type !== PT_LOAD) continue;
    const vaddr = exactVaddr(p);
    if (addr >= vaddr && addr < vaddr + BigInt(p.filesz)) {
      const offset = p.offset + Number(addr - vaddr);
      const end = Math.min(p.offset + p.filesz, fileSize);
      if (offset >= end) return undefined;
      return { offset, end };
    }
  }
  return undefined;
}
