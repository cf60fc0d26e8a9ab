import { createHash } from 'node:crypto';
import type { Image, Layer, SourceKind, Warning } from '../model/image.js';
import { alignHistory } from '../model/history.js';
import { parseImageConfig } from '../model/image-config.js';
import type { ParsedLayer } from './layer-reader.js';
import { SlimError, messages } from './errors.js';

export interface LayerBlob {
  readonly parsed: ParsedLayer;
  /** The blob digest, when the source names blobs by digest. */
  readonly digest?: string;
}

export interface AssembleInput {
  readonly reference: string;
  readonly source: SourceKind;
  readonly configBytes: Buffer;
  readonly layers: readonly LayerBlob[];
  readonly repoTags?: readonly string[];
  readonly repoDigests?: readonly string[];
  readonly warnings?: readonly Warning[];
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
  const { perLayer, warning } = alignHistory(cfg.history, input.layers.length);
  if (warning) warnings.push(warning);
  if (cfg.diffIds.length > 0 && cfg.diffIds.length !== input.layers.length) {
    warnings.push({ code: 'diffid-mismatch', message: `config lists ${cfg.diffIds.length} diff ids for ${input.layers.length} layers` });
  }
  const layers: Layer[] = input.layers.map((b, index) => {
    const history = perLayer[index];
    const diffId = cfg.diffIds[index];
    for (const w of b.parsed.warnings) warnings.push({ ...w, layer: index });
    return {
      index,
      ...(b.digest ? { digest: b.digest } : {}),
      ...(diffId ? { diffId } : {}),
      ...(history ? { history } : {}),
      size: b.parsed.size,
      tarSize: b.parsed.tarSize,
      ...(b.parsed.compression !== 'none' ? { compressedSize: b.parsed.blobSize } : {}),
      compression: b.parsed.compression,
      entries: b.parsed.entries,
      ...(b.parsed.facts ? { facts: b.parsed.facts } : {}),
    };
  });
  return {
    reference: input.reference,
    source: input.source,
    digest: `sha256:${createHash('sha256').update(input.configBytes).digest('hex')}`,
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
