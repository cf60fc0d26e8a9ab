import { existsSync } from 'node:fs';
import type { SourceKind } from '../../model/image.js';
import { SOURCE_TABLE, sourceRow, type PathClass } from './source-table.js';

/** Where an image comes from, as the user named it. */
export interface SourceSpec {
  readonly kind: SourceKind;
  /** A reference for engines, a path for files and dirs. */
  readonly location: string;
  /** For archives and layouts: the `name:tag` to pick when several images are inside. */
  readonly tag?: string;
}

export { SOURCE_NAMES } from './source-table.js';

/**
 * `path[:tag]` for layouts and archives (skopeo's syntax). A tag has a colon of its own (`FILE:name:tag`) and a
 * path may too, so the longest prefix that exists on disk is the path; when none exists, the last `:` splits.
 */
function splitTag(rest: string, kind: SourceKind): { location: string; tag?: string } {
  if (!sourceRow(kind).takesTag || rest === '-' || existsSync(rest)) return { location: rest };
  for (let i = rest.lastIndexOf(':'); i > 0; i = rest.lastIndexOf(':', i - 1)) {
    if (existsSync(rest.slice(0, i)))
      return i + 1 < rest.length
        ? { location: rest.slice(0, i), tag: rest.slice(i + 1) }
        : { location: rest.slice(0, i) };
  }
  const i = rest.lastIndexOf(':');
  if (i <= 0 || rest.slice(i + 1).includes('/')) return { location: rest };
  return { location: rest.slice(0, i), tag: rest.slice(i + 1) };
}

/**
 * Reads an explicit transport prefix (the longest that matches). Without one, `classify` (given what exists on
 * disk) decides, and the table says which kind claims that class: a file is an archive, a directory with
 * index.json an OCI layout, another directory a rootfs, anything else an engine reference.
 */
export function parseSourceArg(
  arg: string,
  forced: SourceKind | undefined,
  classify: (p: string) => PathClass,
): SourceSpec {
  let best: { prefix: string; kind: SourceKind } | undefined;
  for (const row of SOURCE_TABLE)
    for (const prefix of row.prefixes)
      if (arg.startsWith(prefix) && prefix.length > (best?.prefix.length ?? 0)) best = { prefix, kind: row.kind };
  if (best) return { kind: forced ?? best.kind, ...splitTag(arg.slice(best.prefix.length), best.kind) };
  if (forced) return { kind: forced, ...splitTag(arg, forced) };
  const what = classify(arg);
  const row = SOURCE_TABLE.find((r) => r.bare === what) ?? SOURCE_TABLE.find((r) => r.bare === 'none')!;
  return { kind: row.kind, location: arg };
}
