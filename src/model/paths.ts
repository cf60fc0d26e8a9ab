/** Path normalisation for tar entry names. Names are data: `..` is reported, never followed. */

export type NormalisedName = { ok: true; path: string } | { ok: false; reason: 'parent-reference' | 'empty' };

/** `./usr//bin/` → `usr/bin`; `/etc/x` → `etc/x`; `./` → `` (the root). Rejects any `..` segment. */
const NEEDS_WORK = /(?:^|\/)\.{1,2}(?:\/|$)|\/\/|^\//;

export function normaliseName(name: string): NormalisedName {
  // Fast path: most names are already clean (at most a trailing slash on directories).
  const trimmed = name.endsWith('/') ? name.slice(0, -1) : name;
  if (!NEEDS_WORK.test(trimmed)) return { ok: true, path: trimmed };
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return { ok: false, reason: 'parent-reference' };
    parts.push(part);
  }
  return { ok: true, path: parts.join('/') };
}

export const parentOf = (path: string): string => {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
};

export const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

export const joinPath = (dir: string, name: string): string => (dir === '' ? name : `${dir}/${name}`);

/** Bytes of a tar name that were not UTF-8 are kept as lone surrogates U+DC80–U+DCFF (see io/tar-name.ts). */
const ESCAPED_BYTE = /[\udc80-\udcff]/gu; // u: a surrogate pair is one code point, only lone ones match

/** A name for people: bytes that were not UTF-8 shown as `\xNN` (the model keeps them distinct). */
export const escapeName = (name: string): string =>
  name.replace(ESCAPED_BYTE, (c) => `\\x${(c.charCodeAt(0) - 0xdc00).toString(16).padStart(2, '0')}`);

/** Display form used in outputs, like dive: a leading slash; non-UTF-8 bytes escaped. */
export const displayPath = (path: string): string => `/${escapeName(path)}`;

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';

export type WhiteoutInfo =
  { kind: 'whiteout'; target: string } | { kind: 'opaque'; dir: string } | { kind: 'meta' } | null;

/** Classifies a normalised path as a whiteout (deleting `target`), an opaque marker, aufs metadata, or a plain name. */
export function whiteoutOf(path: string): WhiteoutInfo {
  const base = baseName(path);
  if (!base.startsWith(WHITEOUT_PREFIX)) return null;
  const dir = parentOf(path);
  if (base === OPAQUE_MARKER) return { kind: 'opaque', dir };
  if (base.startsWith('.wh..wh.')) return { kind: 'meta' };
  const name = base.slice(WHITEOUT_PREFIX.length);
  if (name === '' || name === '.' || name === '..') return { kind: 'meta' };
  return { kind: 'whiteout', target: joinPath(dir, name) };
}
