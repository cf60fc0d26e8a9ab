import type { Image } from './image.js';
import { buildFileTree, type FileTree } from './file-tree.js';
import { diveMetrics, type DiveMetrics } from './dive-metrics.js';
import { reclaimableBytes, type Reclaimable } from './reclaimable.js';
import { analyseBinaries, type BinaryOptions, type BinaryReport } from './libc/binaries.js';
import { noBinaries } from './no-binaries.js';

/** Everything derived from an image that every output (TUI, --json, --ci, export) shares. */
export interface Analysis {
  readonly image: Image;
  readonly tree: FileTree;
  readonly dive: DiveMetrics;
  readonly reclaimable: Reclaimable;
  /** ELF files, their resolved libraries, verdicts and findings (empty when the ELF analyser did not run). */
  readonly binaries: BinaryReport;
}

export interface AnalyzeOptions extends BinaryOptions {
  /** False when the ELF analyser did not run (`--no-elf`): the libc pass over the final filesystem is skipped. */
  readonly elf?: boolean;
}

export function analyze(image: Image, opts: AnalyzeOptions = {}): Analysis {
  const tree = buildFileTree(image.layers);
  const binaries =
    opts.elf === false
      ? noBinaries(image.config)
      : analyseBinaries(image, tree, {
          ...(opts.cpuLevel !== undefined ? { cpuLevel: opts.cpuLevel } : {}),
          ...(opts.cpuVendor !== undefined ? { cpuVendor: opts.cpuVendor } : {}),
        });
  return {
    image,
    tree,
    dive: diveMetrics(image.layers, tree),
    reclaimable: reclaimableBytes(image.layers, tree),
    binaries,
  };
}
