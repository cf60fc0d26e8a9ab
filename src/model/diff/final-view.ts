/**
 * What the path diff reads of one image's final filesystem, behind one interface: over the file tree itself
 * (`treeView`), or over a compact columnar table (`toTable` / `tableView`) that a loader thread can hand over
 * for the price of a few typed arrays and strings, instead of every entry of the image.
 */
import type { EntryKind } from '../entry.js';
import { versionAt, type FileTree } from '../file-tree.js';
import { FinalFs } from '../libc/final-fs.js';
import { subtreeSizesAt } from '../tree-sizes.js';
import type { PathSide } from './types.js';

export interface LiveRecord extends PathSide {
  /** Bytes of the data (a hard link: its target's), for telling contents apart. */
  readonly dataSize: number;
}

export interface FinalView {
  /** Every path any layer wrote (the root too, as the empty path), with the highest layer that touched it. */
  forEachPath(fn: (path: string, maxLayer: number) => void): void;
  /** The path's live version in the final filesystem, or null. */
  live(path: string): LiveRecord | null;
  /** The layer of the path's last version (its removal when it is not live); undefined when no layer had it. */
  lastLayer(path: string): number | undefined;
}

export function treeView(tree: FileTree): FinalView {
  const top = tree.layerCount - 1;
  const sizes = subtreeSizesAt(tree, top);
  const fs = new FinalFs(tree);
  return {
    forEachPath(fn) {
      for (let i = 0; i < tree.nodes.length; i++) {
        const n = tree.nodes[i]!;
        let max = -1;
        for (const v of n.versions) if (v.layer > max) max = v.layer;
        fn(n.path, max);
      }
    },
    live(path) {
      const node = tree.byPath.get(path);
      const v = node ? versionAt(node, top) : undefined;
      const e = v?.entry;
      if (!node || !v || !e) return null;
      // A hard link's bytes (and digest) are those of the entry it links to.
      const data = e.kind === 'hardlink' ? (fs.dataEntry(path) ?? e) : e;
      const sha = data.facts?.sha256;
      return {
        kind: e.kind,
        size: sizes[node.id] ?? 0,
        dataSize: data.size,
        mode: e.mode & 0o7777,
        uid: e.uid,
        gid: e.gid,
        ...(e.linkTarget !== undefined ? { linkTarget: e.linkTarget } : {}),
        ...(typeof sha === 'string' ? { sha256: sha } : {}),
        layer: v.layer,
      };
    },
    lastLayer(path) {
      const node = tree.byPath.get(path);
      return node && node.versions.length > 0 ? versionAt(node, top)?.layer : undefined;
    },
  };
}

const KINDS: readonly EntryKind[] = ['file', 'dir', 'symlink', 'hardlink', 'whiteout', 'opaque', 'other'];

/** A FinalView as plain columns (structured-clone friendly: strings and typed arrays). */
export interface FinalTable {
  /** Paths joined by NUL (a path never holds one). */
  readonly paths: string;
  readonly maxLayer: Int32Array;
  /** Last version's layer (-1: none). */
  readonly lastLayer: Int32Array;
  /** Kind index + 1 into KINDS; 0 when the path is not live. */
  readonly kind: Uint8Array;
  readonly layer: Int32Array;
  readonly size: Float64Array;
  readonly dataSize: Float64Array;
  readonly mode: Int32Array;
  readonly uid: Int32Array;
  readonly gid: Int32Array;
  /** Link targets and digests, NUL-joined, one slot per path ('' when none). */
  readonly links: string;
  readonly hasLink: Uint8Array;
  readonly sha: string;
}

export function toTable(view: FinalView): FinalTable {
  const paths: string[] = [];
  const max: number[] = [];
  view.forEachPath((p, m) => {
    paths.push(p);
    max.push(m);
  });
  const n = paths.length;
  const t = {
    maxLayer: Int32Array.from(max),
    lastLayer: new Int32Array(n),
    kind: new Uint8Array(n),
    layer: new Int32Array(n),
    size: new Float64Array(n),
    dataSize: new Float64Array(n),
    mode: new Int32Array(n),
    uid: new Int32Array(n),
    gid: new Int32Array(n),
    hasLink: new Uint8Array(n),
  };
  const links: string[] = new Array<string>(n);
  const sha: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const p = paths[i]!;
    t.lastLayer[i] = view.lastLayer(p) ?? -1;
    const r = view.live(p);
    links[i] = r?.linkTarget ?? '';
    sha[i] = r?.sha256 ?? '';
    if (!r) continue;
    t.kind[i] = KINDS.indexOf(r.kind) + 1;
    t.layer[i] = r.layer;
    t.size[i] = r.size;
    t.dataSize[i] = r.dataSize;
    t.mode[i] = r.mode;
    t.uid[i] = r.uid;
    t.gid[i] = r.gid;
    t.hasLink[i] = r.linkTarget !== undefined ? 1 : 0;
  }
  return { ...t, paths: paths.join('\0'), links: links.join('\0'), sha: sha.join('\0') };
}

export function tableView(t: FinalTable): FinalView {
  const paths = t.paths === '' ? [] : t.paths.split('\0');
  const links = t.links.split('\0');
  const sha = t.sha.split('\0');
  const index = new Map<string, number>();
  paths.forEach((p, i) => index.set(p, i));
  return {
    forEachPath(fn) {
      for (let i = 0; i < paths.length; i++) fn(paths[i]!, t.maxLayer[i]!);
    },
    live(path) {
      const i = index.get(path);
      if (i === undefined || t.kind[i] === 0) return null;
      return {
        kind: KINDS[t.kind[i]! - 1]!,
        size: t.size[i]!,
        dataSize: t.dataSize[i]!,
        mode: t.mode[i]!,
        uid: t.uid[i]!,
        gid: t.gid[i]!,
        ...(t.hasLink[i] ? { linkTarget: links[i]! } : {}),
        ...(sha[i] ? { sha256: sha[i]! } : {}),
        layer: t.layer[i]!,
      };
    },
    lastLayer(path) {
      const i = index.get(path);
      return i === undefined || t.lastLayer[i]! < 0 ? undefined : t.lastLayer[i];
    },
  };
}
