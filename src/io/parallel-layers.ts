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
import type { ParsedLayer } from './layer-reader.js';
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

/**
 * Worker threads (as many as cores, at most 4) that parse layer blobs, kept for several rounds: a skim of the
 * headers, then the content pass, without starting threads twice.
 */
export class LayerPool {
  private readonly workers: Worker[];
  private bytes = 0;

  constructor(
    private readonly refs: readonly LayerBlobRef[],
    private readonly opts: LoadOptions,
    private readonly names: { analysers: string[]; taps: string[] },
    private readonly what: (ref: LayerBlobRef) => string,
  ) {
    const count = Math.max(1, Math.min(availableParallelism(), refs.length, 4));
    this.workers = Array.from({ length: count }, () => new Worker(new URL('./layer-worker.js', import.meta.url)));
  }

  /** Full parses (entries with facts) or skims (entries only), one per ref, in ref order. */
  parse(mode: 'full' | 'skim'): Promise<ParsedLayer[]> {
    const parts: Entry[][] = this.refs.map(() => []);
    return this.round<ParsedLayer>(mode, (r, settle) => {
      if (r.type === 'entries') appendEntries(r.columns, parts[r.id]!);
      else if (r.type === 'done') {
        const entries = parts[r.id]!;
        appendEntries(r.columns, entries);
        settle({ ...r.columns.rest, entries });
      }
    });
  }

  /** The content pass: every layer read in full for the analysers and taps, answering with facts only. */
  /** Lets the process exit while the workers run or wait (a round that runs under the explorer, which may quit). */
  unref(): void {
    for (const w of this.workers) w.unref();
  }

  content(): Promise<ContentLayer[]> {
    const facts: (readonly [number, ContentFacts])[][] = this.refs.map(() => []);
    return this.round<ContentLayer>('content', (r, settle) => {
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

  private round<T>(
    mode: NonNullable<LayerJob['mode']>,
    handle: (r: WorkerReply, settle: (t: T) => void) => void,
  ): Promise<T[]> {
    const { refs, opts, names, what } = this;
    // Entries per message from a worker (SLIMTUI_PARALLEL_BATCH: for tests of the batching).
    // The content round runs under the explorer: its facts arrive in small messages, each decoded on the main
    // thread between keystrokes (a 32 Ki batch of ELF and digest facts would hold a keystroke's frame up).
    const fallback = mode === 'content' ? 2 * 1024 : 32 * 1024;
    const batch = Number(process.env['SLIMTUI_PARALLEL_BATCH'] ?? fallback) || fallback;
    const total = refs.reduce((s, r) => s + r.size, 0);
    const results: T[] = new Array(refs.length);
    let next = 0;
    let done = 0;
    this.bytes = 0;
    const run = (worker: Worker): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        const take = (): void => {
          if (next >= refs.length) {
            worker.off('message', onMessage);
            worker.off('error', reject);
            resolve();
            return;
          }
          const id = next++;
          const ref = refs[id]!;
          const job: LayerJob = {
            id,
            file: ref.at!.file,
            start: ref.at!.start,
            end: ref.at!.end,
            what: what(ref),
            batch,
            mode,
            ...names,
          };
          worker.postMessage(job);
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
          } else if (r.type === 'error') {
            reject(r.slim ? new SlimError(r.message, r.exitCode) : new Error(r.message));
          } else
            handle(r, (t) => {
              results[r.id] = t;
              done++;
              if (mode !== 'skim') workerLayers++;
              take();
            });
        };
        worker.on('message', onMessage);
        worker.once('error', reject);
        take();
      });
    return Promise.all(this.workers.map(run)).then(() => results);
  }
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
    await pool.close();
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
