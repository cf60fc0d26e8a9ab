import type { Analysis, AnalyzeOptions } from '../model/analysis.js';
import { noBinaries } from '../model/no-binaries.js';
import type { Image } from '../model/image.js';
import { buildFileTree, type FileTree } from '../model/file-tree.js';
import { diveMetricsSteps, type DiveMetrics } from '../model/dive-metrics.js';
import { reclaimableSteps, type Reclaimable } from '../model/reclaimable.js';
import { analyseBinaries, type BinaryOptions, type BinaryReport } from '../model/libc/binaries.js';
import { runSteps, type Steps } from '../model/steps.js';

/**
 * The explorer draws its first frame as soon as the tree exists; the analyses that only some views need
 * finish after it. `treeAnalysis` is the part before the frame (the tree), with stand-ins for the rest:
 * dive's metrics and the reclaimable bytes (computed in slices after the frame: on the 1M-entry bench image
 * they were ~0.5 s of it) and an empty binaries report until `binaries` (libc resolution, verdicts, findings)
 * has run — one object, compared by identity, with --no-elf's empty shape.
 */
export const PENDING_BINARIES: BinaryReport = noBinaries({ env: [] });

/** The stand-ins for dive's metrics and the reclaimable bytes, by identity (each analysis gets its own). */
const pendingMetrics = new WeakSet<object>();

export function treeAnalysis(image: Image, opts: AnalyzeOptions = {}): Analysis {
  const tree = buildFileTree(image.layers);
  // --no-elf: no libc pass at all (as `analyze` does), nothing pending.
  const binaries = opts.elf === false ? noBinaries(image.config) : PENDING_BINARIES;
  // What needs no pass over the entries is there at once: the sizes (the layers pane and the summary show them).
  const imageSize = image.layers.reduce((s, l) => s + l.size, 0);
  const dive: DiveMetrics = {
    imageSize,
    userSize: imageSize - (image.layers[0]?.size ?? 0),
    wastedBytes: 0,
    wastedUserPercent: NaN,
    efficiency: NaN,
    inefficientPaths: [],
  };
  const reclaimable: Reclaimable = { totalBytes: 0, perLayer: image.layers.map(() => 0), items: [] };
  pendingMetrics.add(dive);
  pendingMetrics.add(reclaimable);
  return { image, tree, dive, reclaimable, binaries };
}

/** Whether `a`'s dive metrics and reclaimable bytes are still the first frame's stand-ins. */
export const metricsPending = (a: Analysis): boolean => pendingMetrics.has(a.dive) || pendingMetrics.has(a.reclaimable);

type Metrics = Pick<Analysis, 'dive' | 'reclaimable'>;
// Keyed by the tree: the analysis object is replaced when later analyses land (the content pass, the binaries
// report); the metrics of its tree stay.
const metricsCache = new WeakMap<FileTree, Metrics>();

/** The analysis with the metrics of its tree in, when they have been computed (else `a` itself). */
export function withKnownMetrics(a: Analysis): Analysis {
  if (!metricsPending(a)) return a;
  const m = metricsCache.get(a.tree);
  return m ? { ...a, ...m } : a;
}

/** dive's metrics and the reclaimable bytes of `a`'s tree, in steps; the result is `a` with them in. */
export function* metricsSteps(a: Analysis): Steps<Analysis> {
  let m = metricsCache.get(a.tree);
  if (!m) {
    const dive = yield* diveMetricsSteps(a.image.layers, a.tree);
    const reclaimable = yield* reclaimableSteps(a.image.layers, a.tree);
    m = { dive, reclaimable };
    metricsCache.set(a.tree, m);
  }
  return metricsPending(a) ? { ...a, ...m } : a;
}

/** The analysis with everything in that the first frame left to later (for an export made before it landed). */
export function completeAnalysis(a: Analysis, options: BinaryOptions = {}): Analysis {
  const m = runSteps(metricsSteps(a));
  return m.binaries === PENDING_BINARIES ? withBinaries(m, options) : m;
}

/** The analysis with the binaries report in (a new object: the tree, metrics and image are shared). */
export const withBinaries = (
  a: Analysis,
  options: BinaryOptions = {},
  binaries: BinaryReport = analyseBinaries(a.image, a.tree, options),
): Analysis => ({
  ...a,
  binaries,
});

/** The analyses still running after the first frame, by name as the status line says them. */
/** `contents`: the explorer opened from the layers' headers and the content pass (ELF, digests, sizes) still reads. */
export type LaterAnalysis = 'contents' | 'wasted bytes' | 'ELF/libc' | 'waste classes';

/** The status line's note while analyses still run: `analysing: ELF/libc, waste classes…`. */
export const pendingText = (pending: readonly LaterAnalysis[]): string =>
  pending.length === 0 ? '' : `analysing: ${pending.join(', ')}…`;
