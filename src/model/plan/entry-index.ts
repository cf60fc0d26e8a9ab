import type { Analysis } from '../analysis.js';
import type { Entry } from '../entry.js';
import { PackedEntry, type EntryTable } from '../entry-table.js';
import { versionAt, type FsNode } from '../file-tree.js';
import type { EntryRef } from './entry-ref.js';
import { runSteps, STEP_ITEMS, type Steps } from '../steps.js';

/** Where each entry object of the image sits (undefined for an entry of none of its layers). */
export interface EntryIndex {
  get(entry: Entry): EntryRef | undefined;
}

/**
 * An image's entries are views that know their table and row (entry-table.ts), and each layer has a table of
 * its own: the ref is read off the entry, no Map of every entry (~70 bytes an entry) is built. Entries of
 * another make (hand-built images) are looked up in a Map.
 */
class Index implements EntryIndex {
  constructor(
    private readonly layers: Analysis['image']['layers'],
    private readonly layerOf: ReadonlyMap<EntryTable, number>,
    private readonly others: ReadonlyMap<Entry, EntryRef>,
  ) {}
  get(entry: Entry): EntryRef | undefined {
    if (entry instanceof PackedEntry) {
      const layer = this.layerOf.get(entry.table);
      if (layer !== undefined && this.layers[layer]!.entries[entry.index] === entry)
        return { layer, index: entry.index };
    }
    return this.others.get(entry);
  }
}

/** Where each entry object sits in the image. */
export function indexEntries(analysis: Analysis): EntryIndex {
  return runSteps(indexEntriesSteps(analysis));
}

/** `indexEntries` in slices (see model/steps.ts). */
export function* indexEntriesSteps(analysis: Analysis): Steps<EntryIndex> {
  const layerOf = new Map<EntryTable, number>();
  const others = new Map<Entry, EntryRef>();
  const { layers } = analysis.image;
  for (let layer = 0; layer < layers.length; layer++) {
    const entries = layers[layer]!.entries;
    const first = entries[0];
    const table = first instanceof PackedEntry && !layerOf.has(first.table) ? first.table : undefined;
    if (table) layerOf.set(table, layer);
    for (let index = 0; index < entries.length; index++) {
      if ((index + 1) % STEP_ITEMS === 0) yield;
      const e = entries[index]!;
      if (table && e instanceof PackedEntry && e.table === table && e.index === index) continue;
      others.set(e, { layer, index });
    }
  }
  return new Index(layers, layerOf, others);
}

export interface FinalEntry {
  readonly node: FsNode;
  readonly entry: Entry;
  readonly ref: EntryRef;
}

/** The entries of the final filesystem (implicit parent directories left out). */
export function finalEntries(analysis: Analysis, index: EntryIndex = indexEntries(analysis)): FinalEntry[] {
  return runSteps(finalEntriesSteps(analysis, index));
}

/** `finalEntries` in slices (see model/steps.ts). */
export function* finalEntriesSteps(analysis: Analysis, index: EntryIndex): Steps<FinalEntry[]> {
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
