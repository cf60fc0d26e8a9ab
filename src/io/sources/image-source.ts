/**
 * What every image source is (engine, docker-archive, oci-archive, oci-dir, dir, …): one module per kind,
 * registered in ONE table (source-table.ts) with its `--source` name and prefixes. To add a source: write
 * `sources/<kind>.ts` exporting `open(spec): ImageSource`, add its row to the table, add its name to
 * `SourceKind` (model/image.ts). Nothing else switches over kinds.
 *
 * A source is opened once. `load` runs the one pass that produces the model's Image; what that pass learnt
 * (which blob holds which layer, the engine's client) stays inside the returned LoadedImage, so the later
 * reads (preview heads, whole files for UPX) never reopen the spec nor guess.
 *
 * Random access (optional): a source that can reach each layer blob on its own (an archive FILE, an OCI
 * layout, later a registry) implements `layerBlobs()`: the image's config and its layer blobs in manifest
 * order, listed without reading any layer byte. Each blob says where it is (`at`: a file and byte range a
 * worker thread can open itself) and can be opened as a stream of its stored (maybe compressed) bytes. A
 * caller may then parse the layers in any order or in parallel and join them with `assembleImage`
 * (io/assemble-image.ts) — the same result as `load`. Streams (standard input, an engine's export, a
 * compressed outer archive) have no random access: `layerBlobs` is absent or resolves to undefined.
 */
import type { Image, Platform, SourceKind, Warning } from '../../model/image.js';
import type { PreviewPort, ReadFiles } from '../../model/ports.js';
import type { ContentAnalyser, LayerTap } from '../content-analyser.js';
import type { ContentImage } from '../skim-load.js';
import type { ProgressListener } from '../progress.js';
import type { RegistryOptions } from '../registry/read-registry.js';
import type { SourceSpec } from './source-spec.js';

export interface LoadOptions {
  readonly analysers: readonly ContentAnalyser[];
  /** Taps on each layer's whole uncompressed stream (not applied to dir: sources, which have no tar). */
  readonly taps?: readonly LayerTap[];
  readonly platform: Platform;
  readonly platformExplicit: boolean;
  readonly onProgress?: ProgressListener;
  /**
   * What a digest mismatch is (see `LAYER_DIGESTS`): by default a `digest-mismatch` warning; with `error`
   * (`--verify`) the user's one-line error. Registry pulls always treat one as an error.
   */
  readonly verify?: 'warn' | 'error';
  /** For the registry source: --registry-ca, --insecure-registry, layers in flight. */
  readonly registry?: RegistryOptions;
  /**
   * The explorer's fast open: where the source allows it (layer blobs in a file), return once the
   * headers are read, with the content pass (analysers, taps, digests) following in `LoadedImage.content`.
   */
  readonly skim?: boolean;
}

/**
 * The digests every layer read computes, in the one pass (never a second read): the layer's diff_id (sha256 of
 * the uncompressed tar) and the stored blob's digest (sha256 of its bytes as stored; the same hash when the
 * blob is an uncompressed tar). Both are fed the chunks the reader already has, no copies; on worker threads
 * they are computed there (layer-worker.ts). `assembleImage` compares them with the config's diff_ids and the
 * blob names; `--verify` only decides whether a mismatch is a warning or an error.
 */
export const LAYER_DIGESTS = { diffId: true, blob: true } as const;

/** The platform choice, for listing an image's blobs without loading it. */
export type ListOptions = Pick<LoadOptions, 'platform' | 'platformExplicit' | 'registry'>;

export interface ImageSource {
  readonly kind: SourceKind;
  readonly spec: SourceSpec;
  /** The one pass: the model's Image, plus the re-read ports bound to what the pass learnt. */
  load(opts: LoadOptions): Promise<LoadedImage>;
  /** Random access to the layer blobs, when the source has it (see the top of this file). */
  layerBlobs?(opts: ListOptions): Promise<LayerBlobListing | undefined>;
}

/** An image as loaded, with its source kept: nothing reopens the spec. */
export interface LoadedImage {
  readonly image: Image;
  readonly source: ImageSource;
  /** File heads for the preview; undefined when the source cannot be read twice (standard input). */
  readonly preview: PreviewPort | undefined;
  /** Whole files (the UPX model); undefined when the source cannot be read twice. */
  readonly readFiles: ReadFiles | undefined;
  /**
   * With `skim`, when the image was skimmed: starts the content pass (once), which resolves to the image once it has run (facts on the same
   * entries, or — `reloaded` — a new image when the pass disagreed with the skim). Absent: `image` is complete.
   */
  readonly content?: () => Promise<ContentImage>;
}

/** A layer blob reachable on its own. */
export interface LayerBlobRef {
  /** The blob's name in its container (`blobs/sha256/…`, `<id>/layer.tar`), for messages. */
  readonly name: string;
  /** The stored blob's digest, when the source names blobs by digest. */
  readonly digest?: string;
  /** Bytes of the blob as stored. */
  readonly size: number;
  /** The stored size its descriptor states (OCI), for `assembleImage`'s check. */
  readonly expectedSize?: number;
  /** Where the bytes lie, for a worker thread that opens the file itself. */
  readonly at?: { readonly file: string; readonly start: number; readonly end: number };
  /** The stored bytes, front to back (a fresh stream per call). */
  open(): AsyncIterable<Uint8Array>;
}

export interface LayerBlobListing {
  readonly configBytes: Buffer;
  /** The config's digest as the manifest states it, for `assembleImage`'s check. */
  readonly configDigest?: string;
  /** One per layer position, in manifest order (the same blob may appear twice). */
  readonly layers: readonly LayerBlobRef[];
  readonly repoTags: readonly string[];
  /** The kind `assembleImage` should record (a docker ≥ 25 save is OCI inside, for instance). */
  readonly source: SourceKind;
  readonly warnings: readonly Warning[];
}
