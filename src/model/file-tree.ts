import type { Entry } from './entry.js';
import type { Layer, Warning } from './image.js';
import { baseName, parentOf } from './paths.js';

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
  /** For each layer, the node of each of its entries (same order as `layer.entries`). */
  readonly entryNodes: readonly (readonly (FsNode | undefined)[])[];
  readonly layerCount: number;
  readonly warnings: readonly Warning[];
}

// ---- storage ----
// A node is one small object (id, name, path, parent, children); its versions live in a packed table shared by
// the whole tree: per version its layer, what removed it, the next version of the same node, and the entry.
// The path string is the entry's own (no copy); names are interned. At a million entries this is what keeps the
// model near 300 bytes per entry instead of ~900 with an array and an object per version.

const REMOVED_BY = [undefined, 'whiteout', 'opaque', 'replaced'] as const;
type RemovedBy = NonNullable<Version['removedBy']>;
const REMOVED_CODE: Record<RemovedBy, number> = { whiteout: 1, opaque: 2, replaced: 3 };

class VersionTable {
  layer = new Int32Array(1024);
  next = new Int32Array(1024);
  removed = new Uint8Array(1024);
  entry: (Entry | null)[] = [];
  /** Per node id: its first and last version (-1: none). */
  first = new Int32Array(1024).fill(-1);
  last = new Int32Array(1024).fill(-1);
  count = 0;

  ensureNode(id: number): void {
    if (id < this.first.length) return;
    const n = Math.max(id + 1, this.first.length * 2);
    this.first = grow(this.first, n, -1);
    this.last = grow(this.last, n, -1);
  }

  /** Sets the node's version at `layer`: replaces the last one when it is of the same layer, else appends. */
  set(node: number, layer: number, entry: Entry | null, removedBy?: RemovedBy): void {
    const last = this.last[node]!;
    const code = removedBy ? REMOVED_CODE[removedBy] : 0;
    if (last >= 0 && this.layer[last] === layer) {
      this.entry[last] = entry;
      this.removed[last] = code;
      return;
    }
    const v = this.count++;
    if (v >= this.layer.length) {
      const n = this.layer.length * 2;
      this.layer = grow(this.layer, n, 0);
      this.next = grow(this.next, n, 0);
      this.removed = grow(this.removed, n, 0);
    }
    this.layer[v] = layer;
    this.next[v] = -1;
    this.removed[v] = code;
    this.entry.push(entry);
    if (last >= 0) this.next[last] = v;
    else this.first[node] = v;
    this.last[node] = v;
  }

  /** The last version of the node at or below `layer`, or -1. */
  at(node: number, layer: number): number {
    let found = -1;
    for (let v = this.first[node]!; v >= 0 && this.layer[v]! <= layer; v = this.next[v]!) found = v;
    return found;
  }

  /** The version written by exactly `layer`, or -1. */
  in(node: number, layer: number): number {
    for (let v = this.first[node]!; v >= 0 && this.layer[v]! <= layer; v = this.next[v]!) if (this.layer[v] === layer) return v;
    return -1;
  }

  version(v: number): Version {
    const removedBy = REMOVED_BY[this.removed[v]!];
    return removedBy ? { layer: this.layer[v]!, entry: this.entry[v]!, removedBy } : { layer: this.layer[v]!, entry: this.entry[v]! };
  }

  all(node: number): Version[] {
    const out: Version[] = [];
    for (let v = this.first[node]!; v >= 0; v = this.next[v]!) out.push(this.version(v));
    return out;
  }
}

function grow<T extends Int32Array | Uint8Array>(a: T, n: number, fill: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

const NO_CHILDREN: ReadonlyMap<string, FsNode> = new Map();

class Node implements FsNode {
  children: ReadonlyMap<string, FsNode> = NO_CHILDREN;
  constructor(
    readonly id: number,
    readonly name: string,
    readonly path: string,
    readonly parent: Node | null,
    readonly table: VersionTable,
  ) {}
  get versions(): readonly Version[] {
    return this.table.all(this.id);
  }
}

const tableOf = (node: FsNode): VersionTable => (node as Node).table;

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
  return v < 0 ? null : t.entry[v]!;
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
  return v < 0 ? undefined : t.entry[v]!;
}

/** The first version of the path above `layer` (what next changed or removed it), if any. */
export function versionAfter(node: FsNode, layer: number): Version | undefined {
  const t = tableOf(node);
  for (let v = t.first[node.id]!; v >= 0; v = t.next[v]!) if (t.layer[v]! > layer) return t.version(v);
  return undefined;
}

/** The layer that wrote `entry` into this path, if it did. */
export function layerOfEntry(node: FsNode, entry: Entry): number | undefined {
  const t = tableOf(node);
  for (let v = t.first[node.id]!; v >= 0; v = t.next[v]!) if (t.entry[v] === entry) return t.layer[v]!;
  return undefined;
}

/** The path's last version (its state after the top layer it was touched in). */
export function lastVersion(node: FsNode): Version | undefined {
  const t = tableOf(node);
  const v = t.last[node.id]!;
  return v < 0 ? undefined : t.version(v);
}

/** How `layer` changed this path; undefined when the path is absent both before and after it. */
export function changeAt(node: FsNode, layer: number): ChangeState | undefined {
  const t = tableOf(node);
  const own = t.in(node.id, layer);
  const after = entryAt(node, layer);
  if (own < 0) return after ? 'unchanged' : undefined;
  const before = layer > 0 ? entryAt(node, layer - 1) : null;
  if (t.entry[own] === null) return before ? 'removed' : undefined;
  return before ? 'modified' : 'added';
}

const implicitDir = (path: string): Entry => ({ path, kind: 'dir', size: 0, mode: 0o40755, uid: 0, gid: 0, mtime: 0, implicit: true });

class Index implements PathIndex {
  constructor(private readonly root: Node, private readonly nodes: readonly Node[]) {}
  get(path: string): FsNode | undefined {
    return walk(this.root, path);
  }
  has(path: string): boolean {
    return walk(this.root, path) !== undefined;
  }
  *keys(): IterableIterator<string> {
    for (const n of this.nodes) yield n.path;
  }
  get size(): number {
    return this.nodes.length;
  }
}

/** Finds a path by walking its segments from `root` (iteratively: depth is unbounded in a tar). */
function walk(root: Node, path: string): Node | undefined {
  if (path === '') return root;
  let node: Node | undefined = root;
  let start = 0;
  while (node) {
    const slash = path.indexOf('/', start);
    const name = slash < 0 ? path.slice(start) : path.slice(start, slash);
    node = node.children.get(name) as Node | undefined;
    if (slash < 0) return node;
    start = slash + 1;
  }
  return undefined;
}

/**
 * Applies the layers in order, as the OCI image spec describes: in each layer, whiteouts and opaque markers
 * first remove what the layers below left (whiteouts only apply to lower layers), then the layer's entries
 * are added. A non-directory written over a live directory removes the directory's subtree.
 * Every walk here is iterative: a tar can nest directories as deep as it likes.
 */
export function buildFileTree(layers: readonly Layer[]): FileTree {
  const table = new VersionTable();
  const root = new Node(0, '', '', null, table);
  const nodes: Node[] = [root];
  table.set(0, 0, implicitDir(''));
  const warnings: Warning[] = [];
  // One string per distinct name: tars repeat names (index.js, package.json) across thousands of directories.
  const names = new Map<string, string>();
  const intern = (s: string): string => {
    const had = names.get(s);
    if (had !== undefined) return had;
    names.set(s, s);
    return s;
  };

  const child = (parent: Node, name: string, path: string): Node => {
    let node = parent.children.get(name) as Node | undefined;
    if (!node) {
      const id = nodes.length;
      node = new Node(id, intern(name), path, parent, table);
      table.ensureNode(id);
      if (parent.children === NO_CHILDREN) parent.children = new Map();
      (parent.children as Map<string, FsNode>).set(node.name, node);
      nodes.push(node);
    }
    return node;
  };

  const lastEntry = (node: Node): Entry | null | undefined => {
    const v = table.last[node.id]!;
    return v < 0 ? undefined : table.entry[v];
  };
  const isLiveDir = (node: Node): boolean => lastEntry(node)?.kind === 'dir';

  const removeSubtree = (start: Node, layer: number, by: RemovedBy): void => {
    const stack: Node[] = [start];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (!lastEntry(node)) continue;
      table.set(node.id, layer, null, by);
      for (const c of node.children.values()) stack.push(c as Node);
    }
  };

  // Tars list a directory's entries together: the last directory resolved answers most lookups.
  let cachedDir = '';
  let cachedNode: Node = root;

  /** Makes sure `dir` is a live directory at `layer` (creating implicit ones down the chain) and returns its node. */
  const liveDir = (dir: string, layer: number): Node => {
    if (dir === '') return root;
    if (dir === cachedDir && isLiveDir(cachedNode)) return cachedNode;
    let node = root;
    let start = 0;
    for (;;) {
      const slash = dir.indexOf('/', start);
      const end = slash < 0 ? dir.length : slash;
      const path = slash < 0 ? dir : dir.slice(0, end);
      node = child(node, dir.slice(start, end), path);
      // Missing, removed, or a file where a directory is needed: the layer (re)creates it implicitly.
      if (!isLiveDir(node)) table.set(node.id, layer, implicitDir(node.path));
      if (slash < 0) break;
      start = slash + 1;
    }
    cachedDir = dir;
    cachedNode = node;
    return node;
  };

  /** The node of a path if it exists (live or not), without creating anything. */
  const lookup = (path: string): Node | undefined => {
    const dir = parentOf(path);
    const parent = dir === cachedDir ? cachedNode : walk(root, dir);
    return parent?.children.get(path.slice(dir === '' ? 0 : dir.length + 1)) as Node | undefined;
  };

  const entryNodes: (FsNode | undefined)[][] = [];
  layers.forEach((layer, index) => {
    const entries = layer.entries;
    const own: (FsNode | undefined)[] = new Array(entries.length);
    entryNodes.push(own);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.kind === 'whiteout') {
        const node = lookup(e.path);
        own[i] = node;
        if (node) removeSubtree(node, index, 'whiteout');
      } else if (e.kind === 'opaque') {
        const node = e.path === '' ? root : lookup(e.path);
        own[i] = node;
        if (node) for (const c of node.children.values()) removeSubtree(c as Node, index, 'opaque');
      }
    }
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.kind === 'whiteout' || e.kind === 'opaque' || e.path === '') continue;
      const node = child(liveDir(parentOf(e.path), index), baseName(e.path), e.path);
      own[i] = node;
      const lastV = table.last[node.id]!;
      const last = lastV < 0 ? undefined : table.entry[lastV];
      if (last && table.layer[lastV] === index && !last.implicit) {
        warnings.push({ code: 'duplicate-entry', message: `layer ${index} lists ${e.path} more than once; the last one wins`, layer: index, path: e.path });
      }
      if (e.kind !== 'dir' && last?.kind === 'dir' && table.layer[lastV]! < index) {
        for (const c of node.children.values()) removeSubtree(c as Node, index, 'replaced');
      }
      table.set(node.id, index, e);
    }
  });
  return { root, nodes, byPath: new Index(root, nodes), entryNodes, layerCount: layers.length, warnings };
}
