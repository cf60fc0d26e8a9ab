/**
 * Read buffers used again once the tar parse is past them. A layer thread reads its range in 1 MiB chunks; a
 * fresh buffer each time is fresh memory for the kernel to fault in and for the allocator to hand back, and it
 * keeps the thread's collector busy with external memory (the bench's 1M-entry image, `--json --no-elf`: ~0.4 s
 * of its ~1 s of system time went to that, measured with glibc told never to trim or map them).
 *
 * A buffer goes back into use only when nothing can still read it. The reader retires each buffer with the
 * stream offset just past the last byte it handed out of it; `readLayer` says how far tar-stream has consumed the
 * stream (`watch`). Past that offset, tar-stream holds no byte of the buffer (its queue lets a chunk go once every
 * byte of it is consumed), and the stages before it have passed the chunk on. This holds only when nothing else
 * keeps a view of a chunk: an uncompressed layer (a decompressor makes its own buffers), no tap, and only
 * analysers that copy what they keep (`ContentAnalyser.copiesChunks`, told where the files lie) — `readLayer`
 * watches only then — and tar-end.ts copies the PAX records it gathers across chunks.
 * Unwatched, a pool lends nothing back: every `take` is a new buffer, as before.
 */
export const POOL_CHUNK = 1 << 20;

export class ChunkPool {
  /** Retired buffers, in the order they were retired, with the stream offset each is free after. */
  private readonly retired: { readonly buf: Buffer; readonly end: number }[] = [];
  private readonly free: Buffer[] = [];
  private consumed: (() => number) | undefined;
  /** The memory of the buffers this pool made: only those are taken back. */
  private readonly mine = new WeakSet<ArrayBufferLike>();
  /** Buffers lent again / made (tests check that the pool works and that it is used). */
  readonly stats = { reused: 0, made: 0 };

  constructor(private readonly keep = 16) {}

  /** No reuse in this stream (readLayer: something may keep views): retired buffers are let go, not held. */
  private off = false;

  /**
   * Called by readLayer once tar-stream's extract exists: how many bytes of the stream it has consumed, or
   * undefined when the buffers must not be read into again during this stream.
   */
  watch(consumed: (() => number) | undefined): void {
    this.consumed = consumed;
    this.off = consumed === undefined;
    if (this.off) this.retired.length = 0;
  }

  /** A buffer of `length` ≤ POOL_CHUNK bytes (a view of a pooled buffer; longer: a buffer of its own). */
  take(length: number): Buffer {
    if (length > POOL_CHUNK) return Buffer.allocUnsafe(length);
    this.collect();
    const buf = this.free.pop();
    if (buf) {
      this.stats.reused++;
      return buf.subarray(0, length);
    }
    this.stats.made++;
    // allocUnsafeSlow: memory of its own (allocUnsafe may hand out a slice of Node's shared pool for small sizes).
    const made = Buffer.allocUnsafeSlow(POOL_CHUNK);
    this.mine.add(made.buffer);
    return made.subarray(0, length);
  }

  /** The reader hands no more of `buf` out; its last byte handed out ends at stream offset `end`. */
  retire(buf: Buffer, end: number): void {
    if (this.off || !this.mine.has(buf.buffer)) return;
    this.retired.push({ buf: Buffer.from(buf.buffer, 0, POOL_CHUNK), end });
    // Before readLayer has said (the first chunks, read to sniff the stream) or while the parse lags: held
    // buffers are bounded; the oldest are let go (they are not read into again, only not reused).
    if (this.retired.length > 4 * this.keep) this.retired.shift();
  }

  /** The stream has ended (or failed) and its parse is over: nothing reads any buffer, and the next is a new stream. */
  reset(): void {
    this.consumed = undefined;
    this.off = false;
    for (const r of this.retired) if (this.free.length < this.keep) this.free.push(r.buf);
    this.retired.length = 0;
  }

  private collect(): void {
    if (!this.consumed || this.retired.length === 0) return;
    const at = this.consumed();
    let n = 0;
    while (n < this.retired.length && this.retired[n]!.end <= at) {
      if (this.free.length < this.keep) this.free.push(this.retired[n]!.buf);
      n++;
    }
    if (n > 0) this.retired.splice(0, n);
  }
}
