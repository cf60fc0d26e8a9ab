/**
 * The image's final filesystem as the kernel and the loaders see it: path lookup that follows symlinks
 * inside the image (absolute targets from the image root, relative ones from the link's directory, `..`
 * clamped at the root, at most MAX_LINKS links per lookup), hard links to their data, and the layer each path
 * lives in. Lookups are memoised.
 */
import type { Entry } from '../entry.js';
import { entryAt, versionAt, versionIn, type FileTree, type FsNode } from '../file-tree.js';

/** Linux's limit on symlinks followed in one lookup. */
export const MAX_LINKS = 40;

export type Lookup =
  | { ok: true; path: string; node: FsNode; entry: Entry; layer: number }
  | { ok: false; reason: 'missing' | 'loop' | 'not-a-directory' };

export class FinalFs {
  private readonly top: number;
  private readonly memo = new Map<string, Lookup>();

  constructor(readonly tree: FileTree) {
    this.top = tree.layerCount - 1;
  }

  /** The live entry at exactly this path (no symlink following), or null. */
  entryAt(path: string): Entry | null {
    const node = this.tree.byPath.get(path);
    return node ? entryAt(node, this.top) : null;
  }

  /** The layer whose version of the path is live in the final filesystem. */
  layerOf(path: string): number | undefined {
    const node = this.tree.byPath.get(path);
    return node ? this.layerOfNode(node) : undefined;
  }

  /** `layerOf` for a node in hand (no path lookup). */
  layerOfNode(node: FsNode): number | undefined {
    const v = versionAt(node, this.top);
    return v && v.entry ? v.layer : undefined;
  }

  /** For a hard link, the entry holding its data (the target as written in the same layer); else the entry. */
  dataEntry(path: string): Entry | null {
    const node = this.tree.byPath.get(path);
    return node ? this.dataEntryOf(node) : null;
  }

  /**
   * `dataEntry` for a node in hand: the passes over every node and the probes of resolved paths call this, and a
   * path lookup each was a fifth of the binaries report on the bench's 83k-entry image.
   */
  dataEntryOf(node: FsNode): Entry | null {
    const v = versionAt(node, this.top);
    const e = v?.entry ?? null;
    if (!e || e.kind !== 'hardlink' || !e.linkTarget) return e;
    const t = this.tree.byPath.get(e.linkTarget);
    const te = t ? (versionIn(t, v!.layer)?.entry ?? null) : null;
    return te ?? e;
  }

  /** Resolves an absolute or root-relative path, following every symlink (also in the last component). */
  resolve(path: string): Lookup {
    // Memoised by the path as asked too: most lookups repeat, and normalising each was most of their cost.
    const asked = this.memo.get(path);
    if (asked) return asked;
    const key = normalise(path);
    const r = this.memo.get(key) ?? this.walk(key);
    this.memo.set(key, r);
    this.memo.set(path, r);
    return r;
  }

  /** Live names in a directory (after following symlinks to it). */
  list(dir: string): string[] {
    const r = this.resolve(dir);
    if (!r.ok || r.entry.kind !== 'dir') return [];
    const out: string[] = [];
    for (const [name, child] of r.node.children) if (entryAt(child, this.top)) out.push(name);
    return out.sort();
  }

  exists(path: string): boolean {
    return this.resolve(path).ok;
  }

  isDir(path: string): boolean {
    const r = this.resolve(path);
    return r.ok && r.entry.kind === 'dir';
  }

  private walk(path: string): Lookup {
    const pending = path === '' ? [] : path.split('/');
    const done: string[] = [];
    let links = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        done.pop();
        continue;
      }
      const cur = done.length === 0 ? part : `${done.join('/')}/${part}`;
      const node = this.tree.byPath.get(cur);
      const e = node ? entryAt(node, this.top) : null;
      if (!node || !e) return { ok: false, reason: 'missing' };
      if (e.kind === 'symlink') {
        if (++links > MAX_LINKS) return { ok: false, reason: 'loop' };
        const target = e.linkTarget ?? '';
        if (target === '') return { ok: false, reason: 'missing' };
        if (target.startsWith('/')) done.length = 0;
        pending.unshift(...target.split('/'));
        continue;
      }
      if (pending.some((p) => p !== '' && p !== '.') && e.kind !== 'dir')
        return { ok: false, reason: 'not-a-directory' };
      done.push(part);
    }
    const final = done.join('/');
    const node = this.tree.byPath.get(final)!;
    const version = versionAt(node, this.top)!;
    return { ok: true, path: final, node, entry: version.entry!, layer: version.layer };
  }
}

/** `/a//b/./c` → `a/b/c` (`..` kept for the walk to handle). */
export function normalise(path: string): string {
  // Most paths asked for are clean already, or absolute and clean after the root: no split and join for them.
  if (isClean(path)) return path;
  if (path.charCodeAt(0) === 0x2f) {
    let i = 1;
    while (path.charCodeAt(i) === 0x2f) i++;
    const rest = path.slice(i);
    if (isClean(rest)) return rest;
  }
  return path
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}

/** No empty or `.` segment (so no leading, trailing or doubled `/`). */
function isClean(path: string): boolean {
  if (path === '') return true;
  let start = 0;
  for (;;) {
    const slash = path.indexOf('/', start);
    const end = slash < 0 ? path.length : slash;
    if (end === start || (end === start + 1 && path.charCodeAt(start) === 0x2e)) return false;
    if (slash < 0) return true;
    start = slash + 1;
  }
}

/** Joins a directory (absolute or root-relative) and a name into a root-relative path. */
export const joinRel = (dir: string, name: string): string => {
  const d = normalise(dir);
  return d === '' ? normalise(name) : `${d}/${normalise(name)}`;
};

export const dirOf = (path: string): string => {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
};
