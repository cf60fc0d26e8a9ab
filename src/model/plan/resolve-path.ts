import type { Entry } from '../entry.js';
import { normaliseName, parentOf } from '../paths.js';

/** Looks a normalised path up in some filesystem view (the final one, or the final one after a plan). */
export type Lookup = (path: string) => Entry | undefined;

const MAX_LINKS = 40;

/**
 * Follows symlinks inside the image (never outside: `..` stops at the root, absolute targets restart at the
 * image root), like the kernel does for a path inside a container. Returns the normalised path of the final
 * non-symlink entry, or undefined when some component is missing.
 */
export function resolveInImage(lookup: Lookup, path: string): string | undefined {
  let pending = path.split('/').filter((s) => s !== '' && s !== '.');
  let done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    const here = [...done, part].join('/');
    const e = lookup(here);
    if (!e) return undefined;
    if (e.kind === 'symlink' && e.linkTarget !== undefined) {
      if (++hops > MAX_LINKS) return undefined;
      const target = e.linkTarget;
      const parts = target.split('/').filter((s) => s !== '' && s !== '.');
      if (target.startsWith('/')) done = [];
      pending = [...parts, ...pending];
      continue;
    }
    if (pending.length > 0 && e.kind !== 'dir') return undefined;
    done.push(part);
  }
  return done.join('/');
}

/** `$ORIGIN` expansion and normalisation of one rpath entry, relative to the object at `objectPath`. */
export function expandRpath(entry: string, objectPath: string): string | undefined {
  const expanded = entry.replace(/\$(ORIGIN|\{ORIGIN\})/g, `/${parentOf(objectPath)}`);
  if (!expanded.startsWith('/')) return undefined;
  const parts: string[] = [];
  for (const p of expanded.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  const n = normaliseName(parts.join('/'));
  return n.ok ? n.path : undefined;
}
