/**
 * Bounded random access over a file's bytes, plus an endian/class-aware field reader.
 * Every read is clamped to the source size, so a hostile offset never reaches the source.
 */

/** Random access over a file's bytes; may be backed by memory or by a spool file. Reads past the end return shorter arrays. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
}

/** A ByteSource over bytes already in memory (reads are zero-copy views). */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(offset: number, length: number): Uint8Array {
      if (!(offset >= 0) || !(length > 0) || offset >= bytes.length) return new Uint8Array(0);
      return bytes.subarray(offset, Math.min(bytes.length, offset + length));
    },
  };
}

/** Reads at most `length` bytes at `offset`, never asking the source for bytes past its end. */
export function readClamped(src: ByteSource, offset: number, length: number): Uint8Array {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= src.size || !(length > 0)) return new Uint8Array(0);
  const n = Math.min(length, src.size - offset);
  const out = src.read(offset, n);
  return out.length > n ? out.subarray(0, n) : out;
}

/** Thrown internally when a field lies outside the bytes that were read; caught by parseElf. */
export class Malformed extends Error {}

/** Field reader over one chunk of bytes, with the file's endianness. */
export class FieldReader {
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly le: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get length(): number {
    return this.bytes.length;
  }
  private check(off: number, n: number, what: string): void {
    if (off < 0 || off + n > this.bytes.length) throw new Malformed(`${what} out of bounds`);
  }
  u8(off: number, what = 'field'): number {
    this.check(off, 1, what);
    return this.view.getUint8(off);
  }
  u16(off: number, what = 'field'): number {
    this.check(off, 2, what);
    return this.view.getUint16(off, this.le);
  }
  u32(off: number, what = 'field'): number {
    this.check(off, 4, what);
    return this.view.getUint32(off, this.le);
  }
  /** 64-bit value as a number (precision lost above 2^53: use only for offsets and sizes, which the file size bounds). */
  u64(off: number, what = 'field'): number {
    this.check(off, 8, what);
    return Number(this.view.getBigUint64(off, this.le));
  }
  /** 64-bit value, exact (addresses: IA-64 puts code at 0x4000000000000000 and above). */
  u64Exact(off: number, what = 'field'): bigint {
    this.check(off, 8, what);
    return this.view.getBigUint64(off, this.le);
  }
  /** Address-sized word, exact. */
  wordExact(off: number, is64: boolean, what = 'field'): bigint {
    return is64 ? this.u64Exact(off, what) : BigInt(this.u32(off, what));
  }
  /** Signed 64-bit value as a number. */
  i64(off: number, what = 'field'): number {
    this.check(off, 8, what);
    return Number(this.view.getBigInt64(off, this.le));
  }
  /** Address/offset-sized word: 4 bytes for ELF32, 8 for ELF64. */
  word(off: number, is64: boolean, what = 'field'): number {
    return is64 ? this.u64(off, what) : this.u32(off, what);
  }
}

const strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes bytes as UTF-8, keeping every byte: a byte that is not part of a valid UTF-8 sequence becomes the
 * four characters `\xNN` (lower-case hex). Two different byte strings stay two different names (U+FFFD
 * replacement would merge them: the loader compares bytes).
 */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    return decodeEscaped(bytes);
  }
}

/** Length of the valid UTF-8 sequence starting at i (0 when the byte there does not start one). */
function utf8Length(b: Uint8Array, i: number): number {
  const c = b[i]!;
  const cont = (k: number): boolean => i + k < b.length && (b[i + k]! & 0xc0) === 0x80;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const c1 = b[i + 1] ?? 0;
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f)) return 0; // overlong, surrogates
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const c1 = b[i + 1] ?? 0;
    if ((c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) return 0;
    return cont(1) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

function decodeEscaped(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const n = utf8Length(bytes, i);
    if (n === 0) {
      out += `\\x${bytes[i]!.toString(16).padStart(2, '0')}`;
      i++;
    } else {
      out += strict.decode(bytes.subarray(i, i + n));
      i += n;
    }
  }
  return out;
}

/** Default cap for one NUL-terminated string (paths, sonames, version names). */
export const MAX_CSTRING = 4096;

/**
 * Reads a NUL-terminated string at `offset`, at most `max` bytes, stopping at `limit` (exclusive end
 * of the table it lives in). Returns undefined when the offset is outside the table or no NUL is found.
 */
export function readCString(src: ByteSource, offset: number, limit = src.size, max = MAX_CSTRING): string | undefined {
  const end = Math.min(limit, src.size);
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= end) return undefined;
  let chunk = 256;
  for (;;) {
    const want = Math.min(chunk, max + 1, end - offset);
    const bytes = readClamped(src, offset, want);
    const nul = bytes.indexOf(0);
    if (nul >= 0) return decodeUtf8(bytes.subarray(0, nul));
    if (bytes.length < want || want >= max + 1 || want >= end - offset) return undefined;
    chunk *= 4;
  }
}
