import { Worker } from 'node:worker_threads';
import type { Image, Platform } from '../model/image.js';
import type { ContentAnalyser } from '../io/content-analyser.js';
import { loadImage } from '../io/load-image.js';
import type { Progress } from '../io/progress.js';
import type { SourceSpec } from '../io/sources/source-spec.js';
import { createSha256Analyser } from '../io/sha256-analyser.js';
import { elfAnalyser } from '../io/elf-analyser.js';
import { textAnalyser } from '../io/text-analyser.js';
import { SlimError } from '../io/errors.js';
import { analyze } from '../model/analysis.js';
import { revivePackedEntries } from '../model/entry-table.js';
import { diffInput, fromPortable, type DiffInput, type PortableDiffInput } from '../model/diff/index.js';
import type { DiffWorkerData, DiffWorkerMessage } from './diff-worker.js';

/** The diff's content analysers: digests (same-size content changes), ELF and text (binaries, findings). */
export function diffAnalysers(digests: boolean, elf: boolean): ContentAnalyser[] {
  return [...(digests ? [createSha256Analyser()] : []), ...(elf ? [elfAnalyser, textAnalyser] : [])];
}

export interface PairOptions {
  readonly digests: boolean;
  readonly elf: boolean;
  readonly platform: Platform;
  readonly platformExplicit: boolean;
  readonly onProgress?: (which: 'A' | 'B', p: Progress) => void;
  /** Load one after the other on this thread (the benchmark's baseline; SLIMTUI_DIFF_SERIAL=1). */
  readonly serial?: boolean;
}

/** One image on a worker thread: its Image, or (want 'input') its analysis reduced to what the diff reads. */
function loadInWorker<T>(
  spec: SourceSpec,
  o: PairOptions,
  want: 'image' | 'input',
  onProgress?: (p: Progress) => void,
): { done: Promise<T>; stop: () => void } {
  const data: DiffWorkerData = {
    spec,
    want,
    digests: o.digests,
    elf: o.elf,
    platform: o.platform,
    platformExplicit: o.platformExplicit,
  };
  const worker = new Worker(new URL('./diff-worker.js', import.meta.url), { workerData: data });
  const done = new Promise<T>((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: DiffWorkerMessage) => {
      if (m.type === 'progress') onProgress?.(m.progress);
      else if (m.type === 'image' || m.type === 'input') {
        settled = true;
        if (process.env['SLIMTUI_DIFF_TIMING'])
          process.stderr.write(`diff-timing worker-result-received=${performance.now().toFixed(0)}\n`);
        // An Image's entries are views over columns: structured clone leaves plain copies (made views again).
        resolve((m.type === 'image' ? { ...m.image, layers: revivePackedEntries(m.image.layers) } : m.input) as T);
        void worker.terminate();
      } else {
        settled = true;
        reject(m.slim ? new SlimError(m.message, m.exitCode) : new Error(m.message));
        void worker.terminate();
      }
    });
    worker.on('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`the loader thread stopped (exit code ${code})`));
    });
  });
  return { done, stop: () => void worker.terminate() };
}

/** Which of A and B loads on the worker: A, unless A is standard input (a worker has no stdin of its own). */
function split(a: SourceSpec, b: SourceSpec): { workerIs: 'A' | 'B'; workerSpec: SourceSpec; localSpec: SourceSpec } {
  const stdinA = a.location === '-' && a.kind !== 'docker' && a.kind !== 'podman';
  return stdinA ? { workerIs: 'B', workerSpec: b, localSpec: a } : { workerIs: 'A', workerSpec: a, localSpec: b };
}

/**
 * Both images loaded and analysed at the same time, one on a worker thread and one here; the worker sends back
 * only what the diff reads (a few numbers, the final filesystem as columns, the binaries), not the image.
 * For --json, --summary and --ci; the compare view needs both whole analyses (loadPair).
 */
export async function loadDiffInputs(a: SourceSpec, b: SourceSpec, o: PairOptions): Promise<[DiffInput, DiffInput]> {
  const opts = (which: 'A' | 'B') => ({
    analysers: diffAnalysers(o.digests, o.elf),
    platform: o.platform,
    platformExplicit: o.platformExplicit,
    ...(o.onProgress ? { onProgress: (p: Progress) => o.onProgress!(which, p) } : {}),
  });
  if (o.serial)
    return [diffInput(analyze(await loadImage(a, opts('A')))), diffInput(analyze(await loadImage(b, opts('B'))))];
  const { workerIs, workerSpec, localSpec } = split(a, b);
  const localIs = workerIs === 'A' ? 'B' : 'A';
  const remote = loadInWorker<PortableDiffInput>(
    workerSpec,
    o,
    'input',
    o.onProgress ? (p) => o.onProgress!(workerIs, p) : undefined,
  );
  const local = loadImage(localSpec, opts(localIs)).then((img) => diffInput(analyze(img)));
  try {
    const [r, l] = await Promise.all([remote.done.then(fromPortable), local]);
    return workerIs === 'A' ? [r, l] : [l, r];
  } catch (e) {
    remote.stop();
    local.catch(() => {});
    remote.done.catch(() => {});
    throw e;
  }
}

/**
 * Loads A and B at the same time, one on a worker thread and one here (standard input, when one of them is
 * `-`, is read here: a worker has no stdin of its own). Both go through loadImage, as every source does.
 */
export async function loadPair(a: SourceSpec, b: SourceSpec, o: PairOptions): Promise<[Image, Image]> {
  const opts = (which: 'A' | 'B') => ({
    analysers: diffAnalysers(o.digests, o.elf),
    platform: o.platform,
    platformExplicit: o.platformExplicit,
    ...(o.onProgress ? { onProgress: (p: Progress) => o.onProgress!(which, p) } : {}),
  });
  if (o.serial) return [await loadImage(a, opts('A')), await loadImage(b, opts('B'))];
  const { workerIs, workerSpec, localSpec } = split(a, b);
  const localIs = workerIs === 'A' ? 'B' : 'A';
  const remote = loadInWorker<Image>(
    workerSpec,
    o,
    'image',
    o.onProgress ? (p) => o.onProgress!(workerIs, p) : undefined,
  );
  const local = loadImage(localSpec, opts(localIs));
  if (process.env['SLIMTUI_DIFF_TIMING'])
    void local.then(() => process.stderr.write(`diff-timing local-loaded=${performance.now().toFixed(0)}\n`));
  try {
    const [r, l] = await Promise.all([remote.done, local]);
    return workerIs === 'A' ? [r, l] : [l, r];
  } catch (e) {
    remote.stop();
    // Whichever failed first is the user's one line; the other's outcome no longer matters.
    local.catch(() => {});
    remote.done.catch(() => {});
    throw e;
  }
}
