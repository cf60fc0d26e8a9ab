// The explorer's ports: what the CLI injects so the UI never does IO (src/model/ports.ts takes these over
// once the source interface lands; until then they are declared here, once).
import type { UpxModelResult, UpxTarget } from '../model/plan/upx-target.js';

export interface ReadFileOptions {
  readonly signal?: AbortSignal;
  /** Bytes of the source read so far (the engine source re-reads the whole export). */
  readonly onProgress?: (bytes: number) => void;
}

/** Reads the first 64 KB of `path` as written by layer `layer`. */
export type ReadFile = (layer: number, path: string, opts?: ReadFileOptions) => Promise<Uint8Array>;

/** Writes an export file by its bare name in the working directory; returns the path written. */
export type WriteExport = (name: string, text: string) => string | Promise<string>;

/** Sizes the files a plan UPX-packs; each file is asked about once (the answers are kept per entry). */
export type UpxModel = (targets: readonly UpxTarget[]) => Promise<UpxModelResult>;
