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
  /** Children by name. Leaves share one empty map until they get a child (200,000 maps cost memory). */
  readonly children: ReadonlyMap<string, FsNode>;
  readonly versions: Version[];
}

const NO_CHILDREN: ReadonlyMap<string, FsNode> = new Map();

export type ChangeState = 'added' | 'modified' | 'removed' | 'unchanged';

/** Every path of every layer merged in one tree, with each path's history across the layers. */
export interface FileTree {
  readonly root: FsNode;
  /** All nodes, indexed by id (root is 0). Parents come before their children. */
  readonly nodes: readonly FsNode[];
  /** Every node by its path, for O(1) lookups. */
  readonly byPath: ReadonlyMap<string, FsNode>;
  /** For each layer, the node of each of its entries (same order as `layer.entries`). */
  readonly entryNodes: readonly (readonly (FsNode | undefined)[])[];
  readonly layerCount: number;
  readonly warnings: readonly Warning[];
}

const implicitDir = (path: string): Entry => ({ path, kind: 'dir', size: 0, mode: 0o40755, uid: 0, gid: 0, mtime: 0, implicit: true });

/** The version in force at `layer` (the last one at or below it), or undefined when the path did not exist yet. */
export function versionAt(node: FsNode, layer: number): Version | undefined {
  const v = node.versions;
  for (let i = v.length - 1; i >= 0; i--) {
    const version = v[i]!;
    if (version.layer <= layer) return version;
  }
  return undefined;
}

/** The entry live at `layer`, or null when the path does not exist in the filesystem after that layer. */
export const entryAt = (node: FsNode, layer: number): Entry | null => versionAt(node, layer)?.entry ?? null;

/** The version written by exactly `layer`, if any. */
export function versionIn(node: FsNode, layer: number): Version | undefined {
  for (const v of node.versions) if (v.layer === layer) return v;
  return undefined;
}

/** How `layer` changed this path; undefined when the path is absent both before and after it. */
export function changeAt(node: FsNode, layer: number): ChangeState | undefined {
  const own = versionIn(node, layer);
  const after = entryAt(node, layer);
  if (!own) return after ? 'unchanged' : undefined;
  const before = layer > 0 ? entryAt(node, layer - 1) : null;
  if (own.entry === null) return before ? 'removed' : undefined;
  return before ? 'modified' : 'added';
}

/**
 * Applies the layers in order, as the OCI image spec describes: in each layer, whiteouts and opaque markers
 * first remove what the layers below left (whiteouts only apply to lower layers), then the layer's entries
 * are added. A non-directory written over a live directory removes the directory's subtree.
 */
export function buildFileTree(layers: readonly Layer[]): FileTree {
  let nextId = 0;
  const root: FsNode = { id: nextId++, name: '', path: '', parent: null, children: NO_CHILDREN, versions: [{ layer: 0, entry: implicitDir('') }] };
  const nodes: FsNode[] = [root];
  const warnings: Warning[] = [];

  const byPath = new Map<string, FsNode>([['', root]]);
  const lookup = (path: string): FsNode | undefined => byPath.get(path);

  const child = (parent: FsNode, name: string): FsNode => {
    let node = parent.children.get(name);
    if (!node) {
      const path = parent.path === '' ? name : `${parent.path}/${name}`;
      node = { id: nextId++, name, path, parent, children: NO_CHILDREN, versions: [] };
      if (parent.children === NO_CHILDREN) (parent as unknown as { children: Map<string, FsNode> }).children = new Map();
      (parent.children as Map<string, FsNode>).set(name, node);
      nodes.push(node);
      byPath.set(path, node);
    }
    return node;
  };

  const isLive = (node: FsNode): boolean => {
    const last = node.versions[node.versions.length - 1];
    return last !== undefined && last.entry !== null;
  };

  const setVersion = (node: FsNode, version: Version): void => {
    const last = node.versions[node.versions.length - 1];
    if (last && last.layer === version.layer) node.versions[node.versions.length - 1] = version;
    else node.versions.push(version);
  };

  const removeSubtree = (node: FsNode, layer: number, by: Version['removedBy']): void => {
    if (!isLive(node)) return;
    setVersion(node, { layer, entry: null, removedBy: by });
    for (const c of node.children.values()) removeSubtree(c, layer, by);
  };

  /** Makes sure `dir` is a live directory at `layer` (creating implicit ones up the chain) and returns its node. */
  const liveDir = (dir: string, layer: number): FsNode => {
    if (dir === '') return root;
    let node = byPath.get(dir);
    const last = node?.versions[node.versions.length - 1];
    if (node && last && last.entry !== null && last.entry.kind === 'dir') return node;
    const parent = liveDir(parentOf(dir), layer);
    node ??= child(parent, baseName(dir));
    // Missing, removed, or a file where a directory is needed: the layer (re)creates it implicitly.
    setVersion(node, { layer, entry: implicitDir(node.path) });
    return node;
  };

  const entryNodes: (FsNode | undefined)[][] = [];
  layers.forEach((layer, index) => {
    const own: (FsNode | undefined)[] = new Array(layer.entries.length);
    entryNodes.push(own);
    layer.entries.forEach((e, i) => {
      if (e.kind === 'whiteout') {
        const node = lookup(e.path);
        own[i] = node;
        if (node) removeSubtree(node, index, 'whiteout');
      } else if (e.kind === 'opaque') {
        const node = lookup(e.path);
        own[i] = node;
        if (node) for (const c of node.children.values()) removeSubtree(c, index, 'opaque');
      }
    });
    layer.entries.forEach((e, i) => {
      if (e.kind === 'whiteout' || e.kind === 'opaque' || e.path === '') return;
      const node = byPath.get(e.path) ?? child(liveDir(parentOf(e.path), index), baseName(e.path));
      if (node.parent) liveDir(node.parent.path, index);
      own[i] = node;
      const last = node.versions[node.versions.length - 1];
      if (last && last.layer === index && last.entry && !last.entry.implicit) {
        warnings.push({ code: 'duplicate-entry', message: `layer ${index} lists ${e.path} more than once; the last one wins`, layer: index, path: e.path });
      }
      if (e.kind !== 'dir' && last?.entry?.kind === 'dir' && last.layer < index) {
        for (const c of node.children.values()) removeSubtree(c, index, 'replaced');
      }
      setVersion(node, { layer: index, entry: e });
    });
  });
  return { root, nodes, byPath, entryNodes, layerCount: layers.length, warnings };
}
