/**
 * The ports between the adapters (src/io) and the explorer (src/ui): declared once, here, as types only, so
 * both sides name the same thing and neither imports the other. The CLI wires io's implementations into ui.
 */
import type { ByteSource } from './elf/index.js';
import type { UpxModelResult, UpxTarget } from './plan/upx-target.js';

export interface ReadFileOptions {
  readonly signal?: AbortSignal;
  /** Bytes of the source read so far (an engine source re-reads the whole export). */
  readonly onProgress?: (bytes: number) => void;
}

/** Reads the head (at most 64 KB) of `path` as layer `layer` wrote it (the preview). Nothing is written to disk. */
export type ReadFile = (layer: number, path: string, opts?: ReadFileOptions) => Promise<Uint8Array>;

/** The preview port of a source: the reader and what a user should know about it. */
export interface PreviewPort {
  readonly read: ReadFile;
  /** E.g. that the engine's export is read again. */
  readonly note?: string;
}

export interface WantedFile {
  readonly layer: number;
  /** The entry's normalised path in that layer (no leading `/`). */
  readonly path: string;
}

/** Whole files read back from a source (the UPX model's input). */
export interface FileSet {
  /** The bytes of a wanted file as `layer` stores it, or undefined when it was not found there. */
  get(layer: number, path: string): ByteSource | undefined;
  readonly missing: readonly WantedFile[];
  readonly memoryBytes: number;
  readonly spooledBytes: number;
  /** Releases the memory and closes the spool file. */
  close(): void;
}

export interface ReadFilesOptions {
  /** Bytes held in memory before files are spooled (default 256 MiB). */
  readonly memoryCap?: number;
  /** Bytes of the source read so far. */
  readonly onProgress?: (bytes: number) => void;
}

/** Reads the whole bytes of `wanted` files from the source, in one pass. */
export type ReadFiles = (wanted: readonly WantedFile[], opts?: ReadFilesOptions) => Promise<FileSet>;

/** Sizes the files a plan UPX-packs; each file is asked about once (the answers are kept per entry). */
export type UpxModel = (targets: readonly UpxTarget[]) => Promise<UpxModelResult>;

/** Writes an export file by its bare name in the working directory; returns the path written. */
export type WriteExport = (name: string, text: string) => string | Promise<string>;
