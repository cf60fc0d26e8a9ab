/** A NUL-terminated string table (.dynstr, .shstrtab), bulk-read when small, else read per string. */
import { decodeUtf8, MAX_CSTRING, readCString, readClamped, type ByteSource } from './byte-reader.js';

/** Tables up to this size are read in one go; larger ones are read string by string. */
const BULK_LIMIT = 1 << 20;
/** Total characters one table may hand out, so hostile tables cannot make us build huge strings. */
const CHAR_BUDGET = 8 << 20;

export class StringTable {
  private readonly bulk: Uint8Array | undefined;
  private readonly end: number;
  private budget = CHAR_BUDGET;
  constructor(
    private readonly src: ByteSource,
    private readonly offset: number,
    size: number,
  ) {
    const avail = Math.max(0, Math.min(size, src.size - offset));
    this.end = offset + avail;
    this.bulk = avail <= BULK_LIMIT ? readClamped(src, offset, avail) : undefined;
  }
  /** The string at index `idx` of the table, or undefined when out of range / unterminated. */
  get(idx: number): string | undefined {
    if (!Number.isSafeInteger(idx) || idx < 0 || this.budget <= 0) return undefined;
    let s: string | undefined;
    if (this.bulk) {
      if (idx >= this.bulk.length) return undefined;
      const stop = Math.min(this.bulk.length, idx + MAX_CSTRING + 1);
      const nul = this.bulk.subarray(idx, stop).indexOf(0);
      s = nul < 0 ? undefined : decodeUtf8(this.bulk.subarray(idx, idx + nul));
    } else {
      s = readCString(this.src, this.offset + idx, this.end);
    }
    this.budget -= (s?.length ?? 0) + 1;
    return s;
  }
}
