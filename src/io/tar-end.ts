import { Transform, type TransformCallback } from 'node:stream';

/** A tar header's size field: octal text, or GNU base-256 when the high bit of the first byte is set. */
function headerSize(h: Uint8Array): number {
  if (h[124]! & 0x80) {
    let n = 0;
    for (let i = 125; i < 136; i++) n = n * 256 + h[i]!;
    return n;
  }
  let n = 0;
  for (let i = 124; i < 136; i++) {
    const c = h[i]!;
    if (c >= 0x30 && c <= 0x37) n = n * 8 + (c - 0x30);
    else if (n > 0 && (c === 0 || c === 0x20)) break;
  }
  return n;
}

const isZero = (b: Uint8Array): boolean => {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
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

  constructor() {
    super({ highWaterMark: 1 << 20 });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.ended) return done();
    let i = 0;
    while (i < chunk.length && !this.ended) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      const n = Math.min(512 - this.headerFill, chunk.length - i);
      chunk.copy(this.header, this.headerFill, i, i + n);
      this.headerFill += n;
      i += n;
      if (this.headerFill < 512) break;
      this.headerFill = 0;
      if (isZero(this.header)) {
        if (++this.zeros === 2) this.ended = true;
        continue;
      }
      this.zeros = 0;
      const size = headerSize(this.header);
      const type = this.header[156];
      const dataless = size === 0 || type === 0x35; /* '5' directory */
      this.skip = dataless ? 0 : Math.ceil(size / 512) * 512;
    }
    done(null, this.ended ? chunk.subarray(0, i) : chunk);
  }
}
