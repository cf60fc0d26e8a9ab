/**
 * THE table of image sources: each kind's `--source` name, its prefixes, whether it takes a `:tag` after its
 * path, which bare arguments it claims, and how to open it. Each module is imported only when its kind is
 * used (so dockerode and ssh2 load only for engine sources). Adding a source is one module plus one row here.
 */
import type { SourceKind } from '../../model/image.js';
import type { ImageSource } from './image-source.js';
import type { SourceSpec } from './source-spec.js';

/** What a bare argument names on disk (see load-image.ts `classifyPath`). */
export type PathClass = 'file' | 'oci-dir' | 'dir' | 'none';

export interface SourceRow {
  /** The `--source` name, and `Image.source`. */
  readonly kind: SourceKind;
  /** Explicit transport prefixes (skopeo's spelling where it has one). */
  readonly prefixes: readonly string[];
  /** `path[:tag]`: a tag may follow the location (archives and layouts holding several images). */
  readonly takesTag: boolean;
  /** The bare argument this kind is chosen for, when nothing else says. */
  readonly bare?: PathClass;
  readonly open: (spec: SourceSpec) => Promise<ImageSource>;
}

export const SOURCE_TABLE: readonly SourceRow[] = [
  {
    kind: 'docker',
    prefixes: ['docker://', 'docker-daemon:'],
    takesTag: false,
    bare: 'none',
    open: async (s) => (await import('./engine.js')).open(s),
  },
  {
    kind: 'podman',
    prefixes: ['podman://'],
    takesTag: false,
    open: async (s) => (await import('./engine.js')).open(s),
  },
  {
    kind: 'docker-archive',
    prefixes: ['docker-archive:'],
    takesTag: true,
    bare: 'file',
    open: async (s) => (await import('./docker-archive.js')).open(s),
  },
  {
    kind: 'oci-archive',
    prefixes: ['oci-archive:'],
    takesTag: true,
    open: async (s) => (await import('./oci-archive.js')).open(s),
  },
  {
    kind: 'oci-dir',
    prefixes: ['oci:'],
    takesTag: true,
    bare: 'oci-dir',
    open: async (s) => (await import('./oci-dir.js')).open(s),
  },
  {
    kind: 'dir',
    prefixes: ['dir:'],
    takesTag: false,
    bare: 'dir',
    open: async (s) => (await import('./dir.js')).open(s),
  },
  {
    kind: 'registry',
    prefixes: ['registry://'],
    takesTag: false,
    open: async (s) => (await import('./registry.js')).open(s),
  },
];

export const SOURCE_NAMES: readonly SourceKind[] = SOURCE_TABLE.map((r) => r.kind);

export function sourceRow(kind: SourceKind): SourceRow {
  const row = SOURCE_TABLE.find((r) => r.kind === kind);
  if (!row) throw new Error(`no source row for ${kind}`);
  return row;
}

/** Opens the source a spec names (nothing is read yet). */
export const openSource = (spec: SourceSpec): Promise<ImageSource> => sourceRow(spec.kind).open(spec);
