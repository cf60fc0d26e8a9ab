import type { Entry } from './entry.js';
import type { Layer } from './image.js';
import { entryAt, versionAfter, type FileTree } from './file-tree.js';
import { linkRoot } from './hardlinks.js';
import { runSteps, STEP_ITEMS, type Steps } from './steps.js';
import { sortSteps } from './sort-steps.js';

/**
 * Entries between yields: a quarter of the usual, since each entry walks its parents or its link chain (and the
 * first slices run before the code is warm): the explorer runs these between keystrokes.
 */
const STEP = STEP_ITEMS / 4;

export type ReclaimReason = 'deleted' | 'overwritten' | 'hidden';

/** Bytes a layer stores for a path that the final filesystem does not have in that form. */
export interface ReclaimableItem {
  readonly layer: number;
  readonly path: string;
  readonly bytes: number;
  readonly reason: ReclaimReason;
  /** The layer whose change made it unreachable, when known. */
  readonly byLayer?: number;
  /** The entry's node in the tree the report was computed on (`tree.nodes[node]`), when it has one. */
  readonly node?: number;
}

export interface Reclaimable {
  readonly totalBytes: number;
  readonly perLayer: readonly number[];
  readonly items: readonly ReclaimableItem[];
}

/**
 * slimtui's own waste figure: bytes stored in layers that are not in the final filesystem (deleted,
 * overwritten, hidden by an opaque directory). A file's data stays live while any hard link to it lives —
 * through a chain of links too (C → B → A keeps A's bytes while C lives), and across layers.
 */
export const reclaimableBytes = (layers: readonly Layer[], tree: FileTree): Reclaimable =>
  runSteps(reclaimableSteps(layers, tree));

/** `reclaimableBytes` in steps (model/steps.ts): the explorer computes it after its first frame, between keys. */
export function* reclaimableSteps(layers: readonly Layer[], tree: FileTree): Steps<Reclaimable> {
  const last = layers.length - 1;
  const perLayer = new Array<number>(layers.length).fill(0);
  const items: ReclaimableItem[] = [];

  // Data-bearing entries that some link in the final filesystem still reaches.
  const keptByLink = new Set<Entry>();
  for (let index = 0; index < layers.length; index++) {
    const entries = layers[index]!.entries;
    for (let i = 0; i < entries.length; i++) {
      if (i % STEP === STEP - 1) yield;
      const e = entries[i]!;
      if (e.kind !== 'hardlink') continue;
      const node = tree.nodeOf(index, i);
      if (!node || entryAt(node, last) !== e) continue;
      const root = linkRoot(tree, e, index);
      if (root) keptByLink.add(root.entry);
    }
  }

  for (let index = 0; index < layers.length; index++) {
    const entries = layers[index]!.entries;
    for (let i = 0; i < entries.length; i++) {
      if (i % STEP === STEP - 1) yield;
      const e = entries[i]!;
      if (e.size <= 0 || e.kind === 'dir' || e.kind === 'hardlink' || e.kind === 'whiteout' || e.kind === 'opaque')
        continue;
      const node = tree.nodeOf(index, i);
      if (node && entryAt(node, last) === e) continue;
      if (keptByLink.has(e)) continue;
      const removal = node ? versionAfter(node, index) : undefined;
      const finalEntry = node ? entryAt(node, last) : null;
      const reason: ReclaimReason = finalEntry ? 'overwritten' : removal?.removedBy === 'opaque' ? 'hidden' : 'deleted';
      perLayer[index]! += e.size;
      items.push({
        layer: index,
        path: e.path,
        bytes: e.size,
        reason,
        ...(removal ? { byLayer: removal.layer } : {}),
        ...(node ? { node: node.id } : {}),
      });
    }
  }
  yield;
  yield* sortSteps(items, (a, b) => b.bytes - a.bytes || a.layer - b.layer);
  return { totalBytes: perLayer.reduce((s, n) => s + n, 0), perLayer, items };
}
