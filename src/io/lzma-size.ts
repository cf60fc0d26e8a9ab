/**
 * Size of a raw LZMA1 preset-9 stream (`xz --format=raw [--x86] --lzma1=preset=9 -T1`, XZ Utils' liblzma) of
 * some byte ranges of a file — the L of the UPX model (src/model/predict/upx.ts). Runs the `xz` CLI on demand;
 * only the byte count of its output is kept. Cost: ~1–2 MB/s of input on one core, up to ~700 MiB of xz memory.
 */
import type { ByteSource } from '../model/elf/index.js';
import type { ByteRange } from '../model/predict/upx.js';
import { spawnCount } from './spawn-count.js';

const CHUNK = 1 << 20;

export interface LzmaSizeOptions {
  /** Apply xz's x86 BCJ filter before LZMA1 (the stand-in for UPX's ctok32 call filter). */
  x86: boolean;
}

function* rangeChunks(src: ByteSource, ranges: readonly ByteRange[]): Generator<Uint8Array> {
  for (const r of ranges) {
    for (let o = r.start; o < r.end; o += CHUNK) {
      const b = src.read(o, Math.min(CHUNK, r.end - o));
      if (b.length === 0) break;
      // Copy: a ByteSource view may be reused, and the child's stdin keeps the chunk until written.
      yield Uint8Array.from(b);
    }
  }
}

/** Raw LZMA1 preset-9 size of `ranges` of `src` concatenated (the whole source when ranges is omitted). */
export function lzmaRawSize(src: ByteSource, opts: LzmaSizeOptions, ranges?: readonly ByteRange[]): Promise<number> {
  const args = ['--format=raw', ...(opts.x86 ? ['--x86'] : []), '--lzma1=preset=9', '-T1', '-c'];
  return spawnCount('xz', args, rangeChunks(src, ranges ?? [{ start: 0, end: src.size }]));
}
