// A small ELF writer for crafted test files: one PT_LOAD covering the whole file, an optional PT_DYNAMIC, and
// raw byte blobs placed at chosen offsets. Independent of src/model/elf (it writes the ELF spec's layout).

export interface CraftSpec {
  is64: boolean;
  le: boolean;
  type?: number; // e_type, default ET_DYN (3)
  machine: number;
  /** p_vaddr of the PT_LOAD that maps file offset 0 (as bigint: above 2^53 on purpose). */
  base: bigint;
  /** Blobs at file offsets. */
  blobs: { at: number; bytes: Uint8Array }[];
  /** Dynamic entries (tag, value) placed at `dynAt`; a DT_NULL is appended. */
  dynamic?: { at: number; entries: [number, bigint][]; segment: boolean };
  size: number;
}

export function craftElf(s: CraftSpec): Buffer {
  const b = Buffer.alloc(s.size);
  const u16 = (o: number, v: number): number => (s.le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  const u32 = (o: number, v: number): number => (s.le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  const u64 = (o: number, v: bigint): number => (s.le ? b.writeBigUInt64LE(v, o) : b.writeBigUInt64BE(v, o));
  const word = (o: number, v: bigint): number => (s.is64 ? u64(o, v) : u32(o, Number(v)));
  b.set([0x7f, 0x45, 0x4c, 0x46, s.is64 ? 2 : 1, s.le ? 1 : 2, 1], 0);
  const ehsize = s.is64 ? 64 : 52;
  const phentsize = s.is64 ? 56 : 32;
  const phnum = s.dynamic?.segment ? 2 : 1;
  u16(16, s.type ?? 3);
  u16(18, s.machine);
  u32(20, 1);
  word(24, s.base + 0x100n); // e_entry (unused)
  if (s.is64) {
    u64(32, BigInt(ehsize)); // e_phoff
    u64(40, 0n); // e_shoff
  } else {
    u32(28, ehsize);
    u32(32, 0);
  }
  const e = s.is64 ? 52 : 40;
  u16(e, ehsize);
  u16(e + 2, phentsize);
  u16(e + 4, phnum);
  u16(e + 6, s.is64 ? 64 : 40);
  const ph = (i: number, type: number, flags: number, offset: number, vaddr: bigint, filesz: number): void => {
    const o = ehsize + i * phentsize;
    if (s.is64) {
      u32(o, type);
      u32(o + 4, flags);
      u64(o + 8, BigInt(offset));
      u64(o + 16, vaddr);
      u64(o + 24, vaddr);
      u64(o + 32, BigInt(filesz));
      u64(o + 40, BigInt(filesz));
      u64(o + 48, 0x1000n);
    } else {
      u32(o, type);
      u32(o + 4, offset);
      u32(o + 8, Number(vaddr));
      u32(o + 12, Number(vaddr));
      u32(o + 16, filesz);
      u32(o + 20, filesz);
      u32(o + 24, flags);
      u32(o + 28, 0x1000);
    }
  };
  ph(0, 1, 5, 0, s.base, s.size); // PT_LOAD, R+X
  for (const blob of s.blobs) b.set(blob.bytes, blob.at);
  if (s.dynamic) {
    const ent = s.is64 ? 16 : 8;
    const list: [number, bigint][] = [...s.dynamic.entries, [0, 0n]];
    list.forEach(([tag, val], i) => {
      const o = s.dynamic!.at + i * ent;
      if (s.is64) {
        u64(o, BigInt(tag));
        u64(o + 8, val);
      } else {
        u32(o, tag);
        u32(o + 4, Number(val));
      }
    });
    if (s.dynamic.segment) ph(1, 2, 6, s.dynamic.at, s.base + BigInt(s.dynamic.at), list.length * ent); // PT_DYNAMIC
  }
  return b;
}

/** A string table: NUL, then each string and its NUL. Returns the bytes and each string's index. */
export function strtab(strings: (string | Uint8Array)[]): { bytes: Uint8Array; index: number[] } {
  const parts: Buffer[] = [Buffer.from([0])];
  const index: number[] = [];
  let at = 1;
  for (const s of strings) {
    const raw = typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s);
    index.push(at);
    parts.push(raw, Buffer.from([0]));
    at += raw.length + 1;
  }
  return { bytes: Buffer.concat(parts), index };
}
