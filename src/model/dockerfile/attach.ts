import type { Image, Layer } from '../image.js';
import type { DockerfileMapping } from './map-layers.js';

/** The layer fact naming the Dockerfile instruction that made the layer. */
export const DOCKERFILE_FACT = 'dockerfile';

export interface LayerDockerfileFact {
  /** The Dockerfile's path as the user gave it. */
  readonly file: string;
  readonly line: number;
  readonly endLine: number;
  readonly keyword: string;
  /** The instruction's first line, whitespace collapsed (for one-line display). */
  readonly text: string;
  readonly how: 'exact' | 'keyword';
}

/** The image with each mapped layer's instruction recorded in its facts (a new Image; entries are shared). */
export function withDockerfile(image: Image, mapping: DockerfileMapping, file: string): Image {
  const layers = image.layers.map((l, i): Layer => {
    const m = mapping.perLayer[i];
    if (!m) return l;
    const fact: LayerDockerfileFact = {
      file,
      line: m.instruction.line,
      endLine: m.instruction.endLine,
      keyword: m.instruction.keyword,
      text: m.instruction.raw.split('\n')[0]!.replace(/\s+/g, ' ').trim(),
      how: m.how,
    };
    return { ...l, facts: { ...(l.facts ?? {}), [DOCKERFILE_FACT]: fact } };
  });
  return { ...image, layers };
}

/** The instruction that made a layer, when a Dockerfile was mapped onto the image. */
export function layerInstruction(layer: Layer | undefined): LayerDockerfileFact | undefined {
  const f = layer?.facts?.[DOCKERFILE_FACT] as LayerDockerfileFact | undefined;
  return f && typeof f.line === 'number' ? f : undefined;
}

/** `Dockerfile:12 RUN apk add …` */
export function instructionLabel(f: LayerDockerfileFact, max = 80): string {
  const t = f.text.length > max ? `${f.text.slice(0, max - 1)}…` : f.text;
  const lines = f.endLine > f.line ? `${f.line}–${f.endLine}` : `${f.line}`;
  return `${f.file.replace(/^.*\//, '')}:${lines} ${t}`;
}
