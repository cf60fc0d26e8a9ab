import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Image } from '../model/image.js';
import { assembleImage, type LayerBlob } from './assemble-image.js';
import type { ContentAnalyser, LayerTap } from './content-analyser.js';
import { elfAnalyser } from './elf-analyser.js';
import { SlimError } from './errors.js';
import { GZIP_ESTIMATE } from './gzip-estimate-tap.js';
import { REMOVAL_COST } from '../model/plan/removal-cost.js';
import { appendEntries } from './layer-columns.js';
import type { Entry } from '../model/entry.js';
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

/** Parses the listed blobs on worker threads; undefined when the listing or the options do not allow it. */
export async function parseBlobsInParallel(
  refs: readonly LayerBlobRef[],
  opts: LoadOptions,
  what: (ref: LayerBlobRef) => string,
): Promise<ParsedLayer[] | undefined> {
  const m = mode();
  if (m === 'off' || refs.length === 0) return undefined;
  const names = workerNames(opts.analysers, opts.taps ?? []);
  if (!names || refs.some((r) => !r.at)) return undefined;
  const total = refs.reduce((s, r) => s + r.size, 0);
  if (m !== 'force' && (refs.length < 2 || total < MIN_BYTES)) return undefined;

  // Entries per message from a worker (SLIMTUI_PARALLEL_BATCH: for tests of the batching).
  const batch = Number(process.env['SLIMTUI_PARALLEL_BATCH'] ?? 32 * 1024) || 32 * 1024;
  const count = Math.max(1, Math.min(availableParallelism(), refs.length, 4));
  const results: ParsedLayer[] = new Array(refs.length);
  const parts: Entry[][] = refs.map(() => []);
  let next = 0;
  let bytes = 0;
  let done = 0;
  const workers: Worker[] = [];
  const run = (worker: Worker): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const take = (): void => {
        if (next >= refs.length) {
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
          ...names,
        };
        worker.postMessage(job);
      };
      worker.on('message', (r: WorkerReply) => {
        if (r.type === 'bytes') {
          bytes += r.n;
          opts.onProgress?.({ stage: 'reading', bytes, totalBytes: total, layersRead: done, layerCount: refs.length });
        } else if (r.type === 'entries') {
          appendEntries(r.columns, parts[r.id]!);
        } else if (r.type === 'done') {
          const entries = parts[r.id]!;
          appendEntries(r.columns, entries);
          results[r.id] = { ...r.columns.rest, entries };
          done++;
          workerLayers++;
          take();
        } else {
          reject(r.slim ? new SlimError(r.message, r.exitCode) : new Error(r.message));
        }
      });
      worker.once('error', reject);
      take();
    });
  try {
    for (let i = 0; i < count; i++) workers.push(new Worker(new URL('./layer-worker.js', import.meta.url)));
    await Promise.all(workers.map(run));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

/** Loads an image through `layerBlobs` with the layers parsed in parallel; undefined when that path does not apply. */
export async function loadFromBlobs(
  source: ImageSource,
  opts: LoadOptions,
  reference: string,
  what: (ref: LayerBlobRef) => string,
): Promise<{ image: Image; listing: LayerBlobListing } | undefined> {
  if (mode() === 'off' || !source.layerBlobs || !workerNames(opts.analysers, opts.taps ?? [])) return undefined;
  // A listing that fails (an odd layout) leaves the archive to the one pass, which says what is wrong.
  const listing = await source.layerBlobs(opts).catch(() => undefined);
  if (!listing) return undefined;
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
  const image = assembleImage({
    reference,
    source: listing.source,
    configBytes: listing.configBytes,
    ...(listing.configDigest ? { configDigest: listing.configDigest } : {}),
    layers,
    repoTags: listing.repoTags,
    warnings: listing.warnings,
    ...(opts.verify ? { verify: opts.verify } : {}),
  });
  return { image, listing };
}
