import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Image } from '../model/image.js';
import { assembleListing, type LayerBlob } from './assemble-image.js';
import type { ContentAnalyser, LayerTap } from './content-analyser.js';
import { elfAnalyser } from './elf-analyser.js';
import { SlimError } from './errors.js';
import { GZIP_ESTIMATE } from './gzip-estimate-tap.js';
import { REMOVAL_COST } from '../model/plan/removal-cost.js';
import { appendEntries } from './layer-columns.js';
import type { ContentFacts, Entry } from '../model/entry.js';
import type { LayerCheck } from './layer-facts.js';
import type { ContentImage } from './skim-load.js';
import { absoluteNamesWarning, type ParsedLayer } from './layer-reader.js';
import { layerSpans, MIN_SPAN, type Span } from './layer-spans.js';
import type { LayerJob, WorkerReply } from './layer-worker.js';
import type { ImageSource, LayerBlobListing, LayerBlobRef, LoadOptions } from './sources/image-source.js';
import { textAnalyser } from './text-analyser.js';

/**
 * Both cores: when a source can reach each layer blob on its own (a file and a byte range), the layers are
 * decompressed, parsed and analysed on worker threads, several at a time, and joined in layer order. The main
 * thread only turns each layer's columns back into entries; it reads no layer byte itself.
 * Below this many stored bytes a worker's start-up (~50 ms of module loading) costs more than it saves.
 */
const MIN_BYTES = 64 << 20;

let workerLayers = 0;
/** Spans this process's skims cut layers into, and spans read again because a cut did not hold (for tests). */
export const spanCounts = { spans: 0, rejoined: 0 };
/** How many layers this process has had parsed on worker threads (for tests: proof the path ran). */
export const workerLayerCount = (): number => workerLayers;

/** `SLIMTUI_PARALLEL=off` keeps every read on the main thread; `force` uses workers even for small images (tests). */
const mode = (): string => process.env['SLIMTUI_PARALLEL'] ?? 'auto';

/** The names a worker makes these analysers and taps by (layer-worker.ts); undefined when one cannot be made there. */
function workerNames(
  analysers: readonly ContentAnalyser[],
  taps: readonly LayerTap[],
): { analysers: string[]; taps: string[] } | undefined {
  const a: string[] = [];
  for (const x of analysers) {
    if (x === elfAnalyser) a.push('elf');
    else if (x === textAnalyser) a.push('text');
    else if (x.name === 'sha256') a.push('sha256');
    else return undefined;
  }
  const t: string[] = [];
  for (const x of taps) {
    if (x.name === GZIP_ESTIMATE) t.push('gzip-estimate');
    else if (x.name === REMOVAL_COST) t.push('removal-cost');
    else return undefined;
  }
  return { analysers: a, taps: t };
}

/** Whether the listed blobs may go to worker threads under these options (and the names the workers make them by). */
export function workerPlan(
  refs: readonly LayerBlobRef[],
  opts: LoadOptions,
  minLayers = 2,
): { analysers: string[]; taps: string[] } | undefined {
  const m = mode();
  if (m === 'off' || refs.length === 0) return undefined;
  const names = workerNames(opts.analysers, opts.taps ?? []);
  if (!names || refs.some((r) => !r.at)) return undefined;
  const total = refs.reduce((s, r) => s + r.size, 0);
  if (m !== 'force' && (refs.length < minLayers || total < MIN_BYTES)) return undefined;
  return names;
}

/** What one layer's content pass found: the analysers' facts by entry index, the layer's own results, a check. */
export interface ContentLayer {
  readonly facts: (readonly [number, ContentFacts])[];
  readonly rest: Omit<ParsedLayer, 'entries'>;
  readonly check: LayerCheck;
}

/** One span's skim: its entries and layer results, or the error it ended in (a piece of a cut layer may). */
interface Piece {
  readonly parsed?: ParsedLayer;
  readonly tiled: boolean;
  readonly absoluteNames: number;
}

/**
 * Worker threads (as many as cores, at most 4) that parse layer blobs, kept for several rounds: a skim of the
 * headers, then the content pass, without starting threads twice. The skim cuts big uncompressed layers into
 * spans (layer-spans.ts), so that one layer's headers are parsed on both cores.
 */
export class LayerPool {
  private readonly workers: Worker[];
  private bytes = 0;

  constructor(
    private readonly refs: readonly LayerBlobRef[],
    private readonly opts: LoadOptions,
    private readonly names: { analysers: string[]; taps: string[] },
    private readonly what: (ref: LayerBlobRef) => string,
    /** Threads to start (default: one per layer, up to the cores and 4); a skim can use more than there are layers. */
    threads = refs.length,
  ) {
    const count = Math.max(1, Math.min(availableParallelism(), threads, 4));
    this.workers = Array.from({ length: count }, () => new Worker(new URL('./layer-worker.js', import.meta.url)));
  }

  /** Full parses (entries with facts) or skims (entries only), one per ref, in ref order. */
  async parse(mode: 'full' | 'skim'): Promise<ParsedLayer[]> {
    const whole: Span[] = this.refs.map((r, layer) => ({ layer, start: r.at!.start, end: r.at!.end, cut: false }));
    if (mode === 'full') return (await this.parseSpans('full', whole)).map((p) => p.parsed!);
    // About four spans per thread: the pieces of a layer differ in entries per byte, and the threads take the
    // next span as they finish one. (SLIMTUI_SKIM_SPAN: the span size, for tests of the cuts on small layers.)
    const total = this.refs.reduce((s, r) => s + r.size, 0);
    const forced = Number(process.env['SLIMTUI_SKIM_SPAN'] ?? 0);
    const spans = await layerSpans(
      (l) => this.refs[l]!.at!.file,
      whole,
      forced || total / (this.workers.length * 4),
      forced ? 512 : MIN_SPAN,
    );
    return this.skimSpans(spans);
  }

  /** Skims the spans and joins each layer's pieces, reading again where a cut did not hold. */
  private async skimSpans(spans: readonly Span[]): Promise<ParsedLayer[]> {
    let pieces = await this.parseSpans('skim', spans);
    spanCounts.spans += spans.length;
    // Each cut holds when the span before it tiled up to it. Where one did not (a block in a file's data that
    // looked like a header, or a record running over the cut), that span and the next are read again as one;
    // until every cut of every layer holds. A layer whose last span fails is read whole, which says what is wrong.
    let layers = [...spansByLayer(spans).values()].map((ids) =>
      ids.map((i) => ({ span: spans[i]!, piece: pieces[i]! })),
    );
    for (;;) {
      const redo: Span[] = [];
      const whole: number[] = [];
      layers = layers.map((mine) => {
        // Left to right, every kept span starts at a proven boundary (the first, or after a span that tiled).
        const kept: typeof mine = [];
        for (let k = 0; k < mine.length; k++) {
          const here = mine[k]!;
          if (k === mine.length - 1) {
            // The last span of a layer need not tile; if it failed from a proven start, the layer is bad.
            if (!here.piece.parsed) whole.push(here.span.layer);
            kept.push(here);
          } else if (here.piece.parsed && here.piece.tiled) kept.push(here);
          else {
            const merged: Span = { ...here.span, end: mine[k + 1]!.span.end };
            redo.push(merged);
            kept.push({ span: merged, piece: { tiled: false, absoluteNames: 0 } });
            k++;
          }
        }
        return kept;
      });
      for (const l of whole) {
        spanCounts.rejoined++;
        const i = layers.findIndex((m) => m[0]!.span.layer === l);
        const ref = this.refs[l]!;
        const span: Span = { layer: l, start: ref.at!.start, end: ref.at!.end, cut: false };
        layers[i] = [{ span, piece: (await this.parseSpans('skim', [span]))[0]! }];
      }
      if (redo.length === 0) break;
      spanCounts.rejoined += redo.length;
      pieces = await this.parseSpans('skim', redo);
      for (const mine of layers)
        for (const x of mine) {
          const k = redo.indexOf(x.span);
          if (k >= 0) x.piece = pieces[k]!;
        }
    }
    const out: ParsedLayer[] = new Array(this.refs.length);
    for (const mine of layers) {
      const layer = mine[0]!.span.layer;
      out[layer] = joinPieces(
        mine.map((x) => x.piece),
        this.what(this.refs[layer]!),
      );
    }
    return out;
  }

  private parseSpans(mode: 'full' | 'skim', spans: readonly Span[]): Promise<Piece[]> {
    const parts: Entry[][] = spans.map(() => []);
    return this.round<Piece>(mode, spans, (r, settle) => {
      if (r.type === 'entries') appendEntries(r.columns, parts[r.id]!);
      else if (r.type === 'done') {
        const entries = parts[r.id]!;
        appendEntries(r.columns, entries);
        settle({
          parsed: { ...r.columns.rest, entries },
          tiled: r.tiled ?? false,
          absoluteNames: r.absoluteNames ?? 0,
        });
      } else if (r.type === 'error') settle({ tiled: false, absoluteNames: 0 });
    });
  }

  /** Lets the process exit while the workers run or wait (a round that runs under the explorer, which may quit). */
  unref(): void {
    for (const w of this.workers) w.unref();
  }

  /** The content pass: every layer read in full for the analysers and taps, answering with facts only. */
  content(): Promise<ContentLayer[]> {
    const whole: Span[] = this.refs.map((r, layer) => ({ layer, start: r.at!.start, end: r.at!.end, cut: false }));
    const facts: (readonly [number, ContentFacts])[][] = this.refs.map(() => []);
    return this.round<ContentLayer>('content', whole, (r, settle) => {
      if (r.type === 'facts') for (const f of r.facts) facts[r.id]!.push(f);
      else if (r.type === 'content') {
        for (const f of r.facts) facts[r.id]!.push(f);
        settle({ facts: facts[r.id]!, rest: r.rest, check: r.check });
      }
    });
  }

  close(): Promise<unknown> {
    return Promise.all(this.workers.map((w) => w.terminate()));
  }

  /**
   * Runs one job per span on the threads, each taking the next span when it is done. A worker's error rejects
   * the round, except for a piece of a cut layer: that goes to `handle`, and the layer is read again whole.
   */
  private round<T>(
    mode: NonNullable<LayerJob['mode']>,
    spans: readonly Span[],
    handle: (r: WorkerReply, settle: (t: T) => void) => void,
  ): Promise<T[]> {
    const { refs, opts, names, what } = this;
    // Entries per message from a worker (SLIMTUI_PARALLEL_BATCH: for tests of the batching).
    // The content round runs under the explorer: its facts arrive in small messages, each decoded on the main
    // thread between keystrokes (a 32 Ki batch of ELF and digest facts would hold a keystroke's frame up).
    const fallback = mode === 'content' ? 2 * 1024 : 32 * 1024;
    const batch = Number(process.env['SLIMTUI_PARALLEL_BATCH'] ?? fallback) || fallback;
    const total = refs.reduce((s, r) => s + r.size, 0);
    const results: T[] = new Array(spans.length);
    // Spans still to finish per layer: a layer counts as read when its last one is in.
    const left = new Map<number, number>();
    for (const sp of spans) left.set(sp.layer, (left.get(sp.layer) ?? 0) + 1);
    let next = 0;
    let done = 0;
    this.bytes = 0;
    const run = (worker: Worker): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        const take = (): void => {
          if (next >= spans.length) {
            worker.off('message', onMessage);
            worker.off('error', reject);
            resolve();
            return;
          }
          const id = next++;
          const span = spans[id]!;
          const ref = refs[span.layer]!;
          const job: LayerJob = {
            id,
            file: ref.at!.file,
            start: span.start,
            end: span.end,
            what: what(ref),
            batch,
            mode,
            ...names,
          };
          worker.postMessage(job);
        };
        const settle = (id: number, t: T): void => {
          results[id] = t;
          const layer = spans[id]!.layer;
          left.set(layer, left.get(layer)! - 1);
          if (left.get(layer) === 0) {
            done++;
            if (mode !== 'skim') workerLayers++;
          }
          take();
        };
        const onMessage = (r: WorkerReply): void => {
          if (r.type === 'bytes') {
            this.bytes += r.n;
            if (mode !== 'content')
              opts.onProgress?.({
                stage: 'reading',
                bytes: this.bytes,
                totalBytes: total,
                layersRead: done,
                layerCount: refs.length,
              });
          } else if (r.type === 'error' && !spans[r.id]!.cut) {
            reject(r.slim ? new SlimError(r.message, r.exitCode) : new Error(r.message));
          } else handle(r, (t) => settle(r.id, t));
        };
        worker.on('message', onMessage);
        worker.once('error', reject);
        take();
      });
    return Promise.all(this.workers.map(run)).then(() => results);
  }
}

/** Span indices by layer, in layer order. */
function spansByLayer(spans: readonly Span[]): Map<number, number[]> {
  const by = new Map<number, number[]>();
  spans.forEach((sp, i) => by.set(sp.layer, [...(by.get(sp.layer) ?? []), i]));
  return by;
}

/** A layer from its pieces, in order (one piece: the layer itself), with one absolute-names warning for all. */
function joinPieces(pieces: readonly Piece[], what: string): ParsedLayer {
  const first = pieces[0]!.parsed!;
  const absolute = pieces.reduce((s, p) => s + p.absoluteNames, 0);
  const warnings = pieces.flatMap((p) => p.parsed!.warnings);
  if (absolute > 0) warnings.push(absoluteNamesWarning(what, absolute));
  if (pieces.length === 1) return { ...first, warnings };
  const sum = (f: (p: ParsedLayer) => number): number => pieces.reduce((s, p) => s + f(p.parsed!), 0);
  return {
    ...first,
    entries: first.entries.concat(...pieces.slice(1).map((p) => p.parsed!.entries)),
    size: sum((p) => p.size),
    tarSize: sum((p) => p.tarSize),
    blobSize: sum((p) => p.blobSize),
    warnings,
  };
}

/** Parses the listed blobs on worker threads; undefined when the listing or the options do not allow it. */
export async function parseBlobsInParallel(
  refs: readonly LayerBlobRef[],
  opts: LoadOptions,
  what: (ref: LayerBlobRef) => string,
): Promise<ParsedLayer[] | undefined> {
  const names = workerPlan(refs, opts);
  if (!names) return undefined;
  const pool = new LayerPool(refs, opts, names, what);
  try {
    return await pool.parse('full');
  } finally {
    // Not awaited: the threads' teardown (20-35 ms on the bench images) overlaps the tree build instead of
    // coming before it; every job has answered by now, and a thread being torn down holds nothing the load needs.
    void pool.close();
  }
}

/** Loads an image through `layerBlobs` with the layers parsed in parallel; undefined when that path does not apply. */
export async function loadFromBlobs(
  source: ImageSource,
  opts: LoadOptions,
  reference: string,
  what: (ref: LayerBlobRef) => string,
  reload?: () => Promise<Image>,
): Promise<{ image: Image; listing: LayerBlobListing; content?: () => Promise<ContentImage> } | undefined> {
  if (mode() === 'off' || !source.layerBlobs || !workerNames(opts.analysers, opts.taps ?? [])) return undefined;
  // A listing that fails (an odd layout) leaves the archive to the one pass, which says what is wrong.
  const listing = await source.layerBlobs(opts).catch(() => undefined);
  if (!listing) return undefined;
  const assemble = (layers: LayerBlob[]): Image => assembleListing(reference, listing, layers, opts.verify);
  if (opts.skim && reload) {
    const { skimThenContent } = await import('./skim-load.js');
    const skimmed = await skimThenContent(listing, opts, assemble, what, reload);
    if (skimmed) return skimmed;
  }
  const parsed = await parseBlobsInParallel(listing.layers, opts, what);
  if (!parsed) return undefined;
  const layers: LayerBlob[] = parsed.map((p, i) => {
    const ref = listing.layers[i]!;
    return {
      parsed: p,
      ...(ref.digest ? { digest: ref.digest } : {}),
      ...(ref.expectedSize !== undefined ? { expectedSize: ref.expectedSize } : {}),
    };
  });
  return { image: assemble(layers), listing };
}
