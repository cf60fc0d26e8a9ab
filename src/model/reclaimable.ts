import type { Entry } from './entry.js';
import type { Layer } from './image.js';
import { entryAt, type FileTree } from './file-tree.js';
import { findNode } from './tree-sizes.js';

export type ReclaimReason = 'deleted' | 'overwritten' | 'hidden';

/** Bytes a layer stores for a path that the final filesystem does not have in that form. */
export interface ReclaimableItem {
  readonly layer: number;
  readonly path: string;
  readonly bytes: number;
  readonly reason: ReclaimReason;
  /** The layer whose change made it unreachable, when known. */
  readonly byLayer?: number;
}

export interface Reclaimable {
  readonly totalBytes: number;
  readonly perLayer: readonly number[];
  readonly items: readonly ReclaimableItem[];
}

/**
 * slimtui's own waste figure: bytes stored in layers that are not in the final filesystem (deleted,
 * overwritten, hidden by an opaque directory). A file's data stays live while any hard link to it lives.
 */
export function reclaimableBytes(layers: readonly Layer[], tree: FileTree): Reclaimable {
  const last = layers.length - 1;
  const perLayer = new Array<number>(layers.length).fill(0);
  const items: ReclaimableItem[] = [];

  layers.forEach((layer, index) => {
    // Hard links (same layer) keep their target's data alive.
    const linksTo = new Map<string, Entry[]>();
    for (const e of layer.entries) {
      if (e.kind === 'hardlink' && e.linkTarget !== undefined) {
        const list = linksTo.get(e.linkTarget) ?? [];
        list.push(e);
        linksTo.set(e.linkTarget, list);
      }
    }
    const isFinal = (e: Entry): boolean => {
      const node = findNode(tree, e.path);
      return node !== undefined && entryAt(node, last) === e;
    };
    const nodes = tree.entryNodes[index] ?? [];
    for (const [i, e] of layer.entries.entries()) {
      if (e.size <= 0 || e.kind === 'dir' || e.kind === 'hardlink' || e.kind === 'whiteout' || e.kind === 'opaque') continue;
      const node = nodes[i];
      if (node && entryAt(node, last) === e) continue;
      if (linksTo.size > 0 && (linksTo.get(e.path) ?? []).some(isFinal)) continue;
      const removal = node?.versions.find((v) => v.layer > index);
      const finalEntry = node ? entryAt(node, last) : null;
      const reason: ReclaimReason = finalEntry ? 'overwritten' : removal?.removedBy === 'opaque' ? 'hidden' : 'deleted';
      perLayer[index]! += e.size;
      items.push({ layer: index, path: e.path, bytes: e.size, reason, ...(removal ? { byLayer: removal.layer } : {}) });
    }
  });
  items.sort((a, b) => b.bytes - a.bytes || a.layer - b.layer);
  return { totalBytes: perLayer.reduce((s, n) => s + n, 0), perLayer, items };
}
