import type { Entry } from './entry.js';
import type { Layer, Warning } from './image.js';
import { escapeName, parentOf } from './paths.js';

/** One state of a path, starting at `layer`: the entry that layer wrote, or null when it removed the path. */
export interface Version {
  readonly layer: number;
  readonly entry: Entry | null;
  /** For removals: what removed it. */
  readonly removedBy?: 'whiteout' | 'opaque' | 'replaced';
}

/** A path that existed in some layer. Versions are ordered by layer, at most one per layer. */
export interface FsNode {
  readonly id: number;
  readonly name: string;
  readonly path: string;
  readonly parent: FsNode | null;
  /** Children by name. Leaves share one empty map until they get a child. */
  readonly children: ReadonlyMap<string, FsNode>;
  /** The path's history (built on each read from the tree's packed version table: read it once per use). */
  readonly versions: readonly Version[];
}

export type ChangeState = 'added' | 'modified' | 'removed' | 'unchanged';

/** Path → node lookups over the tree itself (no second table of every path). */
export interface PathIndex {
  get(path: string): FsNode | undefined;
  has(path: string): boolean;
  /** Every node's path, in id order. */
  keys(): IterableIterator<string>;
  readonly size: number;
}

/** Every path of every layer merged in one tree, with each path's history across the layers. */
export interface FileTree {
  readonly root: FsNode;
  /** All nodes, indexed by id (root is 0). Parents come before their children. */
  readonly nodes: readonly FsNode[];
  /** Every node by its path. */
  readonly byPath: PathIndex;
  /** The node of entry `index` of layer `layer` (undefined for an entry the tree has no node for). */
  nodeOf(layer: number, index: number): FsNode | undefined;
  /** The ids of the nodes some layer wrote a hard link at, ascending (the size passes look at these only). */
  readonly hardlinkIds: readonly number[];
  readonly layerCount: number;
  readonly warnings: readonly Warning[];
}

// ---- storage ----
// A node is a tiny object (its id and its path, which is the string of the entry that made it); everything else
// lives in columns shared by the whole tree: parent, a hash of the name (the name itself is the path's last
// segment), children as linked lists with a hash table for (parent, name) → child, and the versions in a packed
// table (layer, what removed it, next version, and the entry as its row in that layer: no pointer per version).
// At a million entries that keeps the tree near 100 bytes per path (it was ~500 with a Map and an array per
// node and an object per version); `children`, `versions`, `parent` and `name` read the columns on access.

const REMOVED_BY = [undefined, 'whiteout', 'opaque', 'replaced'] as const;
type RemovedBy = NonNullable<Version['removedBy']>;
const REMOVED_CODE: Record<RemovedBy, number> = { whiteout: 1, opaque: 2, replaced: 3 };

function grow<T extends Int32Array | Uint8Array>(a: T, n: number, fill: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

/** A version's `row` for a removal (no entry). */
const NO_ENTRY = -1;

class VersionTable {
  layer: Int32Array;
  next: Int32Array;
  removed: Uint8Array;
  /**
   * The version's entry: its index in its layer's entries (≥ 0), NO_ENTRY, or -2 - its index in `implicit` (the
   * directories the tree made). Four bytes a version, where a pointer took eight (and an array that grew by 1.5×).
   */
  row: Int32Array;
  readonly implicit: Entry[] = [];
  count = 0;

  /** Each layer's entries (one array of arrays: the layers' own objects differ in shape, a slower read). */
  private readonly entries: readonly (readonly Entry[])[];

  constructor(
    private readonly s: Store,
    layers: readonly Layer[],
    cap: number,
  ) {
    this.entries = layers.map((l) => l.entries);
    this.layer = new Int32Array(cap);
    this.next = new Int32Array(cap);
    this.removed = new Uint8Array(cap);
    this.row = new Int32Array(cap);
  }

  /** The `row` of an entry the tree made (an implicit directory). */
  made(entry: Entry): number {
    this.implicit.push(entry);
    return -1 - this.implicit.length;
  }

  /** The entry of version `v` (null for a removal). */
  entry(v: number): Entry | null {
    const r = this.row[v]!;
    return r >= 0 ? this.entries[this.layer[v]!]![r]! : r === NO_ENTRY ? null : this.implicit[-2 - r]!;
  }

  /**
   * Sets the node's version at `layer` to `row` (see `row`): replaces the last one when it is of the same layer,
   * else appends.
   */
  set(node: number, layer: number, row: number, removedBy?: RemovedBy): void {
    const s = this.s;
    const last = s.lastV[node]!;
    const code = removedBy ? REMOVED_CODE[removedBy] : 0;
    if (last >= 0 && this.layer[last] === layer) {
      this.row[last] = row;
      this.removed[last] = code;
      return;
    }
    const v = this.count++;
    if (v >= this.layer.length) {
      // Removals can outnumber the room left (a whiteout of a big directory): grow by a quarter, not by half.
      const n = Math.ceil(this.layer.length * 1.25);
      this.layer = grow(this.layer, n, 0);
      this.next = grow(this.next, n, 0);
      this.removed = grow(this.removed, n, 0);
      this.row = grow(this.row, n, 0);
    }
    this.layer[v] = layer;
    this.next[v] = -1;
    this.removed[v] = code;
    this.row[v] = row;
    if (last >= 0) this.next[last] = v;
    else s.firstV[node] = v;
    s.lastV[node] = v;
  }

  /** The last version of the node at or below `layer`, or -1. */
  at(node: number, layer: number): number {
    let found = -1;
    for (let v = this.s.firstV[node]!; v >= 0 && this.layer[v]! <= layer; v = this.next[v]!) found = v;
    return found;
  }

  /** The version written by exactly `layer`, or -1. */
  in(node: number, layer: number): number {
    for (let v = this.s.firstV[node]!; v >= 0 && this.layer[v]! <= layer; v = this.next[v]!)
      if (this.layer[v] === layer) return v;
    return -1;
  }

  version(v: number): Version {
    const removedBy = REMOVED_BY[this.removed[v]!];
    return removedBy
      ? { layer: this.layer[v]!, entry: this.entry(v), removedBy }
      : { layer: this.layer[v]!, entry: this.entry(v) };
  }

  all(node: number): Version[] {
    const out: Version[] = [];
    for (let v = this.s.firstV[node]!; v >= 0; v = this.next[v]!) out.push(this.version(v));
    return out;
  }
}

/** The columns of one tree. */
class Store {
  parent: Int32Array;
  /** A hash of each node's name (nameHash): the name itself is the last segment of the node's path. */
  name: Int32Array;
  firstV: Int32Array;
  lastV: Int32Array;
  firstChild: Int32Array;
  lastChild: Int32Array;
  nextSibling: Int32Array;
  /**
   * Open-addressing table of node ids keyed by (parent, name); -1 empty; at most 3/4 full. While ids fit
   * ID_BITS, a slot also holds TAG_BITS of the key's hash above the id: a probe passes over another key's slot
   * without reading that node's parent and name columns (two random reads a slot; the tree build of the bench's
   * 1M-entry image spent a sixth of its time there).
   */
  slots: Int32Array;
  /** ID_BITS while every id fits them, else 31 (no tags): the ids in the slots are `slot & idMask`. */
  private idMask = ID_MASK;
  /** By id; sized up front like the columns, cut to `count` when sealed. */
  readonly nodes: Node[];
  count = 0;
  readonly versions: VersionTable;

  /** `cap`: the expected number of nodes (every entry is at most one; implicit directories grow it). */
  constructor(
    private cap: number,
    layers: readonly Layer[],
  ) {
    this.nodes = new Array<Node>(cap);
    this.parent = new Int32Array(cap);
    this.name = new Int32Array(cap);
    this.firstV = new Int32Array(cap).fill(-1);
    this.lastV = new Int32Array(cap).fill(-1);
    this.firstChild = new Int32Array(cap).fill(-1);
    this.lastChild = new Int32Array(cap).fill(-1);
    this.nextSibling = new Int32Array(cap).fill(-1);
    let slots = 1024;
    while (slots * 3 < cap * 4) slots *= 2;
    this.slots = new Int32Array(slots).fill(-1);
    this.versions = new VersionTable(this, layers, cap);
  }

  /** The node's name: the last segment of its path (the root's is ''). */
  nameOf(id: number): string {
    const p = this.nodes[id]!.path;
    return id === 0 ? '' : p.slice(p.lastIndexOf('/') + 1);
  }

  /** Whether node `id`, a child of some node, is named `name` (a child's path is its parent's, '/', its name). */
  private named(id: number, name: string): boolean {
    const p = this.nodes[id]!.path;
    const at = p.length - name.length;
    return at >= 0 && (at === 0 ? this.parent[id] === 0 : p.charCodeAt(at - 1) === 0x2f) && p.endsWith(name);
  }

  private home(parent: number, hash: number): number {
    return (Math.imul(parent, 0x9e3779b1) ^ Math.imul(hash, 0x85ebca77)) & (this.slots.length - 1);
  }

  /** The tag bits of a (parent, name hash) key as a slot holds them (0 when ids need every bit). */
  private tag(parent: number, hash: number): number {
    return this.idMask === ID_MASK ? (Math.imul(parent ^ hash, 0x27d4eb2d) >>> (32 - TAG_BITS)) << ID_BITS : 0;
  }

  /** The child of `parent` with this name (and this nameHash of it), or -1. */
  childNamed(parent: number, name: string, hash = nameHash(name)): number {
    const mask = this.slots.length - 1;
    const idMask = this.idMask;
    const tag = this.tag(parent, hash);
    for (let i = this.home(parent, hash); ; i = (i + 1) & mask) {
      const slot = this.slots[i]!;
      if (slot < 0) return -1;
      if ((slot & ~idMask) !== tag) continue;
      const id = slot & idMask;
      if (this.parent[id] === parent && this.name[id] === hash && this.named(id, name)) return id;
    }
  }

  /**
   * The child of `parent` whose path is `path` (`hash`: the nameHash of its last segment), or -1. A child's path
   * is its parent's, '/', its name: under one parent, equal names are equal paths, so no slice of the name is
   * made to compare (the tree build's lookup, once an entry).
   */
  childWithPath(parent: number, path: string, hash: number): number {
    const mask = this.slots.length - 1;
    const idMask = this.idMask;
    const tag = this.tag(parent, hash);
    for (let i = this.home(parent, hash); ; i = (i + 1) & mask) {
      const slot = this.slots[i]!;
      if (slot < 0) return -1;
      if ((slot & ~idMask) !== tag) continue;
      const id = slot & idMask;
      if (this.parent[id] === parent && this.name[id] === hash && this.nodes[id]!.path === path) return id;
    }
  }

  /** Puts a new node in the table: the first free slot from its home (it is not there yet). */
  private place(id: number): void {
    const mask = this.slots.length - 1;
    const parent = this.parent[id]!;
    const hash = this.name[id]!;
    let i = this.home(parent, hash);
    while (this.slots[i]! >= 0) i = (i + 1) & mask;
    this.slots[i] = id | this.tag(parent, hash);
  }

  add(node: Node, parent: number, hash: number): void {
    const id = node.id;
    if (id >= this.cap) {
      const n = Math.ceil(this.cap * 1.5);
      this.parent = grow(this.parent, n, 0);
      this.name = grow(this.name, n, 0);
      this.firstV = grow(this.firstV, n, -1);
      this.lastV = grow(this.lastV, n, -1);
      this.firstChild = grow(this.firstChild, n, -1);
      this.lastChild = grow(this.lastChild, n, -1);
      this.nextSibling = grow(this.nextSibling, n, -1);
      this.cap = n;
    }
    this.nodes[id] = node;
    this.count = id + 1;
    this.parent[id] = parent;
    this.name[id] = hash;
    if (id === 0) return;
    // An id past ID_BITS (16M nodes): the slots hold bare ids from here on.
    if (id > ID_MASK && this.idMask === ID_MASK) {
      this.idMask = 0x7fffffff;
      this.rehash();
    }
    if (this.lastChild[parent]! < 0) this.firstChild[parent] = id;
    else this.nextSibling[this.lastChild[parent]!] = id;
    this.lastChild[parent] = id;
    if (this.count * 4 > this.slots.length * 3) this.rehash();
    this.place(id);
  }

  /**
   * Once the tree is built: the columns cut to the nodes (they were sized for every entry, and a path that many
   * layers rewrite is one node), and `lastChild` and `lastV`, which only appending needs, dropped: no node or version is added after.
   */
  seal(): void {
    const n = this.count;
    this.nodes.length = n;
    const cut = <T extends Int32Array | Uint8Array>(a: T, used: number): T =>
      a.length > used + (used >> 3) + 1024 ? (a.slice(0, used) as T) : a;
    this.parent = cut(this.parent, n);
    this.name = cut(this.name, n);
    this.firstV = cut(this.firstV, n);
    this.lastV = new Int32Array(0);
    this.firstChild = cut(this.firstChild, n);
    this.nextSibling = cut(this.nextSibling, n);
    this.lastChild = new Int32Array(0);
    this.cap = this.parent.length;
    const v = this.versions;
    v.layer = cut(v.layer, v.count);
    v.next = cut(v.next, v.count);
    v.removed = cut(v.removed, v.count);
    v.row = cut(v.row, v.count);
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(-1);
    for (let id = 1; id < this.count - 1; id++) this.place(id);
  }
}

/** A slot of Store.slots: the node id in its low ID_BITS, a tag of its key's hash in the TAG_BITS above (≥ 0). */
const ID_BITS = 24;
const ID_MASK = (1 << ID_BITS) - 1;
const TAG_BITS = 31 - ID_BITS;

const NO_CHILDREN: ReadonlyMap<string, FsNode> = new Map();

/**
 * FNV-1a of a name's UTF-16 units. Names are not interned: a table of every distinct name, beside the paths
 * that already hold them, kept the explorer on a 300,000-file image of unique names from fitting a 200 MiB heap.
 */
function nameHash(name: string, from = 0): number {
  let h = 0x811c9dc5;
  for (let i = from; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h;
}

/** A node's children, read from the columns (in the order the paths first appeared). */
class Children implements ReadonlyMap<string, FsNode> {
  constructor(
    private readonly s: Store,
    private readonly id: number,
  ) {}
  get size(): number {
    // Walked (no count per node is kept: nothing reads a size often).
    const s = this.s;
    let n = 0;
    for (let c = s.firstChild[this.id]!; c >= 0; c = s.nextSibling[c]!) n++;
    return n;
  }
  get(name: string): FsNode | undefined {
    const c = this.s.childNamed(this.id, name);
    return c < 0 ? undefined : this.s.nodes[c];
  }
  has(name: string): boolean {
    return this.s.childNamed(this.id, name) >= 0;
  }
  *values(): MapIterator<FsNode> {
    const s = this.s;
    for (let c = s.firstChild[this.id]!; c >= 0; c = s.nextSibling[c]!) yield s.nodes[c]!;
  }
  *keys(): MapIterator<string> {
    const s = this.s;
    for (let c = s.firstChild[this.id]!; c >= 0; c = s.nextSibling[c]!) yield s.nameOf(c);
  }
  *entries(): MapIterator<[string, FsNode]> {
    const s = this.s;
    for (let c = s.firstChild[this.id]!; c >= 0; c = s.nextSibling[c]!) yield [s.nameOf(c), s.nodes[c]!];
  }
  [Symbol.iterator](): MapIterator<[string, FsNode]> {
    return this.entries();
  }
  forEach(fn: (value: FsNode, key: string, map: ReadonlyMap<string, FsNode>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }
}

/** A path of the tree. Its store is on the prototype (one subclass per tree), so a node is two fields. */
abstract class Node implements FsNode {
  declare readonly s: Store;
  constructor(
    readonly id: number,
    readonly path: string,
  ) {}
  get name(): string {
    return this.s.nameOf(this.id);
  }
  get parent(): FsNode | null {
    return this.id === 0 ? null : this.s.nodes[this.s.parent[this.id]!]!;
  }
  get children(): ReadonlyMap<string, FsNode> {
    return this.s.firstChild[this.id]! < 0 ? NO_CHILDREN : new Children(this.s, this.id);
  }
  get versions(): readonly Version[] {
    return this.s.versions.all(this.id);
  }
}

const tableOf = (node: FsNode): VersionTable => (node as Node).s.versions;

/**
 * Every node's parent id by node id (-1 for the root), as the tree holds it: a view of its column, not a copy,
 * so it must not be written to. For the passes over every node (subtree sizes, row counts), which otherwise read
 * `node.parent` — a node object and its id — once a node.
 */
export function parentIdsOf(tree: FileTree): Int32Array {
  return (tree.root as Node).s.parent.subarray(0, tree.nodes.length);
}

/** The version in force at `layer` (the last one at or below it), or undefined when the path did not exist yet. */
export function versionAt(node: FsNode, layer: number): Version | undefined {
  const t = tableOf(node);
  const v = t.at(node.id, layer);
  return v < 0 ? undefined : t.version(v);
}

/** The entry live at `layer`, or null when the path does not exist in the filesystem after that layer. */
export function entryAt(node: FsNode, layer: number): Entry | null {
  const t = tableOf(node);
  const v = t.at(node.id, layer);
  return v < 0 ? null : t.entry(v);
}

/** The version written by exactly `layer`, if any. */
export function versionIn(node: FsNode, layer: number): Version | undefined {
  const t = tableOf(node);
  const v = t.in(node.id, layer);
  return v < 0 ? undefined : t.version(v);
}

/** The entry written by exactly `layer` (null for a removal, undefined when that layer did not touch the path). */
export function entryIn(node: FsNode, layer: number): Entry | null | undefined {
  const t = tableOf(node);
  const v = t.in(node.id, layer);
  return v < 0 ? undefined : t.entry(v);
}

/** The first version of the path above `layer` (what next changed or removed it), if any. */
export function versionAfter(node: FsNode, layer: number): Version | undefined {
  const t = tableOf(node);
  for (let v = (node as Node).s.firstV[node.id]!; v >= 0; v = t.next[v]!) if (t.layer[v]! > layer) return t.version(v);
  return undefined;
}

/** The layer that wrote `entry` into this path, if it did. */
export function layerOfEntry(node: FsNode, entry: Entry): number | undefined {
  const t = tableOf(node);
  for (let v = (node as Node).s.firstV[node.id]!; v >= 0; v = t.next[v]!) if (t.entry(v) === entry) return t.layer[v]!;
  return undefined;
}

/** The path's last version (its state after the top layer it was touched in). */
export function lastVersion(node: FsNode): Version | undefined {
  const t = tableOf(node);
  // (lastV is for building: the tree, once sealed, walks the node's few versions.)
  let v = (node as Node).s.firstV[node.id]!;
  if (v >= 0) while (t.next[v]! >= 0) v = t.next[v]!;
  return v < 0 ? undefined : t.version(v);
}

/** How `layer` changed this path; undefined when the path is absent both before and after it. */
export function changeAt(node: FsNode, layer: number): ChangeState | undefined {
  const t = tableOf(node);
  const own = t.in(node.id, layer);
  const after = entryAt(node, layer);
  if (own < 0) return after ? 'unchanged' : undefined;
  const before = layer > 0 ? entryAt(node, layer - 1) : null;
  if (t.row[own] === NO_ENTRY) return before ? 'removed' : undefined;
  return before ? 'modified' : 'added';
}

const implicitDir = (path: string): Entry => ({
  path,
  kind: 'dir',
  size: 0,
  mode: 0o40755,
  uid: 0,
  gid: 0,
  mtime: 0,
  implicit: true,
});

class Index implements PathIndex {
  constructor(private readonly s: Store) {}
  get(path: string): FsNode | undefined {
    const id = walk(this.s, path);
    return id < 0 ? undefined : this.s.nodes[id];
  }
  has(path: string): boolean {
    return walk(this.s, path) >= 0;
  }
  *keys(): IterableIterator<string> {
    for (const n of this.s.nodes) yield n.path;
  }
  get size(): number {
    return this.s.nodes.length;
  }
}

/** Finds a path's node id (-1: none) by walking its segments from the root — iteratively: a tar's depth is unbounded. */
function walk(s: Store, path: string, from = 0, start = 0): number {
  if (path === '') return 0;
  let node = from;
  while (node >= 0) {
    const slash = path.indexOf('/', start);
    node = s.childNamed(node, slash < 0 ? path.slice(start) : path.slice(start, slash));
    if (slash < 0) return node;
    start = slash + 1;
  }
  return -1;
}

/**
 * Applies the layers in order, as the OCI image spec describes: in each layer, whiteouts and opaque markers
 * first remove what the layers below left (whiteouts only apply to lower layers), then the layer's entries
 * are added. A non-directory written over a live directory removes the directory's subtree.
 * Every walk here is iterative: a tar can nest directories as deep as it likes.
 */
export function buildFileTree(layers: readonly Layer[]): FileTree {
  // Sized for the entries up front: no doubling slack, no copies while it grows (implicit dirs are few).
  const s = new Store(layers.reduce((n, l) => n + l.entries.length, 0) + 1024, layers);
  const table = s.versions;
  class TreeNode extends Node {}
  Object.defineProperty(TreeNode.prototype, 's', { value: s });
  const nodes = s.nodes;
  const root = new TreeNode(0, '');
  s.add(root, -1, nameHash(''));
  table.set(0, 0, table.made(implicitDir('')));
  const warnings: Warning[] = [];

  /** The child of `parent` named `name` (the last segment of `path`), made when missing. */
  const child = (parent: number, name: string, path: string): number => {
    const hash = nameHash(name);
    const found = s.childNamed(parent, name, hash);
    if (found >= 0) return found;
    const node = new TreeNode(s.count, path);
    s.add(node, parent, hash);
    return node.id;
  };

  /** `child` for the entry's own path, whose name starts at `from` (no slice of it is made). */
  const childAt = (parent: number, path: string, from: number): number => {
    const hash = nameHash(path, from);
    const found = s.childWithPath(parent, path, hash);
    if (found >= 0) return found;
    const node = new TreeNode(s.count, path);
    s.add(node, parent, hash);
    return node.id;
  };

  const lastEntry = (node: number): Entry | null | undefined => {
    const v = s.lastV[node]!;
    return v < 0 ? undefined : table.entry(v);
  };
  const isLiveDir = (node: number): boolean => lastEntry(node)?.kind === 'dir';

  const removeSubtree = (start: number, layer: number, by: RemovedBy): void => {
    const stack: number[] = [start];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (!lastEntry(node)) continue;
      table.set(node, layer, NO_ENTRY, by);
      for (let c = s.firstChild[node]!; c >= 0; c = s.nextSibling[c]!) stack.push(c);
    }
  };
  const removeChildren = (node: number, layer: number, by: RemovedBy): void => {
    for (let c = s.firstChild[node]!; c >= 0; c = s.nextSibling[c]!) removeSubtree(c, layer, by);
  };

  // Tars list a directory's entries together: the last directory resolved answers most lookups.
  let cachedDir = '';
  let cachedNode = 0;

  /** Makes sure `dir` is a live directory at `layer` (creating implicit ones down the chain) and returns its node. */
  const liveDir = (dir: string, layer: number): number => {
    if (dir === '') return 0;
    if (dir === cachedDir && isLiveDir(cachedNode)) return cachedNode;
    let node = 0;
    let start = 0;
    for (;;) {
      const slash = dir.indexOf('/', start);
      const end = slash < 0 ? dir.length : slash;
      node = child(node, dir.slice(start, end), slash < 0 ? dir : dir.slice(0, end));
      // Missing, removed, or a file where a directory is needed: the layer (re)creates it implicitly.
      if (!isLiveDir(node)) table.set(node, layer, table.made(implicitDir(nodes[node]!.path)));
      if (slash < 0) break;
      start = slash + 1;
    }
    cachedDir = dir;
    cachedNode = node;
    return node;
  };

  /** The node of a path if it exists (live or not), without creating anything; -1 when absent. */
  const lookup = (path: string): number => {
    const dir = parentOf(path);
    if (dir === cachedDir) return s.childNamed(cachedNode, dir === '' ? path : path.slice(dir.length + 1));
    return walk(s, path);
  };

  // Per layer, 1 + the node id of each entry (0: none): four bytes an entry, where a list of nodes took eight.
  const entryNodes: Int32Array[] = [];
  const links = new Set<number>();
  layers.forEach((layer, index) => {
    const entries = layer.entries;
    const own = new Int32Array(entries.length);
    entryNodes.push(own);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.kind !== 'whiteout' && e.kind !== 'opaque') continue;
      const node = e.path === '' ? 0 : lookup(e.path);
      if (node < 0) continue;
      own[i] = node + 1;
      if (e.kind === 'whiteout') removeSubtree(node, index, 'whiteout');
      else removeChildren(node, index, 'opaque');
    }
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.kind === 'whiteout' || e.kind === 'opaque' || e.path === '') continue;
      const path = e.path;
      const cut = path.lastIndexOf('/');
      // Tars list a directory's entries together: most share the last parent resolved, checked in place
      // (no slice of the parent's path to compare, nor a walk).
      const dirNode =
        cut === cachedDir.length && cut > 0 && path.startsWith(cachedDir) && isLiveDir(cachedNode)
          ? cachedNode
          : liveDir(cut < 0 ? '' : path.slice(0, cut), index);
      const node = childAt(dirNode, path, cut + 1);
      own[i] = node + 1;
      const lastV = s.lastV[node]!;
      const last = lastV < 0 ? undefined : table.entry(lastV);
      if (last && table.layer[lastV] === index && !last.implicit) {
        warnings.push({
          code: 'duplicate-entry',
          message: `layer ${index} lists ${escapeName(e.path)} more than once; the last one wins`,
          layer: index,
          path: e.path,
        });
      }
      if (e.kind !== 'dir' && last?.kind === 'dir' && table.layer[lastV]! < index)
        removeChildren(node, index, 'replaced');
      table.set(node, index, i);
      if (e.kind === 'hardlink') links.add(node);
    }
    // A layer tar's hard link names a file of the same tar; one that only exists in a lower layer is not
    // something a layer diff should hold (the runtime links to the lower copy; the link keeps its data).
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.kind !== 'hardlink' || e.linkTarget === undefined) continue;
      const target = walk(s, e.linkTarget);
      if (target < 0 || table.in(target, index) >= 0) continue;
      const v = table.at(target, index);
      if (v >= 0 && table.row[v] !== NO_ENTRY) {
        warnings.push({
          code: 'cross-layer-hardlink',
          message: `layer ${index}: hard link ${escapeName(e.path)} points at ${escapeName(e.linkTarget)}, which only a lower layer (${table.layer[v]}) holds`,
          layer: index,
          path: e.path,
        });
      }
    }
  });
  s.seal();
  const nodeOf = (layer: number, index: number): FsNode | undefined => {
    const id = entryNodes[layer]?.[index];
    return id ? nodes[id - 1] : undefined;
  };
  const hardlinkIds = [...links].sort((a, b) => a - b);
  return { root, nodes, byPath: new Index(s), nodeOf, hardlinkIds, layerCount: layers.length, warnings };
}
