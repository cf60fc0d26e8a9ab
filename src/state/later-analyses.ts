import type { Analysis, AnalyzeOptions } from '../model/analysis.js';
import { noBinaries } from '../model/no-binaries.js';
import type { Image } from '../model/image.js';
import { buildFileTree } from '../model/file-tree.js';
import { diveMetrics } from '../model/dive-metrics.js';
import { reclaimableBytes } from '../model/reclaimable.js';
import { analyseBinaries, type BinaryOptions, type BinaryReport } from '../model/libc/binaries.js';

/**
 * The explorer draws its first frame as soon as the tree exists; the analyses that only some views need
 * finish after it. `treeAnalysis` is the part before the frame (tree, dive's metrics, reclaimable bytes:
 * the tree pane's marks and the summary), with an empty binaries report standing in until `binaries`
 * (libc resolution, verdicts, findings) has run: one object, compared by identity, with --no-elf's empty shape.
 */
export const PENDING_BINARIES: BinaryReport = noBinaries({ env: [] });

export function treeAnalysis(image: Image, opts: AnalyzeOptions = {}): Analysis {
  const tree = buildFileTree(image.layers);
  // --no-elf: no libc pass at all (as `analyze` does), nothing pending.
  const binaries = opts.elf === false ? noBinaries(image.config) : PENDING_BINARIES;
  return {
    image,
    tree,
    dive: diveMetrics(image.layers, tree),
    reclaimable: reclaimableBytes(image.layers, tree),
    binaries,
  };
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
export type LaterAnalysis = 'contents' | 'ELF/libc' | 'waste classes';

/** The status line's note while analyses still run: `analysing: ELF/libc, waste classes…`. */
export const pendingText = (pending: readonly LaterAnalysis[]): string =>
  pending.length === 0 ? '' : `analysing: ${pending.join(', ')}…`;
