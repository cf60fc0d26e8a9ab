import { promises as fs } from 'node:fs';
import { isTarHeader } from './tar-record.js';

/**
 * Where a big uncompressed layer may be cut so that both cores parse it: the first frame waits for the layers'
 * headers, and one layer often holds most of them (the bench image: 77k of 83k entries in one layer, 601k of 1M).
 *
 * A cut is a guess checked afterwards. Near each nominal offset the first 512-byte block (aligned to the layer's
 * start) that reads as a tar header becomes a span's start; each span is then skimmed on its own, and the guess
 * holds only if the span before it tiled exactly up to it (skim-chunks.ts `SkimWalk`): then that block is a
 * real record boundary with no PAX or long-name record waiting for it, and the spans' entries, in order, are the
 * layer's. A block that only looks like a header (a tar file stored in the layer) fails that check, and the
 * layer is parsed whole instead (parallel-layers.ts).
 */

/** A layer's byte range, or one piece of it. */
export interface Span {
  /** Index of the layer (ref) the span belongs to. */
  readonly layer: number;
  readonly start: number;
  readonly end: number;
  /** Whether the layer was cut (a span of a cut layer must tile for its neighbour to be trusted). */
  readonly cut: boolean;
}

/** No span shorter than this: below it a cut's scan and a span's start cost more than the parallel parse gains. */
export const MIN_SPAN = 16 << 20;
/** How far past a nominal cut the scan looks for a header before it gives the cut up (inside a big file's data). */
const SCAN_LIMIT = 4 << 20;
const SCAN_READ = 64 << 10;

/** The first block at or after `from` (aligned to `base`, before `limit`) that reads as a tar header, or -1. */
async function headerAtOrAfter(handle: fs.FileHandle, base: number, from: number, limit: number): Promise<number> {
  let at = base + Math.ceil((from - base) / 512) * 512;
  const stop = Math.min(limit, at + SCAN_LIMIT);
  const buf = Buffer.allocUnsafe(SCAN_READ);
  while (at + 512 <= stop) {
    const n = Math.min(SCAN_READ, stop - at);
    const { bytesRead } = await handle.read(buf, 0, n, at);
    for (let i = 0; i + 512 <= bytesRead; i += 512) if (isTarHeader(buf.subarray(i, i + 512))) return at + i;
    if (bytesRead < n) return -1;
    at += bytesRead - (bytesRead % 512);
  }
  return -1;
}

/**
 * The spans of the layers in `ranges` (in layer order, each layer's spans in order), cutting uncompressed layers
 * into pieces of about `target` bytes. A layer whose first block is not a tar header (compressed) is one span.
 */
export async function layerSpans(
  file: (layer: number) => string,
  ranges: readonly { readonly start: number; readonly end: number }[],
  target: number,
  minSpan = MIN_SPAN,
): Promise<Span[]> {
  const spans: Span[] = [];
  const size = Math.max(minSpan, target);
  for (let layer = 0; layer < ranges.length; layer++) {
    const { start, end } = ranges[layer]!;
    const pieces = Math.floor((end - start) / size);
    if (pieces < 2) {
      spans.push({ layer, start, end, cut: false });
      continue;
    }
    const handle = await fs.open(file(layer), 'r');
    const cuts: number[] = [];
    try {
      const head = Buffer.alloc(512);
      await handle.read(head, 0, 512, start);
      if (isTarHeader(head))
        for (let k = 1; k < pieces; k++) {
          const from = Math.max(start + Math.round(((end - start) * k) / pieces), (cuts.at(-1) ?? start) + 512);
          const at = await headerAtOrAfter(handle, start, from, end);
          if (at > (cuts.at(-1) ?? start)) cuts.push(at);
        }
    } finally {
      await handle.close();
    }
    const bounds = [start, ...cuts, end];
    const cut = cuts.length > 0;
    for (let i = 0; i + 1 < bounds.length; i++) spans.push({ layer, start: bounds[i]!, end: bounds[i + 1]!, cut });
  }
  return spans;
}
