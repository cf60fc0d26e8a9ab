import type { Entry } from '../model/entry.js';
import { EntryTable, PendingEntry, kindCode } from '../model/entry-table.js';
import type { ParsedLayer } from './layer-reader.js';

/**
 * A parsed layer as a worker thread sends it: columns, not an object per entry. Paths (and link targets) are
 * one string each, a JSON array: kept as it is until the views are made (PendingEntry), when JSON.parse makes
 * each path a string of its own (a split would make slices that keep the whole batch's string alive); the numbers are typed arrays whose buffers
 * are transferred, not copied. Facts (what content analysers learnt) go as a sparse list: most entries have none.
 */
export interface EntryColumns {
  readonly paths: string;
  readonly links: string;
  /** Per entry: index of its link target in `links`, or -1. */
  readonly linkIndex: Int32Array;
  readonly kinds: Uint8Array;
  readonly sizes: Float64Array;
  readonly modes: Int32Array;
  readonly uids: Float64Array;
  readonly gids: Float64Array;
  readonly mtimes: Float64Array;
  readonly facts: readonly (readonly [number, Record<string, unknown>])[];
}

/** The last batch of a layer's entries, with the rest of what the layer reader found. */
export interface LayerColumns extends EntryColumns {
  readonly rest: Omit<ParsedLayer, 'entries'>;
}

export function toColumns(p: ParsedLayer): LayerColumns {
  const { entries, ...rest } = p;
  return { ...entryColumns(entries), rest };
}

export function entryColumns(list: readonly Entry[]): EntryColumns {
  const n = list.length;
  const linkIndex = new Int32Array(n).fill(-1);
  const kinds = new Uint8Array(n);
  const sizes = new Float64Array(n);
  const modes = new Int32Array(n);
  const uids = new Float64Array(n);
  const gids = new Float64Array(n);
  const mtimes = new Float64Array(n);
  const paths: string[] = new Array(n);
  const links: string[] = [];
  const facts: [number, Record<string, unknown>][] = [];
  list.forEach((e, i) => {
    paths[i] = e.path;
    kinds[i] = kindCode(e.kind);
    sizes[i] = e.size;
    modes[i] = e.mode;
    uids[i] = e.uid;
    gids[i] = e.gid;
    mtimes[i] = e.mtime;
    if (e.linkTarget !== undefined) {
      linkIndex[i] = links.length;
      links.push(e.linkTarget);
    }
    if (e.facts) facts.push([i, e.facts]);
  });
  return {
    paths: JSON.stringify(paths),
    links: JSON.stringify(links),
    linkIndex,
    kinds,
    sizes,
    modes,
    uids,
    gids,
    mtimes,
    facts,
  };
}

export const transferList = (c: EntryColumns): ArrayBuffer[] =>
  [c.linkIndex, c.kinds, c.sizes, c.modes, c.uids, c.gids, c.mtimes].map((a) => a.buffer as ArrayBuffer);

/** The table each output array of `appendEntries` fills (one per layer being received), and its stand-in entry. */
const tables = new WeakMap<Entry[], { readonly table: EntryTable; readonly pending: PendingEntry }>();

/**
 * The entries again, appended to `out`: one table per `out` (entry-table.ts), filled from the transferred
 * columns batch after batch. `out` holds a PendingEntry per row until assembleImage (`packEntries`) makes the
 * views, after the workers are done: no object of eight fields per entry on this thread, and while the workers
 * run, no object or string per entry at all.
 */
export function appendEntries(c: EntryColumns, out: Entry[]): void {
  const n = c.kinds.length;
  if (n === 0) return;
  let slot = tables.get(out);
  if (!slot) {
    const table = new EntryTable();
    slot = { table, pending: new PendingEntry(table) };
    tables.set(out, slot);
  }
  const { table, pending } = slot;
  const at = table.appendColumns({
    n,
    kinds: c.kinds,
    sizes: c.sizes,
    modes: c.modes,
    uids: c.uids,
    gids: c.gids,
    mtimes: c.mtimes,
    linkIndex: c.linkIndex,
    linkTargets: JSON.parse(c.links) as string[],
  });
  table.addPendingPaths(c.paths);
  for (let i = 0; i < n; i++) out.push(pending);
  for (const [i, f] of c.facts) table.facts.set(at + i, f);
}
