import { Transform, type TransformCallback } from 'node:stream';
import { isTarDirectory, paxSize, tarNumber } from './tar-record.js';

/** The size field of the header at `at` in `h`. */
const headerSize = (h: Uint8Array, at: number): number => tarNumber(h, at + 124, 12);

const MAX_PAX = 1 << 20;

/** Whether the 512-byte block at `at` in `b` is all zeros. */
const isZero = (b: Uint8Array, at: number): boolean => {
  for (let i = at; i < at + 512; i++) if (b[i] !== 0) return false;
  return true;
};

/**
 * Passes a tar stream through up to its end-of-archive marker (two zero blocks) and swallows what follows,
 * as Go's archive/tar and GNU tar do. eStargz stores its table of contents there; tar-stream would read it
 * as another file. Data lengths follow tar-stream's reading (directories and empty entries carry no data),
 * so the two never disagree about where a header starts.
 */
export class TarEndOfArchive extends Transform {
  private header = Buffer.alloc(512);
  private headerFill = 0;
  private skip = 0;
  private zeros = 0;
  private ended = false;
  /** A PAX record's data being collected ('x' or 'g'), to learn a `size` that overrides the next header's. */
  private pax: { global: boolean; parts: Buffer[]; left: number; pad: number } | undefined;
  private globalSize: number | undefined;
  private nextSize: number | undefined;

  constructor() {
    super({ highWaterMark: 1 << 20 });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.ended) return done();
    let i = 0;
    while (i < chunk.length && !this.ended) {
      if (this.pax) {
        const p = this.pax;
        const n = Math.min(p.left, chunk.length - i);
        p.parts.push(chunk.subarray(i, i + n));
        p.left -= n;
        i += n;
        if (p.left > 0) continue;
        const size = paxSize(Buffer.concat(p.parts));
        if (p.global) this.globalSize = size;
        else this.nextSize = size ?? this.globalSize;
        this.pax = undefined;
        this.skip = p.pad;
        continue;
      }
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      // The header block: read where it lies when the chunk holds all of it (most do: a copy of each of a
      // million headers was ~0.17 s of a layer thread), else gathered across chunks.
      let h: Uint8Array = chunk;
      let at = i;
      if (this.headerFill === 0 && chunk.length - i >= 512) i += 512;
      else {
        const n = Math.min(512 - this.headerFill, chunk.length - i);
        chunk.copy(this.header, this.headerFill, i, i + n);
        this.headerFill += n;
        i += n;
        if (this.headerFill < 512) break;
        this.headerFill = 0;
        h = this.header;
        at = 0;
      }
      if (isZero(h, at)) {
        if (++this.zeros === 2) this.ended = true;
        continue;
      }
      this.zeros = 0;
      const type = h[at + 156];
      // As tar-stream reads them: a PAX record's `size` (over a global one's) replaces the next header's.
      if ((type === 0x78 /* x */ || type === 0x67) /* g */ && headerSize(h, at) <= MAX_PAX) {
        const size = headerSize(h, at);
        this.pax = { global: type === 0x67, parts: [], left: size, pad: Math.ceil(size / 512) * 512 - size };
        if (size === 0) this.pax.parts.push(Buffer.alloc(0));
        continue;
      }
      // A GNU long name keeps its own size; the pending PAX size is for the real header after it.
      const longName = type === 0x4c /* L */ || type === 0x4b; /* K */
      const size = longName ? headerSize(h, at) : (this.nextSize ?? headerSize(h, at));
      if (!longName) this.nextSize = undefined;
      const dataless = size === 0 || isTarDirectory(h, at);
      this.skip = dataless ? 0 : Math.ceil(size / 512) * 512;
    }
    // A PAX record that goes on in the next chunk: its parts so far copied, so that no view of this chunk is kept
    // once it has been passed on (read buffers are used again once the parse is past them: chunk-pool.ts).
    if (this.pax && this.pax.parts.length > 0) this.pax.parts = [Buffer.concat(this.pax.parts)];
    done(null, this.ended ? chunk.subarray(0, i) : chunk);
  }
}
