import { promises as fs } from 'node:fs';
import type { ChunkPool } from './chunk-pool.js';

/**
 * Reads a file front to back with several reads in flight, so the disk (or page cache) copy overlaps
 * with parsing; a plain fs stream has one read outstanding and leaves the CPU idle between chunks.
 * Memory: at most `depth` chunks are held. With `range`, only the bytes [start, end) are read.
 */
export async function* fileChunks(
  path: string,
  chunkSize = 1 << 20,
  depth = 4,
  range?: { readonly start: number; readonly end: number },
  /** Read buffers lent and taken back (chunk-pool.ts); without it, each read is a new buffer. */
  pool?: ChunkPool,
): AsyncGenerator<Buffer> {
  const handle = await fs.open(path, 'r');
  try {
    const size = range ? range.end : (await handle.stat()).size;
    let next = range ? range.start : 0;
    const pending: Promise<Buffer>[] = [];
    const issue = (): void => {
      if (next >= size) return;
      const length = Math.min(chunkSize, size - next);
      const position = next;
      next += length;
      pending.push(
        handle
          .read(pool ? pool.take(length) : Buffer.allocUnsafe(length), 0, length, position)
          .then(({ bytesRead, buffer }) => (bytesRead === length ? buffer : buffer.subarray(0, bytesRead))),
      );
    };
    for (let i = 0; i < depth; i++) issue();
    let yielded = 0;
    while (pending.length > 0) {
      const chunk = await pending.shift()!;
      issue();
      if (chunk.length === 0) break;
      yielded += chunk.length;
      // Handed out whole, once: free again when the stream's consumer is past its last byte.
      pool?.retire(chunk, yielded);
      yield chunk;
    }
  } finally {
    await handle.close();
  }
}
