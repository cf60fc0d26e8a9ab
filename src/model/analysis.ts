import type { Image } from './image.js';
import { buildFileTree, type FileTree } from './file-tree.js';
import { diveMetrics, type DiveMetrics } from './dive-metrics.js';
import { reclaimableBytes, type Reclaimable } from './reclaimable.js';

/** Everything derived from an image that every output (TUI, --json, --ci, export) shares. */
export interface Analysis {
  readonly image: Image;
  readonly tree: FileTree;
  readonly dive: DiveMetrics;
  readonly reclaimable: Reclaimable;
}

export function analyze(image: Image): Analysis {
  const tree = buildFileTree(image.layers);
  return { image, tree, dive: diveMetrics(image.layers, tree), reclaimable: reclaimableBytes(image.layers, tree) };
}
