/** The ELF file header (ident + Ehdr), for both classes and byte orders. */
import { FieldReader, Malformed, readClamped, type ByteSource } from './byte-reader.js';

export const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46] as const;

/** True when the first four bytes are `\x7fELF`. */
export function isElfMagic(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

export type ElfType = 'rel' | 'exec' | 'dyn' | 'core' | 'other';

export interface ElfHeader {
  is64: boolean;
  le: boolean;
  type: ElfType;
  rawType: number;
  machine: number;
  entry: number;
  phoff: number;
  shoff: number;
  phentsize: number;
  phnum: number;
  shentsize: number;
  shnum: number;
  shstrndx: number;
}

const TYPES: Record<number, ElfType> = { 1: 'rel', 2: 'exec', 3: 'dyn', 4: 'core' };

/** Short names for common e_machine values (the UI shows these). */
const MACHINES: Record<number, string> = {
  2: 'sparc',
  3: 'i386',
  8: 'mips',
  20: 'ppc',
  21: 'ppc64',
  22: 's390x',
  40: 'arm',
  42: 'sh',
  43: 'sparcv9',
  50: 'ia64',
  62: 'x86-64',
  183: 'aarch64',
  243: 'riscv',
  247: 'bpf',
  258: 'loongarch',
};

/**
 * Short machine name, or `machine-<n>` when unknown. EM_S390 (22) serves both the 31-bit ELF32 s390 and the
 * 64-bit s390x (readelf says "IBM S/390" for both); the class tells them apart.
 */
export function machineName(machine: number, is64 = true): string {
  if (machine === 22 && !is64) return 's390';
  return MACHINES[machine] ?? `machine-${machine}`;
}

/** Parses the header; throws Malformed (caught by parseElf) on a bad ident or truncation. */
export function parseElfHeader(src: ByteSource): ElfHeader {
  const head = readClamped(src, 0, 64);
  if (!isElfMagic(head)) throw new Malformed('not an ELF file (bad magic)');
  if (head.length < 16) throw new Malformed('truncated ELF ident');
  const cls = head[4];
  const data = head[5];
  if (cls !== 1 && cls !== 2) throw new Malformed(`bad ELF class ${cls}`);
  if (data !== 1 && data !== 2) throw new Malformed(`bad ELF data encoding ${data}`);
  const is64 = cls === 2;
  const le = data === 1;
  const need = is64 ? 64 : 52;
  if (head.length < need) throw new Malformed('truncated ELF header');
  const r = new FieldReader(head, le);
  const rawType = r.u16(16);
  const machine = r.u16(18);
  const entry = r.word(24, is64);
  const phoff = is64 ? r.u64(32) : r.u32(28);
  const shoff = is64 ? r.u64(40) : r.u32(32);
  const b = is64 ? 52 : 40; // e_ehsize
  return {
    is64,
    le,
    type: TYPES[rawType] ?? 'other',
    rawType,
    machine,
    entry,
    phoff,
    shoff,
    phentsize: r.u16(b + 2),
    phnum: r.u16(b + 4),
    shentsize: r.u16(b + 6),
    shnum: r.u16(b + 8),
    shstrndx: r.u16(b + 10),
  };
}
