import type { Analysis } from '../analysis.js';
import type { Entry } from '../entry.js';
import { versionAt, type FsNode } from '../file-tree.js';
import type { EntryRef } from './entry-ref.js';
import { runSteps, STEP_ITEMS, type Steps } from '../steps.js';

/** Where each entry object sits in the image. */
export function indexEntries(analysis: Analysis): Map<Entry, EntryRef> {
  return runSteps(indexEntriesSteps(analysis));
}

/** `indexEntries` in slices (see model/steps.ts). */
export function* indexEntriesSteps(analysis: Analysis): Steps<Map<Entry, EntryRef>> {
  const map = new Map<Entry, EntryRef>();
  const { layers } = analysis.image;
  for (let layer = 0; layer < layers.length; layer++) {
    const entries = layers[layer]!.entries;
    for (let index = 0; index < entries.length; index++) {
      if ((index + 1) % STEP_ITEMS === 0) yield;
      map.set(entries[index]!, { layer, index });
    }
  }
  return map;
}

export interface FinalEntry {
  readonly node: FsNode;
  readonly entry: Entry;
  readonly ref: EntryRef;
}

/** The entries of the final filesystem (implicit parent directories left out). */
export function finalEntries(analysis: Analysis, index: Map<Entry, EntryRef> = indexEntries(analysis)): FinalEntry[] {
  return runSteps(finalEntriesSteps(analysis, index));
}

/** `finalEntries` in slices (see model/steps.ts). */
export function* finalEntriesSteps(analysis: Analysis, index: Map<Entry, EntryRef>): Steps<FinalEntry[]> {
  const last = analysis.image.layers.length - 1;
  const out: FinalEntry[] = [];
  if (last < 0) return out;
  let i = 0;
  for (const node of analysis.tree.nodes) {
    if (++i % STEP_ITEMS === 0) yield;
    const v = versionAt(node, last);
    if (!v?.entry || v.entry.implicit) continue;
    const ref = index.get(v.entry);
    if (ref) out.push({ node, entry: v.entry, ref });
  }
  return out;
}
