import { closeSync, openSync, readSync } from 'node:fs';
import type { ChunkPool } from './chunk-pool.js';
import { hasTarMagic, isTarDirectory, paxSize, tarNumber as num } from './tar-record.js';

/**
 * The bytes of an UNCOMPRESSED layer tar in a file, for a parse that needs the headers only (the explorer's
 * first frame): every record as stored, except the data of big regular files, which is not read — zeros of the
 * same length stand in for it (one shared zero buffer, never copied). tar-stream still parses every header, long
 * name and PAX record of the stream; this only decides which bytes to fetch from disk. On a 2 GB image of real
 * files that is a few per cent of the bytes: the layers' headers, small files, and the data of PAX/GNU records.
 *
 * The walk mirrors tar-stream 3's record rules (extract.js): a PAX 'x' record's `size` (merged over a global
 * 'g' record's) overrides the header's; a directory — typeflag '5', or '0' with a name ending in '/' — has no
 * data whatever its size field says; every other type has `size` bytes padded to 512. Anything the walk does
 * not recognise (a bad checksum, an unknown format, the end-of-archive zeros) ends the eliding: from there on
 * every byte is read as stored, and tar-stream judges them as usual.
 */
const BLOCK = 512;
/** Files at least this big are skipped: reading from the page cache is cheap, a read per header is not (measured on
 * the bench image: skipping files of 64 KB and up was slower than reading them, with async reads and again with
 * synchronous ones, 16 KiB–1 MiB thresholds, 8–64 KiB peeks). */
export const SKIM_MIN_FILE = 1 << 20;
const CHUNK = 1 << 20;
/** What a header's read fetches: after a skipped file the next big one may be near, so not a whole chunk. */
const PEEK = 64 << 10;
const MAX_META = 1 << 20;
const ZEROS = Buffer.alloc(CHUNK);
/** Reads made and bytes fetched by this thread's skims (tests check that big files are not read). */
export const skimStats = { reads: 0, bytes: 0 };

/**
 * How the header walk of one range ended. `tiled`: its records cover the range exactly — the last one ends at
 * `end`, no PAX or GNU extension record is left waiting for its header, and no global PAX record was seen — so a
 * parse of the next range from `end` with fresh state reads what a parse of the whole stream would (layer-spans.ts
 * splits a big layer on that proof).
 */
export interface SkimWalk {
  tiled: boolean;
}

export async function* skimChunks(
  path: string,
  range: { readonly start: number; readonly end: number },
  walk: SkimWalk = { tiled: false },
  /** Read buffers lent and taken back (chunk-pool.ts); without it, each read is a new buffer. */
  pool?: ChunkPool,
) {
  // Synchronous reads: the skim runs on a layer thread with nothing else to do, and an async read's round trip
  // through libuv's pool (a third thread on two cores, and a wait per read) cost more than the copy it overlapped
  // (measured: the skim of the bench image's 1M-entry layers 3.26 -> 3.0-3.1 s; its 2 GB image within noise, 0.96-1.18 s).
  const fd = openSync(path, 'r');
  try {
    const end = range.end;
    let chunk: Buffer = Buffer.alloc(0);
    let chunkAt = range.start;
    /** Everything before this offset has been yielded (read, or zeros for skipped data). */
    let emitted = range.start;
    /** Reads [at, at + max(want, size)) (cut at the range's end) into `chunk`; at least `want` bytes or it throws. */
    const read = (at: number, want: number, size: number): void => {
      const length = Math.min(Math.max(want, size), end - at);
      // The chunk in hand is replaced: no byte of it is yielded after this (those not yet yielded are read again).
      pool?.retire(chunk, emitted - range.start);
      const buffer = pool ? pool.take(length) : Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const n = readSync(fd, buffer, got, length - got, at + got);
        if (n === 0) break;
        got += n;
      }
      skimStats.reads++;
      skimStats.bytes += got;
      chunk = buffer.subarray(0, got);
      chunkAt = at;
      if (got < Math.min(want, length)) throw new Error(`${path}: short read at byte ${at + got}`);
    };
    /** The bytes [at, at+n) without yielding them (at ≥ emitted). */
    const peekAt = (at: number, n: number): Buffer => {
      if (at < chunkAt || at + n > chunkAt + chunk.length) read(at, n, PEEK);
      return chunk.subarray(at - chunkAt, at - chunkAt + n);
    };
    /** Yields the stored bytes up to `target`. */
    function* emitTo(target: number): Generator<Buffer> {
      while (emitted < target) {
        if (emitted < chunkAt || emitted >= chunkAt + chunk.length) read(emitted, 0, CHUNK);
        const stop = Math.min(target, chunkAt + chunk.length);
        yield chunk.subarray(emitted - chunkAt, stop - chunkAt);
        emitted = stop;
      }
    }
    let globalSize: number | undefined;
    let nextSize: number | undefined;
    let sawGlobal = false;
    let extensionPending = false;
    let at = range.start;
    walk.tiled = false;
    while (at + BLOCK <= end) {
      // Bytes before a header are yielded only when its read would replace the chunk they are in: big slices.
      if (at + BLOCK > chunkAt + chunk.length) yield* emitTo(at);
      // In the chunk in hand (most headers): no promise per header.
      const h =
        at >= chunkAt && at + BLOCK <= chunkAt + chunk.length
          ? chunk.subarray(at - chunkAt, at - chunkAt + BLOCK)
          : peekAt(at, BLOCK);
      // The magic, not the checksum: a header with a wrong one fails in tar-stream, and the skim with it.
      if (!hasTarMagic(h)) break;
      const type = h[156]!;
      // Extension records (PAX 'x'/'g', GNU 'L'/'K') have their own size; a PAX size is for the next real header
      // and stays pending across them, as in tar-stream.
      const extension = type === 0x78 || type === 0x67 || type === 0x4c || type === 0x4b;
      const size = extension ? num(h, 124, 12) : (nextSize ?? num(h, 124, 12));
      const data = at + BLOCK;
      const next = data + Math.ceil(size / BLOCK) * BLOCK;
      if (next > end) break;
      if (type === 0x78 /* x */ || type === 0x67 /* g */) {
        if (size > MAX_META) break;
        const pax = paxSize(peekAt(data, size));
        if (type === 0x67) {
          globalSize = pax;
          sawGlobal = true;
        } else {
          nextSize = pax ?? globalSize;
          extensionPending = true;
        }
        at = next;
        continue;
      }
      if (extension) {
        extensionPending = true;
        at = next;
        continue;
      }
      nextSize = undefined;
      extensionPending = false;
      if (isTarDirectory(h)) {
        at = data;
        continue;
      }
      const regular = type === 0x30 || type === 0 || type === 0x37;
      if (regular && size >= SKIM_MIN_FILE) {
        yield* emitTo(data);
        for (let left = next - data; left > 0; left -= CHUNK) yield ZEROS.subarray(0, Math.min(CHUNK, left));
        emitted = next;
      }
      at = next;
    }
    walk.tiled = at === end && !extensionPending && !sawGlobal;
    yield* emitTo(end);
  } finally {
    closeSync(fd);
  }
}
