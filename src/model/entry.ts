/**
 * One record of a layer tar, normalised. Paths have no leading `/` or `./` and no trailing `/`.
 * An image's layers hold their entries as views over columns (entry-table.ts); any object of this shape is one.
 */
export type EntryKind = 'file' | 'dir' | 'symlink' | 'hardlink' | 'whiteout' | 'opaque' | 'other';

export interface Entry {
  /** Normalised path. For a whiteout: the path it deletes. For an opaque marker: the directory made opaque. */
  readonly path: string;
  readonly kind: EntryKind;
  /** Size from the tar header (0 for hard links, directories, whiteouts). */
  readonly size: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtime: number;
  /** Symlink target as written; hard-link target as a normalised path in the same layer. */
  readonly linkTarget?: string | undefined;
  /** What content analysers learnt from the bytes as they streamed by. */
  facts?: ContentFacts | undefined;
  /** True for parent directories that the layer tar did not list but its children imply. */
  readonly implicit?: boolean;
}

/**
 * Facts that content analysers attach to an entry. Each analyser owns one optional field; later
 * analyses (ELF, digests) add theirs here so that everything reads a single typed record.
 */
export interface ContentFacts {
  /** Hex sha256 of the file's bytes. */
  sha256?: string;
  /** Results of other analysers, keyed by analyser name. */
  [analyser: string]: unknown;
}

export const isDataBearing = (e: Entry): boolean => e.kind === 'file' || e.kind === 'symlink' || e.kind === 'other';
