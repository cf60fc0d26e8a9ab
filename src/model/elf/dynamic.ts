/**
 * The dynamic segment (PT_DYNAMIC): DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH, DT_FLAGS_1, version tables.
 * Read as the loader reads it: only through PT_DYNAMIC (a `.dynamic` section without that segment is never seen
 * by ld.so), addresses exact (bigint), strings from DT_STRTAB mapped through PT_LOAD.
 */
import { FieldReader, readClamped, type ByteSource } from './byte-reader.js';
import type { ElfHeader } from './elf-header.js';
import { PT_DYNAMIC, vaddrToOffset, type MappedRange, type ProgramHeader } from './program-headers.js';
import { SHT_DYNAMIC, SHT_NOBITS, sectionAddrToOffset, type RawSection } from './sections.js';
import { StringTable } from './string-table.js';

export const DT_NULL = 0;
export const DT_NEEDED = 1;
export const DT_STRTAB = 5;
export const DT_STRSZ = 10;
export const DT_SONAME = 14;
export const DT_RPATH = 15;
export const DT_RUNPATH = 29;
export const DT_FLAGS_1 = 0x6ffffffb;
export const DT_VERDEF = 0x6ffffffc;
export const DT_VERDEFNUM = 0x6ffffffd;
export const DT_VERNEED = 0x6ffffffe;
export const DT_VERNEEDNUM = 0x6fffffff;
export const DF_1_PIE = 0x08000000;

/** At most this many dynamic entries are read (real files have < 100). */
export const MAX_DYN_ENTRIES = 65536;

export interface DynEntry {
  tag: number;
  /** d_val as a number (string offsets, counts, flags). */
  val: number;
  /** d_val / d_ptr, exact (addresses). */
  exact: bigint;
}

export interface DynamicInfo {
  entries: DynEntry[];
  needed: string[];
  soname?: string;
  rpath: string[];
  runpath: string[];
  flags1: number;
  /**
   * The dynamic string table, when it could be located: from DT_STRTAB to the end of the bytes that back it.
   * DT_STRSZ is not a limit: glibc reads every name at DT_STRTAB + offset with no size check, and some old
   * files (i386) have a DT_STRSZ that stops short of their version names.
   */
  strtab?: StringTable;
  hasDynamic: boolean;
}

/** Maps a vaddr to a file range: PT_LOAD first, then section headers. */
export function mapAddr(
  phdrs: readonly ProgramHeader[],
  sections: readonly RawSection[],
  addr: bigint,
  fileSize: number,
): MappedRange | undefined {
  return vaddrToOffset(phdrs, addr, fileSize) ?? sectionAddrToOffset(sections, addr, fileSize);
}

function readEntries(src: ByteSource, h: ElfHeader, offset: number, size: number): DynEntry[] {
  const ent = h.is64 ? 16 : 8;
  const count = Math.min(Math.floor(size / ent), MAX_DYN_ENTRIES);
  const bytes = readClamped(src, offset, count * ent);
  const r = new FieldReader(bytes, h.le);
  const out: DynEntry[] = [];
  for (let o = 0; o + ent <= bytes.length; o += ent) {
    const tag = h.is64 ? r.i64(o) : r.u32(o);
    if (tag === DT_NULL) break;
    const exact = r.wordExact(h.is64 ? o + 8 : o + 4, h.is64);
    out.push({ tag, val: Number(exact), exact });
  }
  return out;
}

/** Splits a DT_RPATH / DT_RUNPATH value into its colon-separated entries. */
function splitPath(s: string): string[] {
  return s.split(':');
}

export function parseDynamic(
  src: ByteSource,
  h: ElfHeader,
  phdrs: readonly ProgramHeader[],
  sections: readonly RawSection[],
  warnings: string[],
): DynamicInfo {
  const info: DynamicInfo = { entries: [], needed: [], rpath: [], runpath: [], flags1: 0, hasDynamic: false };
  const ph = phdrs.find((p) => p.type === PT_DYNAMIC);
  const sec = sections.find((s) => s.type === SHT_DYNAMIC);
  if (!ph) {
    if (sec && sec.type !== SHT_NOBITS && phdrs.length > 0)
      warnings.push('a .dynamic section without PT_DYNAMIC: the loader ignores it');
    return info;
  }
  const range = { offset: ph.offset, size: ph.filesz };
  info.hasDynamic = true;
  if (range.offset >= src.size) {
    warnings.push('dynamic section past end of file');
    return info;
  }
  info.entries = readEntries(src, h, range.offset, range.size);

  const strtabAddr = info.entries.find((e) => e.tag === DT_STRTAB)?.exact;
  const strsz = info.entries.find((e) => e.tag === DT_STRSZ)?.val;
  let mapped = strtabAddr !== undefined ? mapAddr(phdrs, sections, strtabAddr, src.size) : undefined;
  if (!mapped && sec && sec.link < sections.length) {
    // Fallback: the .dynamic section's sh_link names its string table.
    const s = sections[sec.link];
    if (s && s.type !== SHT_NOBITS && s.offset < src.size)
      mapped = { offset: s.offset, end: Math.min(src.size, s.offset + s.size) };
  }
  if (!mapped) {
    if (
      info.entries.some((e) => e.tag === DT_NEEDED || e.tag === DT_SONAME || e.tag === DT_RPATH || e.tag === DT_RUNPATH)
    ) {
      warnings.push('dynamic string table not found');
    }
  } else {
    info.strtab = new StringTable(src, mapped.offset, mapped.end - mapped.offset);
  }
  const str = (v: number): string | undefined => {
    const s = info.strtab?.get(v);
    if (s === undefined && info.strtab) warnings.push(`bad dynamic string offset ${v}`);
    else if (strsz !== undefined && v >= strsz) warnings.push('a dynamic string lies past DT_STRSZ');
    return s;
  };
  for (const e of info.entries) {
    switch (e.tag) {
      case DT_NEEDED: {
        const s = str(e.val);
        if (s !== undefined) info.needed.push(s);
        break;
      }
      case DT_SONAME: {
        const s = str(e.val);
        if (s !== undefined && info.soname === undefined) info.soname = s;
        break;
      }
      case DT_RPATH: {
        const s = str(e.val);
        if (s !== undefined) info.rpath.push(...splitPath(s));
        break;
      }
      case DT_RUNPATH: {
        const s = str(e.val);
        if (s !== undefined) info.runpath.push(...splitPath(s));
        break;
      }
      case DT_FLAGS_1:
        info.flags1 = e.val >>> 0;
        break;
    }
  }
  return info;
}
