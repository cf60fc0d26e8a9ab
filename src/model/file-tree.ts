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
  readonly children: Map<string, FsNode>;
  readonly versions: Version[];
}

export type ChangeState = 'added' | 'modified' | 'removed' | 'unchanged';

/** Every path of every layer merged in one tree, with each path's history across the layers. */
export interface FileTree {
  readonly root: FsNode;
  /** All nodes, indexed by id (root is 0). Parents come before their children. */
  readonly nodes: readonly FsNode[];
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
  const root: FsNode = { id: nextId++, name: '', path: '', parent: null, children: new Map(), versions: [{ layer: 0, entry: implicitDir('') }] };
  const nodes: FsNode[] = [root];
  const warnings: Warning[] = [];

  const lookup = (path: string): FsNode | undefined => {
    if (path === '') return root;
    let node: FsNode | undefined = root;
    for (const part of path.split('/')) {
      node = node.children.get(part);
      if (!node) return undefined;
    }
    return node;
  };

  const child = (parent: FsNode, name: string): FsNode => {
    let node = parent.children.get(name);
    if (!node) {
      node = { id: nextId++, name, path: parent.path === '' ? name : `${parent.path}/${name}`, parent, children: new Map(), versions: [] };
      parent.children.set(name, node);
      nodes.push(node);
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

  /** Makes sure every ancestor of `path` is a live directory at `layer`, creating implicit ones. */
  const ensureParents = (path: string, layer: number): FsNode => {
    let node = root;
    if (path === '') return node;
    for (const part of parentOf(path) === '' ? [] : parentOf(path).split('/')) {
      node = child(node, part);
      const last = node.versions[node.versions.length - 1];
      if (!last || last.entry === null) setVersion(node, { layer, entry: implicitDir(node.path) });
      else if (last.entry.kind !== 'dir') {
        // A file where a directory is needed: the layer replaces it.
        setVersion(node, { layer, entry: implicitDir(node.path) });
      }
    }
    return child(node, baseName(path));
  };

  layers.forEach((layer, index) => {
    const seen = new Set<string>();
    for (const e of layer.entries) {
      if (e.kind === 'whiteout') {
        const node = lookup(e.path);
        if (node) removeSubtree(node, index, 'whiteout');
      } else if (e.kind === 'opaque') {
        const node = lookup(e.path);
        if (node) for (const c of node.children.values()) removeSubtree(c, index, 'opaque');
      }
    }
    for (const e of layer.entries) {
      if (e.kind === 'whiteout' || e.kind === 'opaque' || e.path === '') continue;
      if (seen.has(e.path)) warnings.push({ code: 'duplicate-entry', message: `layer ${index} lists ${e.path} more than once; the last one wins`, layer: index, path: e.path });
      seen.add(e.path);
      const node = ensureParents(e.path, index);
      const last = node.versions[node.versions.length - 1];
      if (e.kind !== 'dir' && last?.entry?.kind === 'dir' && last.layer < index) {
        for (const c of node.children.values()) removeSubtree(c, index, 'replaced');
      }
      setVersion(node, { layer: index, entry: e });
    }
  });
  return { root, nodes, layerCount: layers.length, warnings };
}
