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
  /** 64-bit value as a number (precision lost above 2^53; such values are invalid offsets anyway). */
  u64(off: number, what = 'field'): number {
    this.check(off, 8, what);
    return Number(this.view.getBigUint64(off, this.le));
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

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Decodes bytes as UTF-8 (invalid sequences become U+FFFD). */
export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
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
