import type { Image } from './image.js';
import { buildFileTree, type FileTree } from './file-tree.js';
import { diveMetrics, type DiveMetrics } from './dive-metrics.js';
import { reclaimableBytes, type Reclaimable } from './reclaimable.js';
import { analyseBinaries, type BinaryOptions, type BinaryReport } from './libc/binaries.js';

/** Everything derived from an image that every output (TUI, --json, --ci, export) shares. */
export interface Analysis {
  readonly image: Image;
  readonly tree: FileTree;
  readonly dive: DiveMetrics;
  readonly reclaimable: Reclaimable;
  /** ELF files, their resolved libraries, verdicts and findings (empty when the ELF analyser did not run). */
  readonly binaries: BinaryReport;
}

export function analyze(image: Image, binaryOptions: BinaryOptions = {}): Analysis {
  const tree = buildFileTree(image.layers);
  return { image, tree, dive: diveMetrics(image.layers, tree), reclaimable: reclaimableBytes(image.layers, tree), binaries: analyseBinaries(image, tree, binaryOptions) };
}
