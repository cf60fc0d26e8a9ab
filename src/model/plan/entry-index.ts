import type { Analysis } from '../analysis.js';
import type { Entry } from '../entry.js';
import { versionAt, type FsNode } from '../file-tree.js';
import type { EntryRef } from './entry-ref.js';

/** Where each entry object sits in the image. */
export function indexEntries(analysis: Analysis): Map<Entry, EntryRef> {
  const map = new Map<Entry, EntryRef>();
  analysis.image.layers.forEach((l, layer) => l.entries.forEach((e, index) => map.set(e, { layer, index })));
  return map;
}

export interface FinalEntry {
  readonly node: FsNode;
  readonly entry: Entry;
  readonly ref: EntryRef;
}

/** The entries of the final filesystem (implicit parent directories left out). */
export function finalEntries(analysis: Analysis, index: Map<Entry, EntryRef> = indexEntries(analysis)): FinalEntry[] {
  const last = analysis.image.layers.length - 1;
  const out: FinalEntry[] = [];
  if (last < 0) return out;
  for (const node of analysis.tree.nodes) {
    const v = versionAt(node, last);
    if (!v?.entry || v.entry.implicit) continue;
    const ref = index.get(v.entry);
    if (ref) out.push({ node, entry: v.entry, ref });
  }
  return out;
}
