/** Section headers and their names (.shstrtab), with ELF extended numbering. */
import { FieldReader, readClamped, type ByteSource } from './byte-reader.js';
import type { ElfHeader } from './elf-header.js';
import { MAX_HEADERS, type MappedRange } from './program-headers.js';
import { StringTable } from './string-table.js';

export const SHT_NOBITS = 8;
export const SHT_DYNAMIC = 6;
export const SHT_GNU_VERDEF = 0x6ffffffd;
export const SHT_GNU_VERNEED = 0x6ffffffe;

export interface Section {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  addralign: number;
}

/** A section with the fields used internally (sh_link, sh_info). */
export interface RawSection extends Section {
  link: number;
  info: number;
  /** sh_addr, exact. */
  addrExact: bigint;
}

function readOne(r: FieldReader, o: number, is64: boolean): RawSection {
  if (is64) {
    return {
      name: String(r.u32(o)),
      type: r.u32(o + 4),
      flags: r.u64(o + 8),
      addr: Number(r.u64Exact(o + 16)),
      addrExact: r.u64Exact(o + 16),
      offset: r.u64(o + 24),
      size: r.u64(o + 32),
      link: r.u32(o + 40),
      info: r.u32(o + 44),
      addralign: r.u64(o + 48),
    };
  }
  return {
    name: String(r.u32(o)),
    type: r.u32(o + 4),
    flags: r.u32(o + 8),
    addr: r.u32(o + 12),
    addrExact: BigInt(r.u32(o + 12)),
    offset: r.u32(o + 16),
    size: r.u32(o + 20),
    link: r.u32(o + 24),
    info: r.u32(o + 28),
    addralign: r.u32(o + 32),
  };
}

export interface SectionTable {
  sections: RawSection[];
  /** Real program header count when e_phnum is PN_XNUM (0xffff), from section 0's sh_info. */
  extendedPhnum?: number;
}

/** Parses the section header table; missing or broken tables give [] plus a warning (sections are optional). */
export function parseSections(src: ByteSource, h: ElfHeader, warnings: string[]): SectionTable {
  if (h.shoff === 0) return { sections: [] };
  const min = h.is64 ? 64 : 40;
  if (h.shentsize < min) {
    warnings.push(`e_shentsize ${h.shentsize} too small; sections ignored`);
    return { sections: [] };
  }
  if (h.shoff >= src.size) {
    warnings.push('section header table past end of file; sections ignored');
    return { sections: [] };
  }
  const first = readClamped(src, h.shoff, h.shentsize);
  if (first.length < h.shentsize) {
    warnings.push('section header table truncated');
    return { sections: [] };
  }
  const s0 = readOne(new FieldReader(first, h.le), 0, h.is64);
  let shnum = h.shnum === 0 ? s0.size : h.shnum;
  const shstrndx = h.shstrndx === 0xffff ? s0.link : h.shstrndx;
  const extendedPhnum = h.phnum === 0xffff ? s0.info : undefined;
  if (shnum > MAX_HEADERS) {
    warnings.push(`section count ${shnum} capped at ${MAX_HEADERS}`);
    shnum = MAX_HEADERS;
  }
  const bytes = readClamped(src, h.shoff, shnum * h.shentsize);
  if (bytes.length < shnum * h.shentsize) {
    shnum = Math.floor(bytes.length / h.shentsize);
    warnings.push('section header table truncated');
  }
  const r = new FieldReader(bytes, h.le);
  const sections: RawSection[] = [];
  for (let i = 0; i < shnum; i++) sections.push(readOne(r, i * h.shentsize, h.is64));
  const strSec = sections[shstrndx];
  const names = strSec && strSec.type !== SHT_NOBITS ? new StringTable(src, strSec.offset, strSec.size) : undefined;
  if (!names && shnum > 0) warnings.push('no section name table');
  for (const s of sections) s.name = names?.get(Number(s.name)) ?? '';
  const out: SectionTable = { sections };
  if (extendedPhnum !== undefined) out.extendedPhnum = extendedPhnum;
  return out;
}

/** Maps a virtual address through the section headers (fallback when PT_LOAD does not cover it). */
export function sectionAddrToOffset(
  sections: readonly RawSection[],
  address: number | bigint,
  fileSize: number,
): MappedRange | undefined {
  const addr = BigInt(address);
  for (const s of sections) {
    if (s.type === SHT_NOBITS || s.addrExact === 0n) continue;
    if (addr >= s.addrExact && addr < s.addrExact + BigInt(s.size)) {
      const offset = s.offset + Number(addr - s.addrExact);
      const end = Math.min(s.offset + s.size, fileSize);
      if (offset >= end) return undefined;
      return { offset, end };
    }
  }
  return undefined;
}
