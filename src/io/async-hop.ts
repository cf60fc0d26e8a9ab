import { Transform, type TransformCallback } from 'node:stream';

/**
 * Hands each chunk on from a later turn of the event loop, so that a stage working on a pool thread keeps
 * working while this thread handles what it produced. Node's gunzip inflates on a libuv pool thread, but it
 * pushes each inflated chunk from its completion callback and only then starts on the next one; piped, that
 * push runs the whole downstream (tar parse, hashes, analysers) inside the callback, so inflate and parse
 * took turns (the bench's biggest gzip layer, inflated and hashed three times: 5.5 s piped, 3.7 s behind this).
 * Behind this hop the callback returns at once and the pool thread inflates up to `ahead` bytes in advance.
 */
export class AsyncHop extends Transform {
  constructor(ahead: number) {
    super({ writableHighWaterMark: ahead });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    setImmediate(done, null, chunk);
  }
}
