/** The comparison of two images (A: before, B: after). Pure data; every output (TUI, --json, --summary, --ci) reads it. */
import type { EntryKind } from '../entry.js';
import type { Severity } from '../libc/findings.js';

/** How B's layer stack lines up with A's, by diff_id. */
export interface LayerPair {
  /** Index in A, or null when B has a layer A does not. */
  readonly a: number | null;
  /** Index in B, or null when A has a layer B does not. */
  readonly b: number | null;
  readonly diffId: string | null;
  /**
   * 'shared': the same diff_id at the same depth of a common base (every layer below is shared too): both
   * filesystems are identical up to here, so the path diff skips what only these layers wrote.
   * 'same-content': the same diff_id elsewhere in the stack (reordered, or above a differing layer).
   * 'only-a' / 'only-b': the layer is in one image only.
   */
  readonly status: 'shared' | 'same-content' | 'only-a' | 'only-b';
}

export type PathChange = 'added' | 'removed' | 'changed';
/** What differs about a path present in both images. */
export type ChangedAttr = 'kind' | 'content' | 'size' | 'mode' | 'owner' | 'link';

export interface PathSide {
  readonly kind: EntryKind;
  /** Bytes the path holds (a directory: its whole subtree). */
  readonly size: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly linkTarget?: string;
  readonly sha256?: string;
  /** The layer whose version is live in this image's final filesystem. */
  readonly layer: number;
}

/** One node of the difference tree: a changed path, or a directory holding changed paths. */
export interface DiffNode {
  readonly id: number;
  /** Root-relative path ('' for the root). */
  readonly path: string;
  readonly name: string;
  readonly parent: number | null;
  readonly children: number[];
  /** undefined for a directory that is in both images with the same attributes (it only holds changes). */
  readonly change?: PathChange;
  readonly attrs: readonly ChangedAttr[];
  readonly a: PathSide | null;
  readonly b: PathSide | null;
  /** size in B − size in A (directories: the subtree delta). */
  readonly delta: number;
  readonly isDir: boolean;
  /**
   * The layer of B that caused the change: the one that wrote B's version (added, changed), or that deleted the
   * path (removed; null when B never had it, i.e. only A's layers wrote it). For directories: the B layer that
   * contributed most of the growth below (largest |delta| when nothing grew).
   */
  layerB: number | null;
  /** Counts of changed paths below (and including) this node. */
  added: number;
  removed: number;
  changed: number;
}

export interface BinaryChange {
  readonly path: string;
  readonly fields: readonly ('libc' | 'needed' | 'verdict' | 'go' | 'stripped')[];
  readonly a: BinarySide;
  readonly b: BinarySide;
}

export interface BinarySide {
  readonly libc: string;
  readonly needed: readonly string[];
  readonly verdict: string | null;
  readonly verdictReason: string | null;
  readonly go: Readonly<Record<string, string>> | null;
  readonly stripped: boolean;
  readonly sizeBytes: number;
}

export interface FindingRef {
  readonly severity: Severity;
  readonly code: string;
  readonly path: string;
  readonly evidence: string;
  readonly fix: string;
}

export interface ImageSide {
  readonly reference: string;
  readonly id: string | null;
  readonly layerCount: number;
  readonly sizeBytes: number;
  readonly reclaimableBytes: number;
  readonly wastedBytes: number;
  readonly efficiency: number;
  readonly findingCount: number;
  /** False when the ELF analyser did not run on this image. */
  readonly binariesAnalysed: boolean;
  /** True when every regular file with content has a sha256 (content changes of same-size files are seen). */
  readonly digests: boolean;
}

export interface ImageDiff {
  readonly a: ImageSide;
  readonly b: ImageSide;
  readonly layers: readonly LayerPair[];
  /** Length of the common base (layers 0..sharedBase-1 are 'shared'). */
  readonly sharedBase: number;
  /** The difference tree; nodes[0] is the root. Parents come before their children. */
  readonly nodes: readonly DiffNode[];
  readonly byPath: ReadonlyMap<string, DiffNode>;
  /** Changed paths, not directories that only hold changes; largest growth first. */
  readonly paths: readonly DiffNode[];
  readonly binaries: readonly BinaryChange[];
  readonly findings: { readonly new: readonly FindingRef[]; readonly resolved: readonly FindingRef[] };
  /** Commands of B's layers (short form), for attributions. */
  readonly commandsB: readonly string[];
}
