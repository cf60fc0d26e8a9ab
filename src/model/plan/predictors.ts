import type { Entry } from '../entry.js';
import type { Image, Layer } from '../image.js';
import { elfOf, isExecutableKind } from './elf-facts.js';
import { removedGzipBytes } from './removal-cost.js';

export type Codec = 'gzip' | 'zstd';

export type StripPrediction = { readonly size: number };
/** How a UPX number was obtained (shown with it in the outputs). */
export const UPX_BY_MODEL = 'model: LZMA via xz + UPX overhead fit';
export const UPX_BY_GUESS = 'rough guess';

export type UpxPrediction =
  | { readonly size: number; readonly gzipSize?: number; readonly estimatedBy?: string }
  | { readonly refused: string; readonly estimatedBy?: string };
export interface RemovedBytes {
  readonly entry: Entry;
  readonly bytes: number;
  /** What these bytes weigh compressed, when the caller knows better than the layer's average (strip's sections). */
  readonly compressedHint?: number;
  /**
   * The share of the entry's tar records that leaves the stream: 1 for a removal (header included), the data's
   * share for a file whose content is replaced (UPX). Set, the layer's per-file cost (removal-cost tap) prices it.
   */
  readonly share?: number;
}

/**
 * What the planner asks about sizes it cannot read off the image. Injected, so the real predictors
 * (src/model/predict/: strip from the section table, a UPX model, per-layer compression) replace the
 * ratio defaults below without touching the planner.
 */
export interface Predictors {
  /** The size of the file after `strip --strip-all`; undefined when stripping changes nothing or is unknown. */
  strip(entry: Entry): StripPrediction | undefined;
  /** The size after `upx --best --lzma` (and, when known, the gzip size of the packed file), or why UPX refuses. */
  upx(entry: Entry): UpxPrediction | undefined;
  /** The projected compressed size of a layer once `removed` bytes are gone from those entries ([] = as it is). */
  compressedBytes(layerIndex: number, removed: readonly RemovedBytes[], codec?: Codec): number;
  /** How each number is estimated, in words for the outputs. */
  readonly methods?: Partial<PredictorMethods>;
}

export interface PredictorMethods {
  readonly strip: string;
  readonly upx: string;
  readonly compressed: string;
}

/** A layer fact holding a gzip size estimate, whatever its tap calls it. */
export function gzipFact(layer: Layer): number | undefined {
  const f = layer.facts ?? {};
  for (const key of ['gzip', 'gzipEstimate', 'gzip-estimate', 'gzipSize', 'gzipBytes']) {
    const v = f[key];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (v && typeof v === 'object') {
      for (const k of ['bytes', 'size', 'estimate', 'compressedBytes', 'gzipBytes']) {
        const x = (v as Record<string, unknown>)[k];
        if (typeof x === 'number' && Number.isFinite(x)) return x;
      }
    }
  }
  return undefined;
}

/** When nothing about a layer's compression is known: gzip -6 of typical distro layers is 35–50 % of the tar. */
export const FALLBACK_GZIP_RATIO = 0.42;
/** zstd -3 against gzip -6 on the same layer tars (typical, not measured per image). */
export const ZSTD_PER_GZIP = 0.92;

export interface LayerBaseline {
  readonly bytes: number;
  readonly how: 'blob' | 'estimate' | 'guess';
}

/** A layer's compressed size as it is: the blob when the source stores it in that codec, else an estimate. */
export function baselineCompressed(layer: Layer, codec: Codec): LayerBaseline {
  if (layer.compressedSize !== undefined && layer.compression === codec)
    return { bytes: layer.compressedSize, how: 'blob' };
  const gz =
    layer.compression === 'gzip' && layer.compressedSize !== undefined ? layer.compressedSize : gzipFact(layer);
  const fromZstd =
    layer.compression === 'zstd' && layer.compressedSize !== undefined
      ? layer.compressedSize / ZSTD_PER_GZIP
      : undefined;
  const gzip = gz ?? fromZstd;
  if (gzip !== undefined) return { bytes: Math.round(codec === 'gzip' ? gzip : gzip * ZSTD_PER_GZIP), how: 'estimate' };
  const guess = layer.tarSize * FALLBACK_GZIP_RATIO;
  return { bytes: Math.round(codec === 'gzip' ? guess : guess * ZSTD_PER_GZIP), how: 'guess' };
}

/** What `r` weighs compressed from the layer's per-file costs, when it has a share and the layer has costs. */
function priced(layer: Layer, r: RemovedBytes, scale: number): number | undefined {
  if (r.share === undefined) return undefined;
  const c = removedGzipBytes(layer, r.entry);
  return c === undefined ? undefined : c * r.share * scale;
}

/** What one removed entry weighs compressed in `layer` (the same figure `compressedBytes` subtracts). */
export function removedCompressed(image: Image, layerIndex: number, r: RemovedBytes, codec: Codec = 'gzip'): number {
  const layer = image.layers[layerIndex];
  if (!layer || layer.tarSize <= 0) return 0;
  const before = baselineCompressed(layer, codec).bytes;
  const gz = gzipFact(layer);
  return (
    r.compressedHint ??
    priced(layer, r, gz !== undefined && gz > 0 ? before / gz : 1) ??
    (before / layer.tarSize) * r.bytes
  );
}

/** UPX 4.2 refuses files under 4096 bytes (PackUnix::canPack: "CantPackException: file is too small"). */
const UPX_MIN_SIZE = 4096;
/** A rough `upx --best --lzma` ratio for executables, used only until the real model is injected. */
const UPX_ROUGH_RATIO = 0.33;

/**
 * The defaults: strip = size − .symtab − .strtab − .debug_* (from facts.elf); UPX = a fixed ratio with the
 * obvious refusals; compressed = the layer's compressed/uncompressed ratio applied to the removed bytes.
 */
export function ratioPredictors(image: Image): Predictors {
  return {
    strip(entry) {
      const elf = elfOf(entry);
      if (!elf || elf.stripped || elf.kind === 'object') return undefined;
      const removed = (elf.symbolBytes ?? 0) + (elf.debugBytes ?? 0);
      if (removed <= 0 || removed >= entry.size) return undefined;
      return { size: entry.size - removed };
    },
    upx(entry) {
      const elf = elfOf(entry);
      if (!elf) return undefined;
      const by = UPX_BY_GUESS;
      if (elf.kind === 'shared-lib')
        return { refused: 'shared library (UPX packs few, and a packed library loses page sharing)', estimatedBy: by };
      if (!isExecutableKind(elf))
        return { refused: `not an executable (${elf.kind ?? 'unknown kind'})`, estimatedBy: by };
      if (entry.size < UPX_MIN_SIZE)
        return {
          refused: 'too small (upx: CantPackException: file is too small; UPX needs ≥ 4096 bytes)',
          estimatedBy: by,
        };
      const size = Math.round(entry.size * UPX_ROUGH_RATIO);
      return { size, gzipSize: size, estimatedBy: by };
    },
    compressedBytes(layerIndex, removed, codec = 'gzip') {
      const layer = image.layers[layerIndex];
      if (!layer) return 0;
      const before = baselineCompressed(layer, codec).bytes;
      if (removed.length === 0 || layer.tarSize <= 0) return before;
      const ratio = before / layer.tarSize;
      // Per-file costs are gzip -6 of the uncompressed tar: scale them to the baseline (a blob, another codec).
      const gz = gzipFact(layer);
      const scale = gz !== undefined && gz > 0 ? before / gz : 1;
      const gone = removed.reduce((s, r) => s + (r.compressedHint ?? priced(layer, r, scale) ?? ratio * r.bytes), 0);
      return Math.max(0, Math.round(before - gone));
    },
    methods: {
      strip: 'file size − .symtab − .strtab − .debug_* sections (from the ELF section table; alignment not modelled)',
      upx: `rough: ${Math.round(UPX_ROUGH_RATIO * 100)} % of the file for executables ≥ 4096 bytes, refusing shared libraries (no UPX model loaded)`,
      compressed:
        "layer blob size when the source has it, else the layer's gzip estimate; a removed file weighs what its tar records (header included) cost in the layer's gzip -6 stream — deflated with the preceding 32 KiB as dictionary for files < 64 KiB, its own sample's ratio above — else the layer's compressed/uncompressed ratio; stripped sections weighed by their own compressibility (SHF_COMPRESSED DWARF 1:1, symbol tables 0.3)",
    },
  };
}
