/**
 * /etc/ld.so.cache as glibc's loader reads it (elf/dl-cache.c, sysdeps/generic/dl-cache.h). Three layouts:
 *
 *   old    "ld.so-1.7.0", nlibs, {flags, key, value}[nlibs] (12 bytes each); strings relative to the end of
 *          the entries.
 *   new    "glibc-ld.so.cache1.1", nlibs, len_strings, flags (byte order), 3 pad, extension_offset, 3 unused,
 *          {flags, key, value, osversion, hwcap (u64)}[nlibs] (24 bytes each); strings relative to the
 *          start of this header. The extension section (magic 0xEAA42174) tag 1 lists the glibc-hwcaps
 *          subdirectory names: an entry whose hwcap has exactly bit 62 set in its upper half names one by the
 *          index in its lower 32 bits.
 *   compat an old table, then (8-byte aligned) a whole new one: ld.so uses the new one.
 *
 * ldconfig sorts entries so that the loader's binary search finds them; here every entry is kept in file order
 * and looked up by key. Pure.
 */

export interface LdCacheEntry {
  /** The soname (the lookup key). */
  key: string;
  /** The full path the loader opens. */
  value: string;
  /** FLAG_ELF_LIBC6 | the architecture bits (e.g. 0x0303 for x86-64). */
  flags: number;
  /** The glibc-hwcaps subdirectory this entry is for (e.g. "x86-64-v3"); absent for a plain entry. */
  hwcaps?: string;
  /** A legacy (pre-2.33) hwcap mask is set: the glibc ≥ 2.37 loader ignores such entries. */
  legacyHwcap?: boolean;
  /** The bits of that mask (0 = least significant), for a glibc < 2.37 loader's check (hwcaps.ts legacyCacheBits). */
  legacyBits?: number[];
}

export interface LdCache {
  format: 'old' | 'new' | 'compat';
  entries: LdCacheEntry[];
}

export type LdCacheFact = LdCache | { unreadable: string };

const OLD_MAGIC = 'ld.so-1.7.0';
const NEW_MAGIC = 'glibc-ld.so.cache1.1';
const EXT_MAGIC = 0xeaa42174;
const EXT_TAG_HWCAPS = 1;
const HWCAP_EXTENSION_HI = 1 << 30; // bit 62 of the u64, seen in its upper 32 bits
/** More entries than any real cache holds (Debian's full desktop: ~3,000). */
const MAX_ENTRIES = 200_000;

const ascii = (b: Uint8Array, at: number, n: number): string => String.fromCharCode(...b.subarray(at, at + n));

function cString(b: Uint8Array, at: number): string | undefined {
  if (!(at >= 0) || at >= b.length) return undefined;
  const end = b.indexOf(0, at);
  if (end < 0) return undefined;
  return new TextDecoder().decode(b.subarray(at, end));
}

export function parseLdCache(bytes: Uint8Array): LdCacheFact {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 24 && ascii(bytes, 0, 20) === NEW_MAGIC) {
    const c = parseNew(bytes, view, 0);
    return 'unreadable' in c ? c : { format: 'new', entries: c.entries };
  }
  if (bytes.length < 16 || ascii(bytes, 0, 11) !== OLD_MAGIC)
    return { unreadable: 'not an ld.so.cache (no known magic)' };
  // The old header is 11 magic bytes then nlibs at offset 12 (aligned). Byte order: the one that fits.
  const le = pickOrder(view, 12, bytes.length, 12, 16);
  const nlibs = view.getUint32(12, le);
  const oldEnd = 16 + nlibs * 12;
  if (nlibs > MAX_ENTRIES || oldEnd > bytes.length)
    return { unreadable: 'old-format entry table runs past the end of the file' };
  const newAt = (oldEnd + 7) & ~7;
  if (newAt + 24 <= bytes.length && ascii(bytes, newAt, 20) === NEW_MAGIC) {
    const c = parseNew(bytes, view, newAt);
    return 'unreadable' in c ? c : { format: 'compat', entries: c.entries };
  }
  const entries: LdCacheEntry[] = [];
  for (let i = 0; i < nlibs; i++) {
    const o = 16 + i * 12;
    const key = cString(bytes, oldEnd + view.getUint32(o + 4, le));
    const value = cString(bytes, oldEnd + view.getUint32(o + 8, le));
    if (key !== undefined && value !== undefined) entries.push({ key, value, flags: view.getInt32(o, le) });
  }
  return { format: 'old', entries };
}

/** The byte order under which the count at `at` gives a table (entries of `size` after `start`) inside the file. */
function pickOrder(view: DataView, at: number, length: number, size: number, start: number): boolean {
  const fits = (le: boolean): boolean => start + view.getUint32(at, le) * size <= length;
  return fits(true) || !fits(false);
}

function parseNew(bytes: Uint8Array, view: DataView, base: number): LdCache | { unreadable: string } {
  if (base + 48 > bytes.length) return { unreadable: 'truncated header' };
  // flags byte: 2 = little-endian, 3 = big-endian (cache_file_new_flags_endian_*); 0 = unknown (older ldconfig).
  const endian = bytes[base + 28]! & 3;
  const le = endian === 2 ? true : endian === 3 ? false : pickOrder(view, base + 20, bytes.length - base, 24, 48);
  const nlibs = view.getUint32(base + 20, le);
  if (nlibs > MAX_ENTRIES || base + 48 + nlibs * 24 > bytes.length)
    return { unreadable: 'entry table runs past the end of the file' };
  const hwcaps = hwcapsNames(bytes, view, base, le);
  const entries: LdCacheEntry[] = [];
  for (let i = 0; i < nlibs; i++) {
    const o = base + 48 + i * 24;
    const key = cString(bytes, base + view.getUint32(o + 4, le));
    const value = cString(bytes, base + view.getUint32(o + 8, le));
    if (key === undefined || value === undefined) continue;
    const e: LdCacheEntry = { key, value, flags: view.getInt32(o, le) };
    const hi = view.getUint32(o + 16 + (le ? 4 : 0), le);
    const lo = view.getUint32(o + 16 + (le ? 0 : 4), le);
    if (hi === HWCAP_EXTENSION_HI) {
      const name = hwcaps[lo];
      if (name === undefined) continue; // an index the loader cannot resolve: it skips the entry
      e.hwcaps = name;
    } else if (hi !== 0 || lo !== 0) {
      e.legacyHwcap = true;
      e.legacyBits = [];
      for (let b = 0; b < 64; b++) if (((b < 32 ? lo : hi) >>> (b % 32)) & 1) e.legacyBits.push(b);
    }
    entries.push(e);
  }
  return { format: 'new', entries };
}

function hwcapsNames(bytes: Uint8Array, view: DataView, base: number, le: boolean): string[] {
  const ext = view.getUint32(base + 32, le);
  if (ext === 0) return [];
  const at = base + ext;
  if (at + 8 > bytes.length || view.getUint32(at, le) !== EXT_MAGIC) return [];

  if (!(at >= base) || at + 8 > bytes.length) return [];
  const count = Math.min(view.getUint32(at + 4, le), 64);
  for (let i = 0; i < count; i++) {
    const s = at + 8 + i * 16;
    if (s + 16 > bytes.length) break;
    if (view.getUint32(s, le) !== EXT_TAG_HWCAPS) continue;
    const off = view.getUint32(s + 8, le);
    const size = view.getUint32(s + 12, le);
    const names: string[] = [];
    for (let k = 0; k + 4 <= size && base + off + k + 4 <= bytes.length; k += 4)
      names.push(cString(bytes, base + view.getUint32(base + off + k, le)) ?? '');
    return names;
  }
  return [];
}

/** The cache flags glibc's loader accepts for a machine and class (sysdeps/…/dl-cache.h); undefined: any. */
export function cacheFlagsFor(machine: number, cls: 32 | 64): readonly number[] | undefined {
  return CACHE_FLAGS[`${machine}/${cls}`];
}
const CACHE_FLAGS: Record<string, readonly number[]> = {
  '62/64': [0x0303], // FLAG_ELF_LIBC6 | FLAG_X8664_LIB64
  '3/32': [0x0001, 0x0003], // _dl_cache_check_flags: 1 or FLAG_ELF_LIBC6
  '183/64': [0x0a03], // FLAG_AARCH64_LIB64
  '21/64': [0x0503], // FLAG_POWERPC_LIB64
  '22/64': [0x0403], // FLAG_S390_LIB64
  '40/32': [0x0903, 0x0003], // FLAG_ARM_LIBHF, soft-float
};

/** The entries for a soname that a loader of this machine and class would consider, in file order. */
export function cacheEntriesFor(cache: LdCache, key: string, machine: number, cls: 32 | 64): LdCacheEntry[] {
  const flags = cacheFlagsFor(machine, cls);
  return cache.entries.filter((e) => e.key === key && !e.legacyHwcap && (!flags || flags.includes(e.flags)));
}
