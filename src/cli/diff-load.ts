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

/** One image on a worker thread. */
function loadInWorker(
  spec: SourceSpec,
  o: PairOptions,
  onProgress?: (p: Progress) => void,
): { done: Promise<Image>; stop: () => void } {
  const data: DiffWorkerData = {
    spec,
    digests: o.digests,
    elf: o.elf,
    platform: o.platform,
    platformExplicit: o.platformExplicit,
  };
  const worker = new Worker(new URL('./diff-worker.js', import.meta.url), { workerData: data });
  const done = new Promise<Image>((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: DiffWorkerMessage) => {
      if (m.type === 'progress') onProgress?.(m.progress);
      else if (m.type === 'image') {
        settled = true;
        if (process.env['SLIMTUI_DIFF_TIMING'])
          process.stderr.write(`diff-timing worker-image-received=${performance.now().toFixed(0)}\n`);
        resolve(m.image);
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
  const stdinA = a.location === '-' && a.kind !== 'docker' && a.kind !== 'podman';
  const [workerSpec, localSpec, workerIs]: [SourceSpec, SourceSpec, 'A' | 'B'] = stdinA ? [b, a, 'B'] : [a, b, 'A'];
  const localIs = workerIs === 'A' ? 'B' : 'A';
  const remote = loadInWorker(workerSpec, o, o.onProgress ? (p) => o.onProgress!(workerIs, p) : undefined);
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
