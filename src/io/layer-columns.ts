import type { Entry, EntryKind } from '../model/entry.js';
import type { ParsedLayer } from './layer-reader.js';

/**
 * A parsed layer as a worker thread sends it: columns, not an object per entry. Paths (and link targets) are
 * one string each, joined by NUL (a tar name cannot hold one); the numbers are typed arrays whose buffers are
 * transferred, not copied. Facts (what content analysers learnt) go as a sparse list: most entries have none.
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

const KINDS: readonly EntryKind[] = ['file', 'dir', 'symlink', 'hardlink', 'whiteout', 'opaque', 'other'];
const KIND_CODE = new Map(KINDS.map((k, i) => [k, i] as const));

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
    kinds[i] = KIND_CODE.get(e.kind)!;
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
    paths: paths.join('\0'),
    links: links.join('\0'),
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

/** The entries again, in the shapes the layer reader makes them (the same fields in the same order), appended to `out`. */
export function appendEntries(c: EntryColumns, out: Entry[]): void {
  const n = c.kinds.length;
  const base = out.length;
  const paths = n === 0 ? [] : c.paths.split('\0');
  const links = c.links === '' && !c.linkIndex.some((x) => x >= 0) ? [] : c.links.split('\0');
  for (let i = 0; i < n; i++) {
    const path = paths[i]!;
    const kind = KINDS[c.kinds[i]!]!;
    const li = c.linkIndex[i]!;
    out.push(
      li >= 0
        ? {
            path,
            kind,
            size: c.sizes[i]!,
            mode: c.modes[i]!,
            uid: c.uids[i]!,
            gid: c.gids[i]!,
            mtime: c.mtimes[i]!,
            linkTarget: links[li]!,
          }
        : { path, kind, size: c.sizes[i]!, mode: c.modes[i]!, uid: c.uids[i]!, gid: c.gids[i]!, mtime: c.mtimes[i]! },
    );
  }
  for (const [i, f] of c.facts) out[base + i]!.facts = f;
}
