import { baseName, parentOf } from '../paths.js';
import type { FinalView, LiveRecord } from './final-view.js';
import type { ChangedAttr, DiffNode, PathChange, PathSide } from './types.js';

/** What differs between two live versions of a path; mtimes are ignored (every rebuild changes them). */
export function changedAttrs(a: LiveRecord, b: LiveRecord): ChangedAttr[] {
  const out: ChangedAttr[] = [];
  if (a.kind !== b.kind) out.push('kind');
  if (a.kind !== 'dir' && b.kind !== 'dir') {
    if (a.dataSize !== b.dataSize) out.push('content', 'size');
    else if (a.sha256 !== undefined && b.sha256 !== undefined && a.sha256 !== b.sha256) out.push('content');
  }
  if (a.mode !== b.mode) out.push('mode');
  if (a.uid !== b.uid || a.gid !== b.gid) out.push('owner');
  if ((a.kind === 'symlink' || b.kind === 'symlink') && a.linkTarget !== b.linkTarget) out.push('link');
  return out;
}

const side = (r: LiveRecord | null): PathSide | null => {
  if (!r) return null;
  const { dataSize: _d, ...s } = r;
  return s;
};

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
 * caused it. A path only the shared base layers ever wrote is the same in both, and is not looked at.
 */
export function diffTrees(
  A: FinalView,
  B: FinalView,
  sharedBase: number,
): { nodes: DiffNode[]; byPath: Map<string, DiffNode> } {
  const changed = new Map<string, Changed>();
  const seen = new Set<string>();
  const consider = (path: string, maxLayer: number): void => {
    if (maxLayer < sharedBase || path === '' || seen.has(path)) return;
    seen.add(path);
    const ea = A.live(path);
    const eb = B.live(path);
    if (!ea && !eb) return;
    if (!ea) {
      changed.set(path, { change: 'added', attrs: [], a: null, b: side(eb), layerB: eb!.layer });
      return;
    }
    if (!eb) {
      // Removed: by the B layer that deleted it, when B ever had it.
      changed.set(path, { change: 'removed', attrs: [], a: side(ea), b: null, layerB: B.lastLayer(path) ?? null });
      return;
    }
    const attrs = changedAttrs(ea, eb);
    if (attrs.length > 0) changed.set(path, { change: 'changed', attrs, a: side(ea), b: side(eb), layerB: eb.layer });
  };
  A.forEachPath(consider);
  B.forEachPath(consider);

  const nodes: DiffNode[] = [];
  const byPath = new Map<string, DiffNode>();
  const ensure = (path: string): DiffNode => {
    const hit = byPath.get(path);
    if (hit) return hit;
    const parent = path === '' ? null : ensure(parentOf(path));
    const c = changed.get(path);
    const a = c ? c.a : side(A.live(path));
    const b = c ? c.b : side(B.live(path));
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
