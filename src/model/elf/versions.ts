/**
 * Symbol version tables: needs (.gnu.version_r, DT_VERNEED) and definitions (.gnu.version_d, DT_VERDEF).
 * Chains are walked with hard caps and a visited set, so hostile vn_next/vd_next values cannot loop.
 */
import { FieldReader, readClamped, type ByteSource } from './byte-reader.js';
import type { ElfHeader } from './elf-header.js';
import { DT_VERDEF, DT_VERDEFNUM, DT_VERNEED, DT_VERNEEDNUM, mapAddr, type DynamicInfo } from './dynamic.js';
import type { ProgramHeader } from './program-headers.js';
import { SHT_GNU_VERDEF, SHT_GNU_VERNEED, SHT_NOBITS, type RawSection } from './sections.js';
import { StringTable } from './string-table.js';

/** Caps on entries walked (per file and in total across all aux chains). */
const MAX_ENTRIES = 4096;
const MAX_AUX_TOTAL = 65536;
const VER_FLG_BASE = 1;

export interface VersionInfo {
  versionNeeds: { file: string; versions: string[] }[];
  versionDefs: string[];
}

interface Table {
  offset: number;
  end: number;
  count: number;
  strtab: StringTable | undefined;
}

function locate(
  src: ByteSource,
  phdrs: readonly ProgramHeader[],
  sections: readonly RawSection[],
  dyn: DynamicInfo,
  addrTag: number,
  numTag: number,
  shType: number,
): Table | undefined {
  const addr = dyn.entries.find((e) => e.tag === addrTag)?.exact;
  const num = dyn.entries.find((e) => e.tag === numTag)?.val;
  if (addr !== undefined) {
    const m = mapAddr(phdrs, sections, addr, src.size);
    if (m) return { offset: m.offset, end: m.end, count: num ?? MAX_ENTRIES, strtab: dyn.strtab };
  }
  const sec = sections.find((s) => s.type === shType);
  if (!sec || sec.type === SHT_NOBITS || sec.offset >= src.size) return undefined;
  const link = sections[sec.link];
  const strtab =
    dyn.strtab ?? (link && link.type !== SHT_NOBITS ? new StringTable(src, link.offset, link.size) : undefined);
  return { offset: sec.offset, end: Math.min(src.size, sec.offset + sec.size), count: num ?? sec.info, strtab };
}

/** Reads a fixed-size record at `off` if it lies within [0, end). */
function record(src: ByteSource, h: ElfHeader, off: number, size: number, end: number): FieldReader | undefined {
  if (!Number.isSafeInteger(off) || off < 0 || off + size > end) return undefined;
  const b = readClamped(src, off, size);
  return b.length === size ? new FieldReader(b, h.le) : undefined;
}

export function parseVersions(
  src: ByteSource,
  h: ElfHeader,
  phdrs: readonly ProgramHeader[],
  sections: readonly RawSection[],
  dyn: DynamicInfo,
  warnings: string[],
): VersionInfo {
  const out: VersionInfo = { versionNeeds: [], versionDefs: [] };
  let auxBudget = MAX_AUX_TOTAL;

  const need = locate(src, phdrs, sections, dyn, DT_VERNEED, DT_VERNEEDNUM, SHT_GNU_VERNEED);
  if (need) {
    const seen = new Set<number>();
    let off = need.offset;
    const n = Math.min(need.count, MAX_ENTRIES);
    for (let i = 0; i < n; i++) {
      if (seen.has(off)) {
        warnings.push('cycle in version needs chain');
        break;
      }
      seen.add(off);
      const r = record(src, h, off, 16, need.end);
      if (!r) {
        warnings.push('version need entry out of bounds');
        break;
      }
      const cnt = r.u16(2);
      const file = need.strtab?.get(r.u32(4)) ?? '';
      const versions: string[] = [];
      const auxSeen = new Set<number>();
      let aux = off + r.u32(8);
      for (let j = 0; j < Math.min(cnt, MAX_ENTRIES) && auxBudget > 0; j++, auxBudget--) {
        if (auxSeen.has(aux)) {
          warnings.push('cycle in version need aux chain');
          break;
        }
        auxSeen.add(aux);
        const a = record(src, h, aux, 16, need.end);
        if (!a) {
          warnings.push('version need aux entry out of bounds');
          break;
        }
        const name = need.strtab?.get(a.u32(8));
        if (name !== undefined) versions.push(name);
        const next = a.u32(12);
        if (next === 0) break;
        aux += next;
      }
      out.versionNeeds.push({ file, versions });
      const next = r.u32(12);
      if (next === 0) break;
      off += next;
    }
  }

  const def = locate(src, phdrs, sections, dyn, DT_VERDEF, DT_VERDEFNUM, SHT_GNU_VERDEF);
  if (def) {
    const seen = new Set<number>();
    let off = def.offset;
    const n = Math.min(def.count, MAX_ENTRIES);
    for (let i = 0; i < n; i++) {
      if (seen.has(off)) {
        warnings.push('cycle in version definitions chain');
        break;
      }
      seen.add(off);
      const r = record(src, h, off, 20, def.end);
      if (!r) {
        warnings.push('version definition entry out of bounds');
        break;
      }
      const flags = r.u16(2);
      const cnt = r.u16(6);
      if (cnt > 0 && (flags & VER_FLG_BASE) === 0) {
        const a = record(src, h, off + r.u32(12), 8, def.end);
        const name = a ? def.strtab?.get(a.u32(0)) : undefined;
        if (name !== undefined) out.versionDefs.push(name);
      }
      const next = r.u32(16);
      if (next === 0) break;
      off += next;
    }
  }
  return out;
}

/** Parses `GLIBC_2.34` / `GLIBC_2.2.5` into numbers, or undefined for other names (e.g. GLIBC_PRIVATE). */
export function glibcVersion(name: string): number[] | undefined {
  const m = /^GLIBC_(\d+(?:\.\d+)+)$/.exec(name);
  return m?.[1] ? m[1].split('.').map(Number) : undefined;
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The highest GLIBC_x.y[.z] among the needed versions (of any library), e.g. "2.34". */
export function minGlibcOf(needs: VersionInfo['versionNeeds']): string | undefined {
  let best: number[] | undefined;
  for (const n of needs) {
    for (const v of n.versions) {
      const parsed = glibcVersion(v);
      if (parsed && (!best || compareVersions(parsed, best) > 0)) best = parsed;
    }
  }
  return best?.join('.');
}
