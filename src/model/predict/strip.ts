/**
 * predictStrip: the size `strip --strip-all` (GNU binutils 2.40, BFD) gives an ELF file, from its section and
 * program headers alone. It re-does objcopy's layout (oracles README §6):
 *
 *   load_end = max(end of every SHF_ALLOC non-NOBITS section, end of the program header table)
 *   pos = load_end
 *   for each kept non-ALLOC section (not .shstrtab), in section-header order: pos = align(pos, sh_addralign) + sh_size
 *   pos += size of the new .shstrtab (BFD tail-merges names: ".plt" costs nothing next to ".rela.plt")
 *   size = align(pos, word) + shentsize · (kept sections incl. the null one)
 *
 * Removed by --strip-all: .symtab, .strtab, every debugging section (.debug_*, .zdebug_*, .stab*, .line,
 * .gnu.linkonce.wi.*, .gnu.debuglto_*). Kept: everything SHF_ALLOC, .comment, .gnu_debuglink, notes, ...
 * When nothing is removed and the file is already laid out the way BFD lays it out (the common case: a file
 * linked by GNU ld or already stripped), the output is the input, byte for byte.
 */
import type { ElfInfo } from '../elf/index.js';

export const SHF_ALLOC = 0x2;
const SHT_NOBITS = 8;
const SHT_NULL = 0;
const PT_LOAD = 1;
const PT_PHDR = 6;

export interface StripPrediction {
  /** Predicted size of `strip --strip-all` output. */
  size: number;
  /** fileSize − size (negative when strip makes the file bigger, as for some Go `-s -w` binaries). */
  removedBytes: number;
  /** False when the output would be byte-identical to the input (nothing to strip). */
  changed: boolean;
  /** Names of the sections strip removes (in header order). */
  removedSections: string[];
}

/** Optional facts from the ELF header that ElfInfo does not carry; they only sharpen the "unchanged" check. */
export interface StripHints {
  /** e_shoff */
  shoff?: number;
  /** e_phoff */
  phoff?: number;
}

/** True for the sections `strip --strip-all` removes (by name; objcopy decides by SEC_DEBUGGING + the symtab). */
export function isStrippedByStripAll(name: string, type: number): boolean {
  if (type === 2 /* SHT_SYMTAB */) return true;
  if (name === '.symtab' || name === '.strtab') return true;
  return (
    name.startsWith('.debug') ||
    name.startsWith('.zdebug') ||
    name.startsWith('.stab') ||
    name === '.line' ||
    name.startsWith('.gnu.linkonce.wi.') ||
    name.startsWith('.gnu.debuglto_')
  );
}

function align(n: number, a: number): number {
  return a > 1 ? Math.ceil(n / a) * a : n;
}

/** Size of a new .shstrtab holding `names`, with BFD's suffix (tail) merging. */
export function shstrtabSize(names: readonly string[]): number {
  const distinct = [...new Set(names.filter((n) => n !== ''))];
  let size = 1; // the leading NUL
  for (const n of distinct) {
    const isSuffix = distinct.some((o) => o !== n && o.length > n.length && o.endsWith(n));
    if (!isSuffix) size += n.length + 1;
  }
  return size;
}

export function predictStrip(elf: ElfInfo, fileSize: number, hints: StripHints = {}): StripPrediction {
  const secs = elf.sections;
  if (secs.length === 0) {
    // No section table: strip cannot find anything to remove.
    return { size: fileSize, removedBytes: 0, changed: false, removedSections: [] };
  }
  const is64 = elf.class === 64;
  const shentsize = is64 ? 64 : 40;
  const word = is64 ? 8 : 4;
  const shstrtab = secs.find((s, i) => i > 0 && s.name === '.shstrtab' && s.type === 3);

  const removed: string[] = [];
  const kept = secs.filter((s, i) => {
    if (i === 0) return true;
    if ((s.flags & SHF_ALLOC) === 0 && isStrippedByStripAll(s.name, s.type)) {
      removed.push(s.name);
      return false;
    }
    return true;
  });

  const loads = elf.programHeaders.filter((p) => p.type === PT_LOAD);
  const inLoad = (off: number, size: number): boolean =>
    loads.some((p) => off >= p.offset && off + size <= p.offset + p.filesz && p.filesz > 0);

  // 1. Byte-identical when nothing is removed and the layout is already BFD's.
  const shnum = secs.length;
  const headerAtEnd =
    hints.shoff !== undefined
      ? hints.shoff + shnum * shentsize === fileSize
      : (() => {
          const end = Math.max(...secs.filter((s) => s.type !== SHT_NOBITS).map((s) => s.offset + s.size));
          const tableStart = fileSize - shnum * shentsize;
          return tableStart >= end && tableStart - end < word;
        })();
  const shstrInLoad = shstrtab !== undefined && inLoad(shstrtab.offset, shstrtab.size);
  if (removed.length === 0 && headerAtEnd && !shstrInLoad) {
    return { size: fileSize, removedBytes: 0, changed: false, removedSections: [] };
  }

  // 2. objcopy's layout.
  const phdrs = elf.programHeaders;
  const pt = phdrs.find((p) => p.type === PT_PHDR);
  const phoff = hints.phoff ?? pt?.offset ?? (is64 ? 64 : 52);
  let loadEnd = phoff + phdrs.length * (is64 ? 56 : 32);
  for (const s of kept) {
    if ((s.flags & SHF_ALLOC) !== 0 && s.type !== SHT_NOBITS && s.type !== SHT_NULL) {
      loadEnd = Math.max(loadEnd, s.offset + s.size);
    }
  }
  let pos = loadEnd;
  for (const s of kept) {
    if (s === secs[0] || s === shstrtab) continue;
    if ((s.flags & SHF_ALLOC) !== 0 || s.type === SHT_NOBITS) continue;
    if (inLoad(s.offset, s.size) && s.offset + s.size <= loadEnd) continue; // stays where it is
    pos = align(pos, s.addralign) + s.size;
  }
  pos += shstrtabSize(kept.map((s) => s.name));
  const size = align(pos, word) + shentsize * kept.length;
  return { size, removedBytes: fileSize - size, changed: true, removedSections: removed };
}
