/**
 * LayerTap 'gzip-estimate': estimates `gzip -6` of the layer's uncompressed tar in the engine's single pass by
 * compressing samples (src/model/predict/gzip-estimate.ts has the scheme), and attributes compressed bytes to
 * each path so that a plan can project removals (estimateCompressedBytes). The layer's `facts['gzip-estimate']`
 * is a GzipLayerEstimate.
 */
import { deflateRawSync } from 'node:zlib';
import type { LayerTap } from './content-analyser.js';
import {
  buildEstimate,
  DEFAULT_SAMPLING,
  describeSampling,
  segmentAt,
  type GzipLayerEstimate,
  type SamplingPlan,
  type Segment,
} from '../model/predict/gzip-estimate.js';
import { TarSpanner } from './tar-spans.js';

const WINDOW = 32 * 1024;

export const GZIP_ESTIMATE = 'gzip-estimate';

class Estimator {
  private pos = 0;
  /** The last ≤ 32 KiB of the stream before `pos`. */
  private tail = new Uint8Array(0);
  /** Current segment; its sample is [sampleStart, sampleStart + sampled). */
  private seg: { start: number; length: number; sampleStart: number; sampled: number } | undefined;
  private sample: Uint8Array | undefined;
  private sampleFill = 0;
  private dict: Uint8Array | undefined;
  private compressed = 0;
  private sampledSoFar = 0;
  private readonly segments: Segment[] = [];
  private readonly spanner = new TarSpanner();

  constructor(private readonly plan: SamplingPlan) {}

  write(chunk: Uint8Array): void {
    this.spanner.write(chunk);
    let i = 0;
    while (i < chunk.length) {
      const abs = this.pos + i;
      this.clipAtBigFile(abs);
      if (!this.seg || abs >= this.seg.start + this.seg.length) this.openSegment(abs);
      const seg = this.seg!;
      const segEnd = seg.start + seg.length;
      const sampleEnd = seg.sampleStart + seg.sampled;
      if (abs < seg.sampleStart) {
        i += Math.min(chunk.length - i, seg.sampleStart - abs);
      } else if (abs < sampleEnd && seg.sampled > 0 && this.sampledSoFar === 0) {
        if (!this.sample) this.startSample(chunk, i, seg.sampled);
        const n = Math.min(chunk.length - i, sampleEnd - abs);
        this.sample!.set(chunk.subarray(i, i + n), this.sampleFill);
        this.sampleFill += n;
        i += n;
        if (this.sampleFill === seg.sampled) this.closeSample();
      } else {
        i += Math.min(chunk.length - i, segEnd - abs);
      }
    }
    this.pos += chunk.length;
    this.pushTail(chunk);
  }

  private pushTail(chunk: Uint8Array): void {
    if (chunk.length >= WINDOW) {
      this.tail = chunk.slice(chunk.length - WINDOW);
      return;
    }
    const keep = Math.min(this.tail.length, WINDOW - chunk.length);
    const t = new Uint8Array(keep + chunk.length);
    t.set(this.tail.subarray(this.tail.length - keep), 0);
    t.set(chunk, keep);
    this.tail = t;
  }

  /** The sample begins at chunk[i]: its dictionary is the 32 KiB before it (tail + the chunk's bytes before i). */
  private startSample(chunk: Uint8Array, i: number, size: number): void {
    const before = chunk.subarray(Math.max(0, i - WINDOW), i);
    const fromTail = Math.min(this.tail.length, WINDOW - before.length);
    const dict = new Uint8Array(fromTail + before.length);
    dict.set(this.tail.subarray(this.tail.length - fromTail), 0);
    dict.set(before, fromTail);
    this.dict = dict;
    this.sample = new Uint8Array(size);
    this.sampleFill = 0;
  }

  /** Where in a segment of `length` bytes the sample goes: all of it in the prefix, else centred. */
  private placeSample(start: number, length: number): { sampleStart: number; sampled: number } {
    if (start < this.plan.fullPrefix) return { sampleStart: start, sampled: length };
    const sampled = Math.min(this.plan.sample, length);
    return { sampleStart: start + Math.floor((length - sampled) / 2), sampled };
  }

  /** A big file's data start learnt after the current segment was opened ends that segment there. */
  private clipAtBigFile(abs: number): void {
    const seg = this.seg;
    const starts = this.spanner.bigDataStarts;
    while (starts.length > 0 && starts[0]! < abs) starts.shift();
    if (!seg || starts.length === 0) return;
    const b = starts[0]!;
    if (b <= seg.start || b >= seg.start + seg.length) return;
    seg.length = b - seg.start;
    if (this.sample || this.sampledSoFar > 0) {
      // Sampling under way or done: keep what fits.
      const fits = Math.max(0, b - seg.sampleStart);
      if (seg.sampled > fits) seg.sampled = fits;
      if (this.sample && this.sampleFill >= seg.sampled) this.closeSample();
    } else {
      const p = this.placeSample(seg.start, seg.length);
      // The sample must not start behind us.
      seg.sampleStart = Math.max(p.sampleStart, abs);
      seg.sampled = Math.min(p.sampled, b - seg.sampleStart);
    }
  }

  /**
   * Starts the segment at `abs`: up to the plan's grid boundary or the start of the next big file's data,
   * whichever comes first (so big files get ratios of their own).
   */
  private openSegment(abs: number): void {
    this.finishSegment(abs);
    const grid = segmentAt(this.plan, abs);
    const starts = this.spanner.bigDataStarts;
    while (starts.length > 0 && starts[0]! <= abs) starts.shift();
    const end = Math.min(grid.start + grid.length, starts[0] ?? Infinity);
    const length = end - abs;
    this.seg = { start: abs, length, ...this.placeSample(abs, length) };
  }

  private closeSample(): void {
    if (!this.sample) return;
    const data = this.sample.subarray(0, this.sampleFill);
    const opts = this.dict && this.dict.length > 0 ? { level: 6, dictionary: this.dict } : { level: 6 };
    this.compressed = data.length > 0 ? deflateRawSync(data, opts).length : 0;
    this.sampledSoFar = data.length;
    this.sample = undefined;
    this.dict = undefined;
  }

  private finishSegment(end: number): void {
    if (!this.seg) return;
    if (this.sample) this.closeSample();
    this.segments.push({
      start: this.seg.start,
      end,
      sampledBytes: this.sampledSoFar,
      compressedBytes: this.compressed,
    });
    this.sampledSoFar = 0;
    this.compressed = 0;
  }

  end(): GzipLayerEstimate {
    this.finishSegment(this.pos);
    this.seg = undefined;
    return buildEstimate(describeSampling(this.plan), this.pos, this.segments, this.spanner.spans);
  }
}

/** The tap for the engine (`taps: [gzipEstimateTap()]`). */
export function gzipEstimateTap(plan: SamplingPlan = DEFAULT_SAMPLING): LayerTap {
  return { name: GZIP_ESTIMATE, open: () => new Estimator(plan) };
}

/** Runs the estimator over any stream of tar bytes (tests, benchmarks, a one-off layer). */
export async function estimateGzip(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  plan: SamplingPlan = DEFAULT_SAMPLING,
): Promise<GzipLayerEstimate> {
  const e = new Estimator(plan);
  for await (const c of chunks) e.write(c);
  return e.end();
}
