import type { Entry } from './entry.js';
import { entryAt, layerOfEntry, type FileTree, type FsNode } from './file-tree.js';

/** Where a hard link's data lives: the data-bearing entry at the end of its chain, and the layer that wrote it. */
export interface LinkRoot {
  readonly node: FsNode;
  readonly entry: Entry;
  readonly layer: number;
}

/** Longest chain followed (a tar can loop links: A → B → A). */
const MAX_CHAIN = 64;

/**
 * Follows a hard link written by `layer` to the entry holding its bytes: C → B → A when B is itself a link.
 * A tar's link names a path as it stands when the link is made, so each step reads the target live at `layer`
 * (same layer first; a lower layer's file for a cross-layer link). Undefined when the chain breaks or loops.
 */
export function linkRoot(tree: FileTree, link: Entry, layer: number): LinkRoot | undefined {
  let e = link;
  for (let step = 0; step < MAX_CHAIN && e.kind === 'hardlink' && e.linkTarget !== undefined; step++) {
    const node = tree.byPath.get(e.linkTarget);
    const target = node ? entryAt(node, layer) : null;
    if (!node || !target || target === e) return undefined;
    if (target.kind !== 'hardlink') {
      const at = layerOfEntry(node, target);
      return at === undefined ? undefined : { node, entry: target, layer: at };
    }
    e = target;
  }
  return undefined;
}
