/**
 * A worker thread that parses layer blobs (decompress + tar + content analysers) from byte ranges of files it
 * opens itself, and answers with columns (layer-columns.ts). The analysers run here, in the one pass over each
 * file's bytes: the ELF reader, the text reader, sha256 digests, and the gzip-estimate tap — all of them are
 * per-file (or per-layer) and keep no state across layers, so a layer can be read on any thread. The layer's
 * diff_id and blob digest are hashed here too, from the same chunks (LAYER_DIGESTS), and go back with the
 * layer's columns (`rest.digests`): the main thread compares them and never reads the layer's bytes.
 */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { ContentAnalyser, LayerTap } from './content-analyser.js';
import { elfAnalyser } from './elf-analyser.js';
import { SlimError } from './errors.js';
import { ChunkPool } from './chunk-pool.js';
import { fileChunks } from './file-chunks.js';
import { gzipEstimateTap } from './gzip-estimate-tap.js';
import { removalCostTap } from './removal-cost-tap.js';
import { entryColumns, toColumns, transferList } from './layer-columns.js';
import { readLayer } from './layer-reader.js';
import { skimChunks, type SkimWalk } from './skim-chunks.js';
import { entryFacts, layerCheck, type EntryFacts, type LayerCheck } from './layer-facts.js';
import { createSha256Analyser } from './sha256-analyser.js';
import { LAYER_DIGESTS } from './sources/image-source.js';
import { textAnalyser } from './text-analyser.js';

export interface LayerJob {
  readonly id: number;
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly what: string;
  readonly analysers: readonly string[];
  readonly taps: readonly string[];
  /** Entries per message. */
  readonly batch: number;
  /**
   * `full` (default): entries and what the analysers learnt. `skim`: the entries only, from the headers (big
   * files' data not read; see skim-chunks.ts). `content`: the same layer read in full for the analysers, answering
   * with the facts by entry index and a check of the entries it saw (the skim's entries are the ones kept).
   */
  readonly mode?: 'full' | 'skim' | 'content';
}

export type WorkerReply =
  | { readonly id: number; readonly type: 'bytes'; readonly n: number }
  | { readonly id: number; readonly type: 'entries'; readonly columns: ReturnType<typeof entryColumns> }
  | {
      readonly id: number;
      readonly type: 'done';
      readonly columns: ReturnType<typeof toColumns>;
      /** Skims: whether the header walk tiled the range (skim-chunks.ts), and the entries with absolute names. */
      readonly tiled?: boolean;
      readonly absoluteNames?: number;
    }
  | { readonly id: number; readonly type: 'facts'; readonly facts: EntryFacts }
  | {
      readonly id: number;
      readonly type: 'content';
      readonly facts: EntryFacts;
      readonly rest: ReturnType<typeof toColumns>['rest'];
      readonly check: LayerCheck;
    }
  | {
      readonly id: number;
      readonly type: 'error';
      readonly message: string;
      readonly slim: boolean;
      readonly exitCode: number;
    };

const ANALYSERS: Record<string, () => ContentAnalyser> = {
  elf: () => elfAnalyser,
  text: () => textAnalyser,
  sha256: createSha256Analyser,
};
const TAPS: Record<string, () => LayerTap> = {
  'gzip-estimate': () => gzipEstimateTap(),
  'removal-cost': () => removalCostTap(),
};

const port = parentPort!;
/** This thread's read buffers, lent to one job at a time (a thread runs one job at a time). */
const pool = new ChunkPool();

port.on('message', (job: LayerJob) => {
  let pending = 0;
  const flush = (): void => {
    if (pending > 0) port.postMessage({ id: job.id, type: 'bytes', n: pending } satisfies WorkerReply);
    pending = 0;
  };
  const mode = job.mode ?? 'full';
  // The content round runs under the explorer: this thread yields the cores to the UI thread's keystrokes. On
  // Linux a nice value is per thread, and setpriority(PRIO_PROCESS, 0) sets the calling thread's only.
  if (mode === 'content')
    try {
      setPriority(0, 10);
    } catch {
      // not allowed here: the round runs at the UI's priority
    }
  const range = { start: job.start, end: job.end };
  // Content mode: facts by entry index across batches, and the running check of the entries seen.
  let seen = 0;
  const check: LayerCheck = { entries: 0, pathChars: 0, bytes: 0 };
  const factsOf = (entries: Parameters<typeof entryFacts>[0]): EntryFacts => {
    const f = entryFacts(entries, seen);
    layerCheck(entries, check);
    seen += entries.length;
    return f;
  };
  const walk: SkimWalk = { tiled: false };
  const absoluteNames = { count: 0 };
  const source =
    mode === 'skim' ? skimChunks(job.file, range, walk, pool) : fileChunks(job.file, 1 << 20, 4, range, pool);
  readLayer(source, {
    recycle: pool,
    what: job.what,
    // A skim may be one piece of a layer (layer-spans.ts): the pool makes the layer's one warning from the counts.
    ...(mode === 'skim' ? { absoluteNames } : {}),
    analysers: mode === 'skim' ? [] : job.analysers.map((n) => ANALYSERS[n]!()),
    taps: mode === 'skim' ? [] : job.taps.map((n) => TAPS[n]!()),
    // A skim's stream has zeros for the data it skipped: its digests would be wrong, so it computes none.
    ...(mode === 'skim' ? {} : { digests: LAYER_DIGESTS }),
    // The stream is the file's bytes from job.start on: the ELF reader reads a file's data there by position.
    ...(mode === 'skim' ? {} : { stored: { file: job.file, start: job.start } }),
    onBytes: (n) => {
      pending += n;
      if (pending >= 8 << 20) flush();
    },
    // Entries go on in batches: this thread never holds a whole big layer's entries (nor does the main
    // thread wait for them all before building its own).
    batch: {
      size: job.batch,
      emit: (entries) => {
        if (mode === 'content') {
          port.postMessage({ id: job.id, type: 'facts', facts: factsOf(entries) } satisfies WorkerReply);
          return;
        }
        const columns = entryColumns(entries);
        port.postMessage({ id: job.id, type: 'entries', columns } satisfies WorkerReply, transferList(columns));
      },
    },
  })
    .finally(() => pool.reset())
    .then(
      (parsed) => {
        flush();
        if (mode === 'content') {
          const { entries, ...rest } = parsed;
          const facts = factsOf(entries);
          port.postMessage({ id: job.id, type: 'content', facts, rest, check } satisfies WorkerReply);
          return;
        }
        const columns = toColumns(parsed);
        const skim = mode === 'skim' ? { tiled: walk.tiled, absoluteNames: absoluteNames.count } : {};
        port.postMessage({ id: job.id, type: 'done', columns, ...skim } satisfies WorkerReply, transferList(columns));
      },
      (e: unknown) => {
        port.postMessage({
          id: job.id,
          type: 'error',
          message: e instanceof Error ? e.message : String(e),
          slim: e instanceof SlimError,
          exitCode: e instanceof SlimError ? e.exitCode : 70,
        } satisfies WorkerReply);
      },
    );
});
