import type { ContentFacts, Entry, EntryKind } from './entry.js';

/**
 * A layer's entries as columns, and each entry as a small view over them (path, table, index: 48 bytes) instead
 * of an object of eight fields whose numbers V8 boxes (~150 bytes). Each numeric column is kept in the narrowest
 * form that holds all its values exactly — one number when they are all the same (uid 0, a fixed mtime), else
 * 1, 2 or 4 unsigned bytes, or a float64 — and widens as values arrive. Link targets are a list; facts a sparse
 * map (most entries have none). At a million entries that is ~100 bytes an entry less than plain objects.
 * The views keep their identity (the model keys per-entry state by it) and read like any other Entry.
 */

/** A column: one value for every row, or a typed array (its length may exceed the table's while it grows). */
export type Column = number | Uint8Array | Uint16Array | Uint32Array | Float64Array;

export const ENTRY_KINDS: readonly EntryKind[] = ['file', 'dir', 'symlink', 'hardlink', 'whiteout', 'opaque', 'other'];
const KIND_CODE: Readonly<Record<EntryKind, number>> = {
  file: 0,
  dir: 1,
  symlink: 2,
  hardlink: 3,
  whiteout: 4,
  opaque: 5,
  other: 6,
};
export const kindCode = (k: EntryKind): number => KIND_CODE[k];

/** The narrowest array kind that holds `x` exactly: 1 u8, 2 u16, 3 u32, 4 f64 (-0 and fractions: f64). */
function levelOf(x: number): number {
  if (x !== x >>> 0 || (x === 0 && 1 / x < 0)) return 4;
  return x < 0x100 ? 1 : x < 0x10000 ? 2 : 3;
}

const levelOfColumn = (c: Column): number =>
  typeof c === 'number'
    ? 0
    : c instanceof Uint8Array
      ? 1
      : c instanceof Uint16Array
        ? 2
        : c instanceof Uint32Array
          ? 3
          : 4;

function makeArray(level: number, n: number): Exclude<Column, number> {
  return level <= 1
    ? new Uint8Array(n)
    : level === 2
      ? new Uint16Array(n)
      : level === 3
        ? new Uint32Array(n)
        : new Float64Array(n);
}

/** `c`'s first `n` rows in an array of at least `level` and `cap` rows. */
function widen(c: Column, n: number, cap: number, level: number): Exclude<Column, number> {
  const out = makeArray(Math.max(level, levelOfColumn(c)), cap);
  if (typeof c === 'number') out.fill(c, 0, n);
  else out.set(n === c.length ? c : c.subarray(0, n));
  return out;
}

/** Reads row `i` of a column. */
export const cell = (c: Column, i: number): number => (typeof c === 'number' ? c : c[i]!);

/** Numbers as a batch hands them over (the worker's typed arrays, or a plain list). */
type Values = ArrayLike<number>;

/** The row of each numeric field, as its column names it. */
type NumericField = 'kinds' | 'sizes' | 'modes' | 'uids' | 'gids' | 'mtimes' | 'linkOf';
const FIELDS: readonly NumericField[] = ['kinds', 'sizes', 'modes', 'uids', 'gids', 'mtimes', 'linkOf'];

export class EntryTable {
  kinds: Column = 0;
  sizes: Column = 0;
  modes: Column = 0;
  uids: Column = 0;
  gids: Column = 0;
  mtimes: Column = 0;
  /** Per row: 1 + the index of its link target in `links`, or 0 for none. */
  linkOf: Column = 0;
  readonly links: string[] = [];
  readonly facts = new Map<number, ContentFacts>();
  length = 0;
  /** Rows the typed columns have room for. */
  private cap = 0;
  /** The paths of rows that have no view yet, as the JSON arrays their batches brought (see PendingEntry). */
  private pendingPaths: string[] = [];

  /** Records the paths (a JSON array of strings) of rows just appended whose views are made later. */
  addPendingPaths(json: string): void {
    this.pendingPaths.push(json);
  }

  /** Puts each row's view in `out` (in place of its PendingEntry), once all rows are in. */
  makeViews(out: Entry[]): void {
    let row = 0;
    const batches = this.pendingPaths;
    for (let b = 0; b < batches.length; b++) {
      const paths = JSON.parse(batches[b]!) as string[];
      // Each batch's text goes as soon as its paths are strings (not all of it until the end).
      batches[b] = '';
      for (const path of paths) {
        out[row] = new PackedEntry(path, this, row);
        row++;
      }
    }
    if (row !== this.length || out.length !== row) throw new Error(`${row} paths for ${this.length} rows`);
    this.pendingPaths = [];
  }

  /** Makes room for `more` rows in every typed column. */
  private reserve(more: number): void {
    const need = this.length + more;
    if (need <= this.cap) return;
    const cap = Math.max(need, Math.ceil(this.cap * 1.5), 1024);
    for (const f of FIELDS) {
      const c = this[f];
      if (typeof c !== 'number') this[f] = widen(c, this.length, cap, 0);
    }
    this.cap = cap;
  }

  /** Appends `values` (one per new row, rows from `this.length`) to column `f`, widening it when they need it. */
  private put(f: NumericField, values: Values, n: number): void {
    let c = this[f];
    const at = this.length;
    let level = 0;
    if (typeof c === 'number' && at === 0 && n > 0) c = values[0]!;
    for (let i = 0; i < n; i++) {
      const x = values[i]!;
      if (typeof c === 'number' && Object.is(x, c)) continue;
      const l = levelOf(x);
      if (l > level) level = l;
    }
    if (level === 0) {
      this[f] = c;
      if (typeof c === 'number') return;
    } else if (typeof c === 'number' || level > levelOfColumn(c)) {
      c = widen(c, at, this.cap, Math.max(level, typeof c === 'number' ? levelOf(c) : 0));
      this[f] = c;
    }
    const arr = c as Exclude<Column, number>;
    for (let i = 0; i < n; i++) arr[at + i] = values[i]!;
  }

  /**
   * Appends a batch of rows, column by column (kinds as codes; links as their index in `linkTargets` or -1);
   * returns the index of the first new row.
   */
  appendColumns(c: {
    readonly n: number;
    readonly kinds: Values;
    readonly sizes: Values;
    readonly modes: Values;
    readonly uids: Values;
    readonly gids: Values;
    readonly mtimes: Values;
    readonly linkIndex: Values;
    readonly linkTargets: readonly string[];
  }): number {
    const n = c.n;
    const at = this.length;
    this.reserve(n);
    const linkOf = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const li = c.linkIndex[i]!;
      if (li >= 0) linkOf[i] = this.links.push(c.linkTargets[li]!);
    }
    this.put('kinds', c.kinds, n);
    this.put('sizes', c.sizes, n);
    this.put('modes', c.modes, n);
    this.put('uids', c.uids, n);
    this.put('gids', c.gids, n);
    this.put('mtimes', c.mtimes, n);
    this.put('linkOf', linkOf, n);
    this.length = at + n;
    return at;
  }

  /**
   * A table of these tables' rows, one after another, their views not made yet (pieces of one layer: see
   * packEntries). Column by column, each in the narrowest form that holds every piece's values (the widest of
   * theirs, or their one value when all agree) and copied with `set`/`fill`: the same columns that appending the
   * rows one batch after another gives, without looking at each value again (~0.1 s of the 1M-entry bench
   * image's first frame, whose big layers are read in pieces).
   */
  static joinPending(tables: readonly EntryTable[]): EntryTable {
    const out = new EntryTable();
    const n = tables.reduce((s, t) => s + t.length, 0);
    if (n === 0) return out;
    // Rows and link targets before each piece.
    const rowsBefore: number[] = [];
    const linksBefore: number[] = [];
    for (const t of tables) {
      rowsBefore.push(out.length);
      linksBefore.push(out.links.length);
      out.length += t.length;
      for (const l of t.links) out.links.push(l);
      for (const json of t.pendingPaths) out.pendingPaths.push(json);
    }
    const pieces = tables.filter((t) => t.length > 0);
    for (const f of FIELDS) {
      if (f === 'linkOf') continue;
      const first = pieces[0]![f];
      if (typeof first === 'number' && pieces.every((t) => Object.is(t[f], first))) {
        out[f] = first;
        continue;
      }
      const level = Math.max(...pieces.map((t) => (typeof t[f] === 'number' ? levelOf(t[f]) : levelOfColumn(t[f]))));
      const col = makeArray(level, n);
      tables.forEach((t, k) => {
        const c = t[f];
        if (typeof c === 'number') col.fill(c, rowsBefore[k], rowsBefore[k]! + t.length);
        else col.set(c.length === t.length ? c : c.subarray(0, t.length), rowsBefore[k]);
      });
      out[f] = col;
    }
    // A row's link is 1 + its target's index in `links`: each piece's move up by the targets before it.
    const linkOf = new Float64Array(n);
    tables.forEach((t, k) => {
      for (let i = 0; i < t.length; i++) {
        const v = cell(t.linkOf, i);
        if (v > 0) linkOf[rowsBefore[k]! + i] = v + linksBefore[k]!;
      }
    });
    out.length = 0;
    out.cap = n;
    out.put('linkOf', linkOf, n);
    out.length = n;
    tables.forEach((t, k) => {
      for (const [i, f] of t.facts) out.facts.set(rowsBefore[k]! + i, f);
    });
    return out;
  }

  /** Trims the columns to the rows (once every row is in). */
  seal(): void {
    for (const f of FIELDS) {
      const c = this[f];
      if (typeof c !== 'number' && c.length !== this.length) this[f] = c.slice(0, this.length);
    }
    this.cap = this.length;
  }
}

/** One entry of a table. `path` is its own string (the tree's node for it shares it). */
export class PackedEntry implements Entry {
  constructor(
    readonly path: string,
    readonly table: EntryTable,
    readonly index: number,
  ) {}
  get kind(): EntryKind {
    return ENTRY_KINDS[cell(this.table.kinds, this.index)]!;
  }
  get size(): number {
    return cell(this.table.sizes, this.index);
  }
  get mode(): number {
    return cell(this.table.modes, this.index);
  }
  get uid(): number {
    return cell(this.table.uids, this.index);
  }
  get gid(): number {
    return cell(this.table.gids, this.index);
  }
  get mtime(): number {
    return cell(this.table.mtimes, this.index);
  }
  get linkTarget(): string | undefined {
    const l = cell(this.table.linkOf, this.index);
    return l === 0 ? undefined : this.table.links[l - 1];
  }
  get facts(): ContentFacts | undefined {
    return this.table.facts.get(this.index);
  }
  set facts(f: ContentFacts | undefined) {
    if (f === undefined) this.table.facts.delete(this.index);
    else this.table.facts.set(this.index, f);
  }
}

const unread = (): never => {
  throw new Error('a layer entry was read before assembleImage made the views of its table');
};

/**
 * What a layer's entry array holds, row after row, while its batches arrive from the worker threads: their
 * columns and paths go into the table, and `packEntries` (assembleImage, once the workers are done and their
 * memory is given back) makes the views. Until then the paths stay in the batches' JSON text (~40 bytes an entry
 * instead of ~110 for a string, a view and a slot): that is the peak of a load, the main thread's entries
 * beside the workers' heaps. Nothing reads a parsed layer's entries before it is assembled; a read throws.
 */
export class PendingEntry implements Entry {
  constructor(readonly table: EntryTable) {}
  get path(): string {
    return unread();
  }
  get kind(): EntryKind {
    return unread();
  }
  get size(): number {
    return unread();
  }
  get mode(): number {
    return unread();
  }
  get uid(): number {
    return unread();
  }
  get gid(): number {
    return unread();
  }
  get mtime(): number {
    return unread();
  }
}

/** The tables of an array of stand-ins that is runs of whole tables' rows, in order; undefined for any other array. */
function pendingTables(entries: readonly Entry[]): EntryTable[] | undefined {
  const tables: EntryTable[] = [];
  for (let i = 0; i < entries.length;) {
    const e = entries[i];
    if (!(e instanceof PendingEntry) || tables.includes(e.table)) return undefined;
    const end = i + e.table.length;
    if (end > entries.length) return undefined;
    for (let j = i; j < end; j++) if (entries[j] !== e) return undefined;
    tables.push(e.table);
    i = end;
  }
  return tables.length > 0 ? tables : undefined;
}

/** Whether `entries` are exactly the rows of one table, in order (nothing to pack). */
function packedAlready(entries: readonly Entry[]): EntryTable | undefined {
  const first = entries[0];
  if (!(first instanceof PackedEntry)) return undefined;
  const t = first.table;
  if (t.length !== entries.length) return undefined;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (!(e instanceof PackedEntry) || e.table !== t || e.index !== i) return undefined;
  }
  return t;
}

/** Appends entries (any Entry objects) to a table, as views in `out`. `copyFacts`: each entry's facts copied. */
export function appendToTable(table: EntryTable, entries: readonly Entry[], out: Entry[], copyFacts = false): void {
  const n = entries.length;
  const cols = {
    n,
    kinds: new Uint8Array(n),
    sizes: new Float64Array(n),
    modes: new Float64Array(n),
    uids: new Float64Array(n),
    gids: new Float64Array(n),
    mtimes: new Float64Array(n),
    linkIndex: new Int32Array(n).fill(-1),
    linkTargets: [] as string[],
  };
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    cols.kinds[i] = KIND_CODE[e.kind];
    cols.sizes[i] = e.size;
    cols.modes[i] = e.mode;
    cols.uids[i] = e.uid;
    cols.gids[i] = e.gid;
    cols.mtimes[i] = e.mtime;
    if (e.linkTarget !== undefined) {
      cols.linkIndex[i] = cols.linkTargets.length;
      cols.linkTargets.push(e.linkTarget);
    }
  }
  const at = table.appendColumns(cols);
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    out.push(new PackedEntry(e.path, table, at + i));
    if (e.facts) table.facts.set(at + i, copyFacts ? { ...e.facts } : e.facts);
  }
}

/**
 * A layer's entries as views over one sealed table: the same array when they already are (the worker path
 * fills the table as batches arrive), else new views (plain entries, or a repeat of a layer: `copyFacts`).
 */
export function packEntries(entries: readonly Entry[], copyFacts = false): readonly Entry[] {
  if (entries.length === 0) return entries;
  // The worker path's array (see PendingEntry): its views are made in it, in place — over its table, or over one
  // table joined from its pieces' when it was read in pieces (spans of a layer, concatenated in order).
  const pending = pendingTables(entries);
  if (pending?.length === 1) pending[0]!.makeViews(entries as Entry[]);
  else if (pending) EntryTable.joinPending(pending).makeViews(entries as Entry[]);
  const t = copyFacts ? undefined : packedAlready(entries);
  if (t) {
    t.seal();
    return entries;
  }
  const table = new EntryTable();
  const out: Entry[] = [];
  appendToTable(table, entries, out, copyFacts);
  table.seal();
  return out;
}

/**
 * Layers whose entries crossed a thread by structured clone (which keeps own fields, shared references and
 * Maps, but not classes: plain copies of the views and of their tables): views again, over the same columns.
 */
export function revivePackedEntries<L extends { readonly entries: readonly Entry[] }>(layers: readonly L[]): L[] {
  return layers.map((l) => {
    const first = l.entries[0] as Partial<PackedEntry> | undefined;
    if (!first || first instanceof PackedEntry || !first.table) return l;
    const entries = (l.entries as unknown as PackedEntry[]).map((e) => {
      if (!(e.table instanceof EntryTable)) Object.setPrototypeOf(e.table, EntryTable.prototype);
      return new PackedEntry(e.path, e.table, e.index);
    });
    return { ...l, entries };
  });
}
