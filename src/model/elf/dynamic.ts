/** The dynamic section (PT_DYNAMIC): DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH, DT_FLAGS_1, version tables. */
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
  val: number;
}

export interface DynamicInfo {
  entries: DynEntry[];
  needed: string[];
  soname?: string;
  rpath: string[];
  runpath: string[];
  flags1: number;
  /** The dynamic string table, when it could be located. */
  strtab?: StringTable;
  hasDynamic: boolean;
}

/** Maps a vaddr to a file range: PT_LOAD first, then section headers. */
export function mapAddr(
  phdrs: readonly ProgramHeader[],
  sections: readonly RawSection[],
  addr: number,
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
    out.push({ tag, val: h.is64 ? r.u64(o + 8) : r.u32(o + 4) });
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
  let range: { offset: number; size: number } | undefined;
  if (ph) range = { offset: ph.offset, size: ph.filesz };
  else if (sec && sec.type !== SHT_NOBITS) range = { offset: sec.offset, size: sec.size };
  if (!range) return info;
  info.hasDynamic = true;
  if (range.offset >= src.size) {
    warnings.push('dynamic section past end of file');
    return info;
  }
  info.entries = readEntries(src, h, range.offset, range.size);

  const strtabAddr = info.entries.find((e) => e.tag === DT_STRTAB)?.val;
  const strsz = info.entries.find((e) => e.tag === DT_STRSZ)?.val;
  let mapped = strtabAddr !== undefined ? mapAddr(phdrs, sections, strtabAddr, src.size) : undefined;
  if (!mapped && sec && sec.link < sections.length) {
    // Fallback: the .dynamic section's sh_link names its string table.
    const s = sections[sec.link];
    if (s && s.type !== SHT_NOBITS && s.offset < src.size) mapped = { offset: s.offset, end: Math.min(src.size, s.offset + s.size) };
  }
  if (!mapped) {
    if (info.entries.some((e) => e.tag === DT_NEEDED || e.tag === DT_SONAME || e.tag === DT_RPATH || e.tag === DT_RUNPATH)) {
      warnings.push('dynamic string table not found');
    }
  } else {
    const limit = strsz !== undefined && strsz > 0 ? Math.min(mapped.end, mapped.offset + strsz) : mapped.end;
    info.strtab = new StringTable(src, mapped.offset, limit - mapped.offset);
  }
  const str = (v: number): string | undefined => {
    const s = info.strtab?.get(v);
    if (s === undefined && info.strtab) warnings.push(`bad dynamic string offset ${v}`);
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
