import { createHash } from 'node:crypto';
import type { Image, Layer, SourceKind, Warning } from '../model/image.js';
import { alignHistory } from '../model/history.js';
import { parseImageConfig } from '../model/image-config.js';
import { packEntries } from '../model/entry-table.js';
import type { ParsedLayer } from './layer-reader.js';
import { SlimError, messages } from './errors.js';

export interface LayerBlob {
  readonly parsed: ParsedLayer;
  /** The blob digest, when the source names blobs by digest. */
  readonly digest?: string;
  /** The stored size its descriptor states, to check (OCI manifests carry it). */
  readonly expectedSize?: number;
}

export interface AssembleInput {
  readonly reference: string;
  readonly source: SourceKind;
  readonly configBytes: Buffer;
  /** The config's digest as the manifest (or its name) states it, to check against its bytes. */
  readonly configDigest?: string;
  readonly layers: readonly LayerBlob[];
  readonly repoTags?: readonly string[];
  readonly repoDigests?: readonly string[];
  readonly warnings?: readonly Warning[];
  /** What a digest mismatch is (the layers' computed `digests` against the config and the blob names): default a warning. */
  readonly verify?: 'warn' | 'error';
}

/** Joins a config and its parsed layers into the model's Image. */
export function assembleImage(input: AssembleInput): Image {
  let json: unknown;
  try {
    json = JSON.parse(input.configBytes.toString('utf8'));
  } catch {
    throw new SlimError(messages.badJson('image config'));
  }
  const cfg = parseImageConfig(json);
  const warnings: Warning[] = [...(input.warnings ?? [])];
  const digest = `sha256:${createHash('sha256').update(input.configBytes).digest('hex')}`;
  const problem = (message: string, layer?: number): void => {
    if (input.verify === 'error') throw new SlimError(message);
    warnings.push({ code: 'digest-mismatch', message, ...(layer !== undefined ? { layer } : {}) });
  };
  if (input.configDigest?.startsWith('sha256:') && input.configDigest !== digest)
    problem(messages.digestMismatch('the image config', input.configDigest, digest, 'its name in the manifest'));
  const { perLayer, warning } = alignHistory(cfg.history, input.layers.length);
  if (warning) warnings.push(warning);
  if (cfg.diffIds.length > 0 && cfg.diffIds.length !== input.layers.length) {
    warnings.push({
      code: 'diffid-mismatch',
      message: `config lists ${cfg.diffIds.length} diff ids for ${input.layers.length} layers`,
    });
  }
  // The same blob at two positions (listed twice, or a legacy archive's symlinked repeat) was parsed once;
  // each position is its own layer, with its own Entry objects (the model keys per-entry state by identity).
  // Every layer's entries become views over one table of columns (entry-table.ts): the worker path filled it
  // already, the one-thread read's plain objects are packed here.
  const seen = new Set<ParsedLayer>();
  const layers: Layer[] = input.layers.map((b, index) => {
    const history = perLayer[index];
    const diffId = cfg.diffIds[index];
    const repeat = seen.has(b.parsed);
    seen.add(b.parsed);
    const entries = packEntries(b.parsed.entries, repeat);
    for (const w of b.parsed.warnings) warnings.push({ ...w, layer: index });
    for (const message of digestMismatches(index, b, diffId)) problem(message, index);
    return {
      index,
      ...(b.digest ? { digest: b.digest } : {}),
      ...(diffId ? { diffId } : {}),
      ...(history ? { history } : {}),
      size: b.parsed.size,
      tarSize: b.parsed.tarSize,
      ...(b.parsed.compression !== 'none' ? { compressedSize: b.parsed.blobSize } : {}),
      compression: b.parsed.compression,
      entries,
      ...(b.parsed.facts ? { facts: b.parsed.facts } : {}),
    };
  });
  return {
    reference: input.reference,
    source: input.source,
    digest,
    repoTags: input.repoTags ?? [],
    repoDigests: input.repoDigests ?? [],
    platform: cfg.platform,
    ...(cfg.created ? { created: cfg.created } : {}),
    config: cfg.config,
    history: cfg.history,
    layers,
    warnings,
  };
}

/** The computed digests of one layer position that disagree with what the image says they are. */
function digestMismatches(index: number, b: LayerBlob, diffId: string | undefined): string[] {
  const out: string[] = [];
  const got = b.parsed.digests;
  if (b.expectedSize !== undefined && b.expectedSize !== b.parsed.blobSize)
    out.push(messages.sizeMismatch(`layer ${index}'s blob`, b.expectedSize, b.parsed.blobSize));
  if (got?.diffId && diffId?.startsWith('sha256:') && got.diffId !== diffId)
    out.push(
      messages.digestMismatch(`layer ${index}'s uncompressed content`, diffId, got.diffId, "the config's diff_id"),
    );
  if (got?.blob && b.digest?.startsWith('sha256:') && got.blob !== b.digest)
    out.push(messages.digestMismatch(`layer ${index}'s blob`, b.digest, got.blob, 'its digest'));
  return out;
}

/** Joins a blob listing (from `layerBlobs`) and its parsed layers, in listing order, into the model's Image. */
export function assembleListing(
  reference: string,
  listing: {
    readonly source: SourceKind;
    readonly configBytes: Buffer;
    readonly configDigest?: string;
    readonly repoTags: readonly string[];
    readonly warnings: readonly Warning[];
  },
  layers: readonly LayerBlob[],
  verify: AssembleInput['verify'],
): Image {
  return assembleImage({
    reference,
    source: listing.source,
    configBytes: listing.configBytes,
    ...(listing.configDigest ? { configDigest: listing.configDigest } : {}),
    layers,
    repoTags: listing.repoTags,
    warnings: listing.warnings,
    ...(verify ? { verify } : {}),
  });
}
