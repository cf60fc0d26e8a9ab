/**
 * A sampled estimate of `gzip -6` of a layer tar, with per-file attribution so that a plan can project removals.
 *
 * Sampling (see docs/PREDICTIONS.md for the measured error and cost): the stream is cut into segments. The first
 * `fullPrefix` bytes are compressed completely (1 MiB segments); after that, each segment of `stride` bytes has
 * its first `sample` bytes compressed with deflate level 6, primed with the 32 KiB that precede them as a preset
 * dictionary (so the sample compresses as it would inside the gzip stream), and the segment is credited
 * `stride × ratio(sample)`. The stride grows from 256 KiB to 1 MiB after `wideAfter` bytes so that very big layers
 * stay cheap. A file of ≥ 64 KiB starts a new segment where its data starts (so it gets its own sample and
 * ratio, which keeps removal projections honest next to very different neighbours). Per file, the estimate is
 * the sum over its tar records (headers + data + padding) of the ratio of each segment they overlap.
 */

export interface SamplingPlan {
  /** Bytes at the start compressed in full. */
  fullPrefix: number;
  /** Segment length after the prefix. */
  stride: number;
  /** Bytes compressed at the start of each segment. */
  sample: number;
  /** After this many bytes the stride becomes `wideStride` (same sample). */
  wideAfter: number;
  wideStride: number;
}

export const MiB = 1 << 20;

export const DEFAULT_SAMPLING: SamplingPlan = {
  fullPrefix: 4 * MiB,
  stride: 256 * 1024,
  sample: 32 * 1024,
  wideAfter: 256 * MiB,
  wideStride: MiB,
};

/**
 * Node's zlib (level 6) writes ~1.5% more than GNU gzip -6 where it finds matches (measured on a 577 MB tar of
 * /usr/bin + /usr/share/doc: 1.0142) and the same on incompressible bytes (both store them). A sample of n bytes
 * that deflated to c is counted as c − 1.5%·min(c, n − c).
 */
export const NODE_TO_GNU_GZIP = 0.985;

export function gnuGzipEquivalent(compressed: number, raw: number): number {
  return compressed - (1 - NODE_TO_GNU_GZIP) * Math.max(0, Math.min(compressed, raw - compressed));
}

/** gzip's own framing: 10-byte header + 8-byte trailer (no name: `gzip -n` / docker). */
export const GZIP_FRAMING = 18;

/** The segment containing stream offset `offset`: where it starts, its length, and how many of its first bytes are compressed. */
export function segmentAt(plan: SamplingPlan, offset: number): { start: number; length: number; sampled: number } {
  if (offset < plan.fullPrefix) {
    const start = Math.floor(offset / MiB) * MiB;
    const length = Math.min(MiB, plan.fullPrefix - start);
    return { start, length, sampled: length };
  }
  const wideStart =
    plan.fullPrefix + Math.max(0, Math.ceil((plan.wideAfter - plan.fullPrefix) / plan.stride)) * plan.stride;
  if (offset < wideStart) {
    const start = plan.fullPrefix + Math.floor((offset - plan.fullPrefix) / plan.stride) * plan.stride;
    return { start, length: plan.stride, sampled: Math.min(plan.sample, plan.stride) };
  }
  const start = wideStart + Math.floor((offset - wideStart) / plan.wideStride) * plan.wideStride;
  return { start, length: plan.wideStride, sampled: Math.min(plan.sample, plan.wideStride) };
}

/** One measured segment: its stream range and the deflate size of its sampled bytes. */
export interface Segment {
  start: number;
  end: number;
  /** Bytes that were compressed (≤ end − start; the last segment may be cut short). */
  sampledBytes: number;
  compressedBytes: number;
}

/** A tar record group (header(s) + data + padding) in the stream, by normalised path. */
export interface FileSpan {
  path: string;
  start: number;
  end: number;
}

export interface GzipLayerEstimate {
  /** How the number was obtained, for the UI ("estimated: …"). */
  readonly method: string;
  /** Bytes of the uncompressed tar. */
  readonly tarBytes: number;
  /** Bytes actually compressed to obtain the estimate. */
  readonly sampledBytes: number;
  /** Estimated `gzip -6` size of the whole tar. */
  readonly gzipBytes: number;
  /** Per path: estimated gzip bytes of its tar records (header + data + padding). A JSON dump shows `{}`. */
  readonly files: ReadonlyMap<string, number>;
}

/** Prefix sums over segments: estimated compressed bytes of stream range [0, x). */
export class CompressedRuler {
  private readonly starts: number[] = [];
  private readonly ratios: number[] = [];
  private readonly cum: number[] = [];
  private total = 0;
  constructor(segments: readonly Segment[]) {
    for (const s of segments) {
      const ratio = s.sampledBytes > 0 ? gnuGzipEquivalent(s.compressedBytes, s.sampledBytes) / s.sampledBytes : 1;
      this.starts.push(s.start);
      this.ratios.push(ratio);
      this.cum.push(this.total);
      this.total += ratio * (s.end - s.start);
    }
  }
  get totalBytes(): number {
    return this.total;
  }
  /** Estimated compressed bytes of [0, x). */
  at(x: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    if (hi < 0) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= x) lo = mid;
      else hi = mid - 1;
    }
    const segEnd = lo + 1 < this.starts.length ? this.starts[lo + 1]! : Infinity;
    const within = Math.min(x, segEnd) - this.starts[lo]!;
    return this.cum[lo]! + this.ratios[lo]! * Math.max(0, within);
  }
}

export function buildEstimate(
  method: string,
  tarBytes: number,
  segments: readonly Segment[],
  spans: readonly FileSpan[],
): GzipLayerEstimate {
  const ruler = new CompressedRuler(segments);
  const files = new Map<string, number>();
  for (const f of spans) files.set(f.path, (files.get(f.path) ?? 0) + (ruler.at(f.end) - ruler.at(f.start)));
  const sampledBytes = segments.reduce((n, s) => n + s.sampledBytes, 0);
  return { method, tarBytes, sampledBytes, gzipBytes: Math.round(ruler.totalBytes) + GZIP_FRAMING, files };
}

/**
 * Compressed size of a layer after removing some paths (a removed directory takes its subtree): the estimate
 * minus the removed records' share. Paths are normalised (no leading '/').
 */
export function estimateCompressedBytes(est: GzipLayerEstimate, removed: readonly string[] = []): number {
  if (removed.length === 0) return est.gzipBytes;
  const set = new Set(removed);
  const isRemoved = (p: string): boolean => {
    for (let q = p; ;) {
      if (set.has(q)) return true;
      const i = q.lastIndexOf('/');
      if (i < 0) return false;
      q = q.slice(0, i);
    }
  };
  let minus = 0;
  for (const [p, n] of est.files) if (isRemoved(p)) minus += n;
  return Math.max(GZIP_FRAMING, Math.round(est.gzipBytes - minus));
}

/** Estimated gzip bytes of one path's tar records (undefined when the layer has no such path). */
export function fileCompressedBytes(est: GzipLayerEstimate, path: string): number | undefined {
  return est.files.get(path);
}

/** The estimated compression ratio (gzip / raw) of one file's records, e.g. to price a replacement of its bytes. */
export function fileCompressionRatio(est: GzipLayerEstimate, path: string, rawBytes: number): number | undefined {
  const c = est.files.get(path);
  return c === undefined || rawBytes <= 0 ? undefined : c / rawBytes;
}

export function describeSampling(plan: SamplingPlan): string {
  const k = (n: number): string => (n >= MiB ? `${n / MiB} MiB` : `${n / 1024} KiB`);
  return (
    `estimated: deflate level 6 of the first ${k(plan.fullPrefix)} and of ${k(plan.sample)} in every ${k(plan.stride)} ` +
    `(every ${k(plan.wideStride)} after ${k(plan.wideAfter)}) and at the start of every file ≥ 64 KiB, each primed ` +
    `with the preceding 32 KiB, scaled to GNU gzip`
  );
}
