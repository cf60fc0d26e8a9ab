/**
 * Loads one image of a diff on its own thread (the other loads on the main thread at the same time: one core
 * each). The Image goes back by structured clone; progress and errors as messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadImage } from '../io/load-image.js';
import type { SourceSpec } from '../io/sources/source-spec.js';
import { SlimError } from '../io/errors.js';
import { threadCpuMs } from './diff-thread-cpu.js';
import type { Progress } from '../io/progress.js';
import type { Image, Platform } from '../model/image.js';
import { analyze } from '../model/analysis.js';
import { diffInput, toPortable, type PortableDiffInput } from '../model/diff/index.js';
import { diffAnalysers } from './diff-load.js';

export interface DiffWorkerData {
  readonly spec: SourceSpec;
  /** 'image': send the Image back (the compare view needs all of it); 'input': analyse here, send what the diff reads. */
  readonly want: 'image' | 'input';
  readonly digests: boolean;
  readonly elf: boolean;
  readonly platform: Platform;
  readonly platformExplicit: boolean;
}

export type DiffWorkerMessage =
  | { type: 'progress'; progress: Progress }
  | { type: 'image'; image: Image }
  | { type: 'input'; input: PortableDiffInput }
  | { type: 'error'; message: string; exitCode: number; slim: boolean };

const data = workerData as DiffWorkerData;
const post = (m: DiffWorkerMessage): void => parentPort!.postMessage(m);
let last = 0;
loadImage(data.spec, {
  analysers: diffAnalysers(data.digests, data.elf),
  platform: data.platform,
  platformExplicit: data.platformExplicit,
  onProgress: (progress) => {
    const now = Date.now();
    if (now - last < 100 && progress.stage === 'reading') return;
    last = now;
    post({ type: 'progress', progress });
  },
}).then(
  (image) => {
    const t = performance.now();
    // The outputs need only the diff's input (small); the compare view needs the whole image.
    if (data.want === 'input') post({ type: 'input', input: toPortable(diffInput(analyze(image))) });
    else post({ type: 'image', image });
    if (process.env['SLIMTUI_DIFF_TIMING']) process.stderr.write(`diff-timing worker-thread-cpu=${threadCpuMs()}\n`);
    if (process.env['SLIMTUI_DIFF_TIMING'])
      process.stderr.write(`diff-timing worker-post-ms=${(performance.now() - t).toFixed(0)}\n`);
  },
  (e: unknown) =>
    post({
      type: 'error',
      message: e instanceof Error ? e.message : String(e),
      exitCode: e instanceof SlimError ? e.exitCode : 70,
      slim: e instanceof SlimError,
    }),
);
