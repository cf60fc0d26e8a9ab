import { promises as fs } from 'node:fs';
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
/** Files at least this big are skipped: reading from the page cache is cheap, a seek and its wait are not (measured on
 * the bench image: skipping files of 64 KB and up was slower than reading them). */
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
) {
  const handle = await fs.open(path, 'r');
  try {
    const end = range.end;
    let chunk: Buffer = Buffer.alloc(0);
    let chunkAt = range.start;
    /** Everything before this offset has been yielded (read, or zeros for skipped data). */
    let emitted = range.start;
    // One read ahead while bytes are read in sequence (small files): the copy overlaps with the parse.
    let ahead: { at: number; length: number; p: Promise<Buffer> } | undefined;
    const fetch = (at: number, length: number): Promise<Buffer> =>
      handle.read(Buffer.allocUnsafe(length), 0, length, at).then(({ bytesRead, buffer }) => {
        skimStats.reads++;
        skimStats.bytes += bytesRead;
        return buffer.subarray(0, bytesRead);
      });
    const read = async (at: number, want: number, size: number): Promise<void> => {
      const length = Math.min(Math.max(want, size), end - at);
      const hit = ahead && ahead.at === at && ahead.length >= length ? ahead.p : undefined;
      // A read ahead that is not used is left to finish on its own: its buffer is dropped.
      ahead = undefined;
      chunk = await (hit ?? fetch(at, length));
      chunkAt = at;
      if (chunk.length < Math.min(want, length)) throw new Error(`${path}: short read at byte ${at + chunk.length}`);
      const after = at + chunk.length;
      if (size === CHUNK && after < end) {
        const n = Math.min(CHUNK, end - after);
        ahead = { at: after, length: n, p: fetch(after, n) };
      }
    };
    /** The bytes [at, at+n) without yielding them (at ≥ emitted). */
    const peekAt = async (at: number, n: number): Promise<Buffer> => {
      if (at < chunkAt || at + n > chunkAt + chunk.length) await read(at, n, PEEK);
      return chunk.subarray(at - chunkAt, at - chunkAt + n);
    };
    /** Yields the stored bytes up to `target`. */
    async function* emitTo(target: number): AsyncGenerator<Buffer> {
      while (emitted < target) {
        if (emitted < chunkAt || emitted >= chunkAt + chunk.length) await read(emitted, 0, CHUNK);
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
          : await peekAt(at, BLOCK);
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
        const pax = paxSize(await peekAt(data, size));
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
    await handle.close();
  }
}
