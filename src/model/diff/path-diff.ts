import type { Entry } from '../entry.js';
import { entryAt, versionAt, type FileTree, type FsNode } from '../file-tree.js';
import { FinalFs } from '../libc/final-fs.js';
import { baseName, parentOf } from '../paths.js';
import { subtreeSizesAt } from '../tree-sizes.js';
import type { ChangedAttr, DiffNode, PathChange, PathSide } from './types.js';

interface Side {
  readonly tree: FileTree;
  readonly top: number;
  readonly sizes: Float64Array;
  readonly fs: FinalFs;
}

const sideOf = (tree: FileTree): Side => ({
  tree,
  top: tree.layerCount - 1,
  sizes: subtreeSizesAt(tree, tree.layerCount - 1),
  fs: new FinalFs(tree),
});

function pathSide(s: Side, node: FsNode, e: Entry): PathSide {
  // A hard link's bytes (and digest) are those of the entry it links to.
  const data = e.kind === 'hardlink' ? (s.fs.dataEntry(node.path) ?? e) : e;
  const sha = data.facts?.sha256;
  return {
    kind: e.kind,
    size: s.sizes[node.id] ?? 0,
    mode: e.mode & 0o7777,
    uid: e.uid,
    gid: e.gid,
    ...(e.linkTarget !== undefined ? { linkTarget: e.linkTarget } : {}),
    ...(typeof sha === 'string' ? { sha256: sha } : {}),
    layer: versionAt(node, s.top)?.layer ?? 0,
  };
}

/** What differs between two live versions of a path; mtimes are ignored (every rebuild changes them). */
export function changedAttrs(a: PathSide, b: PathSide, aData: Entry, bData: Entry): ChangedAttr[] {
  const out: ChangedAttr[] = [];
  if (a.kind !== b.kind) out.push('kind');
  if (a.kind !== 'dir' && b.kind !== 'dir') {
    const sizeA = aData.size;
    const sizeB = bData.size;
    if (sizeA !== sizeB) out.push('content', 'size');
    else if (a.sha256 !== undefined && b.sha256 !== undefined && a.sha256 !== b.sha256) out.push('content');
  }
  if (a.mode !== b.mode) out.push('mode');
  if (a.uid !== b.uid || a.gid !== b.gid) out.push('owner');
  if ((a.kind === 'symlink' || b.kind === 'symlink') && a.linkTarget !== b.linkTarget) out.push('link');
  return out;
}

/** A path is worth comparing unless only the shared base layers ever wrote it (then it is the same in both). */
const touchedAbove = (node: FsNode, base: number): boolean => node.versions.some((v) => v.layer >= base);

interface Changed {
  change: PathChange;
  attrs: ChangedAttr[];
  a: PathSide | null;
  b: PathSide | null;
  layerB: number | null;
}

/**
 * The final filesystems of A and B compared path by path, as a tree of the differences: every changed path and
 * the directories above it, each with its size delta (directories: the subtree delta) and the layer of B that
 * caused it.
 */
export function diffTrees(
  treeA: FileTree,
  treeB: FileTree,
  sharedBase: number,
): { nodes: DiffNode[]; byPath: Map<string, DiffNode> } {
  const A = sideOf(treeA);
  const B = sideOf(treeB);
  const changed = new Map<string, Changed>();
  const consider = (path: string): void => {
    if (changed.has(path) || path === '') return;
    const na = treeA.byPath.get(path);
    const nb = treeB.byPath.get(path);
    const ea = na ? entryAt(na, A.top) : null;
    const eb = nb ? entryAt(nb, B.top) : null;
    if (!ea && !eb) return;
    if (!ea) {
      changed.set(path, {
        change: 'added',
        attrs: [],
        a: null,
        b: pathSide(B, nb!, eb!),
        layerB: versionAt(nb!, B.top)!.layer,
      });
      return;
    }
    const sa = pathSide(A, na!, ea);
    if (!eb) {
      // Removed: by the B layer that deleted it, when B ever had it.
      const gone = nb ? versionAt(nb, B.top) : undefined;
      changed.set(path, { change: 'removed', attrs: [], a: sa, b: null, layerB: gone ? gone.layer : null });
      return;
    }
    const sb = pathSide(B, nb!, eb);
    const da = ea.kind === 'hardlink' ? (A.fs.dataEntry(path) ?? ea) : ea;
    const db = eb.kind === 'hardlink' ? (B.fs.dataEntry(path) ?? eb) : eb;
    const attrs = changedAttrs(sa, sb, da, db);
    if (attrs.length > 0) changed.set(path, { change: 'changed', attrs, a: sa, b: sb, layerB: sb.layer });
  };
  for (const n of treeA.nodes) if (touchedAbove(n, sharedBase)) consider(n.path);
  for (const n of treeB.nodes) if (touchedAbove(n, sharedBase)) consider(n.path);

  const nodes: DiffNode[] = [];
  const byPath = new Map<string, DiffNode>();
  const dirSide = (s: Side, path: string): PathSide | null => {
    const node = s.tree.byPath.get(path);
    const e = node ? entryAt(node, s.top) : null;
    return node && e ? pathSide(s, node, e) : null;
  };
  const ensure = (path: string): DiffNode => {
    const hit = byPath.get(path);
    if (hit) return hit;
    const parent = path === '' ? null : ensure(parentOf(path));
    const c = changed.get(path);
    const a = c ? c.a : dirSide(A, path);
    const b = c ? c.b : dirSide(B, path);
    const node: DiffNode = {
      id: nodes.length,
      path,
      name: path === '' ? '' : baseName(path),
      parent: parent ? parent.id : null,
      children: [],
      ...(c ? { change: c.change } : {}),
      attrs: c?.attrs ?? [],
      a,
      b,
      delta: (b?.size ?? 0) - (a?.size ?? 0),
      isDir: (b ?? a)?.kind === 'dir',
      layerB: c?.layerB ?? null,
      added: 0,
      removed: 0,
      changed: 0,
    };
    nodes.push(node);
    byPath.set(path, node);
    parent?.children.push(node.id);
    return node;
  };
  ensure('');
  for (const path of [...changed.keys()].sort()) ensure(path);
  attribute(nodes, changed);
  return { nodes, byPath };
}

/** Rolls counts and per-layer growth up the tree; a directory's layerB is the B layer that grew it most. */
function attribute(nodes: DiffNode[], changed: ReadonlyMap<string, Changed>): void {
  const byLayer: (Map<number, number> | undefined)[] = new Array(nodes.length);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    const c = changed.get(n.path);
    if (c) {
      if (c.change === 'added') n.added++;
      else if (c.change === 'removed') n.removed++;
      else n.changed++;
      // A directory's own delta is its subtree's: only leaves carry bytes to their layer.
      if (!n.isDir && c.layerB !== null && n.delta !== 0) {
        const m = (byLayer[i] ??= new Map());
        m.set(c.layerB, (m.get(c.layerB) ?? 0) + n.delta);
      }
    }
    if (n.isDir && n.children.length > 0) {
      const m = byLayer[i];
      if (m && m.size > 0) {
        let best: [number, number] | undefined;
        for (const e of m) {
          const score = n.delta >= 0 ? e[1] : -e[1];
          if (!best || score > best[1]) best = [e[0], score];
        }
        if (n.change === undefined || n.layerB === null) n.layerB = best![0];
      }
    }
    if (n.parent !== null) {
      const p = nodes[n.parent]!;
      p.added += n.added;
      p.removed += n.removed;
      p.changed += n.changed;
      const m = byLayer[i];
      if (m) {
        const pm = (byLayer[n.parent] ??= new Map());
        for (const [l, bytes] of m) pm.set(l, (pm.get(l) ?? 0) + bytes);
      }
    }
  }
}
