import type { Entry } from '../entry.js';
import type { Layer } from '../image.js';
import { normaliseName } from '../paths.js';
import { fileCompressedBytes, type GzipLayerEstimate } from '../predict/gzip-estimate.js';

/** The layer fact the removal-cost tap leaves (src/io/removal-cost-tap.ts). */
export const REMOVAL_COST = 'removal-cost';

export interface RemovalCosts {
  readonly method: string;
  /** Per normalised path: gzip -6 bytes its tar records cost in the layer's stream. */
  readonly files: ReadonlyMap<string, number>;
  /** Per normalised path of an ELF file ≤ 256 KiB: gzip -6 bytes its records lose when strip drops its sections. */
  readonly strip?: ReadonlyMap<string, number>;
}

const isCosts = (v: unknown): v is RemovalCosts =>
  typeof v === 'object' && v !== null && (v as RemovalCosts).files instanceof Map;
const isEstimate = (v: unknown): v is GzipLayerEstimate =>
  typeof v === 'object' && v !== null && (v as GzipLayerEstimate).files instanceof Map;

/**
 * What removing `entry`'s tar records saves in the layer's gzip -6 stream, headers included: the removal-cost
 * tap's figure, else the gzip estimate's attribution;
 * undefined when the layer carries neither.
 */
export function removedGzipBytes(layer: Layer, entry: Entry): number | undefined {
  const n = normaliseName(entry.path);
  if (!n.ok || n.path === '') return undefined;
  const costs = layer.facts?.[REMOVAL_COST];
  const c = isCosts(costs) ? costs.files.get(n.path) : undefined;
  if (c !== undefined) return c;
  const est = layer.facts?.['gzip-estimate'];
  return isEstimate(est) ? fileCompressedBytes(est, n.path) : undefined;
}

/** What `strip --strip-all` of `entry` saves in the layer's gzip -6 stream, measured on its bytes (small ELF files). */
export function strippedGzipBytes(layer: Layer, entry: Entry): number | undefined {
  const n = normaliseName(entry.path);
  const costs = layer.facts?.[REMOVAL_COST];
  return n.ok && isCosts(costs) ? costs.strip?.get(n.path) : undefined;
}
