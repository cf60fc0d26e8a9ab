import type { Entry } from '../model/entry.js';

/**
 * The place where content analyses look at a file's bytes as the single pass streams by. An analyser
 * decides from the header whether it wants a file; its sink then gets every chunk in order, and `end`
 * records what it learnt on `entry.facts`. A sink returning `false` from `write` has seen enough.
 */
export interface ContentAnalyser {
  readonly name: string;
  wants(entry: Entry): boolean;
  /** `stored`: where the file's bytes also lie, as stored, when its layer is an uncompressed range of a file. */
  open(entry: Entry, stored?: StoredAt): ContentSink;
  /**
   * True when a sink opened with a StoredAt keeps no view of a chunk once `write` (or `end`) has returned: what
   * it keeps, it copies. A layer thread may then read into a chunk's buffer again once the parse is past it
   * (chunk-pool.ts); with any analyser that does not say so, no buffer is read into again during the layer.
   */
  readonly copiesChunks?: boolean;
}

/**
 * A file's data as stored: its bytes from `offset` on in `file` (the layer is an uncompressed tar read from a file,
 * as a `docker save` archive's layers are). A sink may read what it needs from there by position instead of
 * keeping the streamed chunks; it must check that those bytes are the ones streaming by before it relies on them.
 */
export interface StoredAt {
  readonly file: string;
  /** `file`, open for reading while the layer is read (the reader closes it). */
  readonly fd: number;
  readonly offset: number;
}

export interface ContentSink {
  write(chunk: Uint8Array): boolean;
  end(): void | Promise<void>;
  /** Called instead of `end` when the stream failed; release anything held. */
  abort?(): void;
}

export function setFact(entry: Entry, name: string, value: unknown): void {
  entry.facts ??= {};
  entry.facts[name] = value;
}

/**
 * A tap on a whole layer's uncompressed tar stream (e.g. to estimate its gzip size), fed in the same pass.
 * `end` returns the value stored under `name` in the layer's `facts`.
 */
export interface LayerTap {
  readonly name: string;
  open(): { write(chunk: Uint8Array): void; end(): unknown };
}
