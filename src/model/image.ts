import type { Entry } from './entry.js';

export type SourceKind = 'docker' | 'podman' | 'docker-archive' | 'oci-archive' | 'oci-dir' | 'dir' | 'registry';
export type Compression = 'none' | 'gzip' | 'zstd';

export interface ImageConfig {
  readonly env: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly user?: string;
  readonly workdir?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly exposedPorts?: readonly string[];
}

export interface HistoryEntry {
  readonly createdBy?: string;
  readonly created?: string;
  readonly comment?: string;
  readonly emptyLayer: boolean;
}

export interface Layer {
  readonly index: number;
  /** Digest of the blob as stored (compressed when the source compresses it). */
  readonly digest?: string;
  /** sha256 of the uncompressed tar, as computed while reading. */
  readonly diffId?: string;
  /** The history entry that made this layer, when history lines up with the layers. */
  readonly history?: HistoryEntry;
  /** dive's layer size: the sum of the tar-header sizes of its entries. */
  readonly size: number;
  /** Bytes of the uncompressed layer tar. */
  readonly tarSize: number;
  /** Bytes of the blob as the source stores it, when it is compressed. */
  readonly compressedSize?: number;
  readonly compression: Compression;
  readonly entries: readonly Entry[];
  /** What layer taps learnt from the whole uncompressed stream (e.g. a gzip size estimate). */
  readonly facts?: Readonly<Record<string, unknown>>;
}

/** Something odd in the input that did not stop the analysis. */
export interface Warning {
  readonly code:
    | 'unsafe-path'
    | 'duplicate-entry'
    | 'history-mismatch'
    | 'diffid-mismatch'
    | 'digest-mismatch'
    | 'hardlink-target-missing'
    | 'cross-layer-hardlink'
    | 'unknown-entry'
    | 'other';
  readonly message: string;
  readonly layer?: number;
  readonly path?: string;
}

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export interface Image {
  readonly reference: string;
  readonly source: SourceKind;
  /** Image id: the digest of its config. */
  readonly digest?: string;
  readonly repoTags: readonly string[];
  readonly repoDigests: readonly string[];
  readonly platform: Platform;
  readonly created?: string;
  readonly config: ImageConfig;
  readonly history: readonly HistoryEntry[];
  readonly layers: readonly Layer[];
  readonly warnings: readonly Warning[];
}

export const platformString = (p: Platform): string => [p.os, p.architecture, p.variant].filter(Boolean).join('/');
