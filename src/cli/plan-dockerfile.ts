import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Image } from '../model/image.js';
import { withDockerfile } from '../model/dockerfile/attach.js';
import { mapLayers, type DockerfileMapping } from '../model/dockerfile/map-layers.js';
import { parseDockerfile, type ParsedDockerfile } from '../model/dockerfile/parse.js';
import { SlimError, messages } from '../io/errors.js';

export interface LoadedDockerfile {
  readonly path: string;
  readonly text: string;
  readonly parsed: ParsedDockerfile;
  readonly mapping: DockerfileMapping;
  /** The image with each layer's instruction in its facts. */
  readonly image: Image;
}

/**
 * The Dockerfile for this image: `--dockerfile PATH` (its notes go to stderr when the history does not line up),
 * else `./Dockerfile` when it exists and the image's history matches it (silently ignored otherwise).
 */
export function loadDockerfile(
  image: Image,
  given: string | undefined,
  cwd: string,
  warn: (line: string) => void,
): LoadedDockerfile | undefined {
  const path = given ?? join(cwd, 'Dockerfile');
  if (given === undefined && !existsSync(path)) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (given === undefined) return undefined;
    throw new SlimError(
      messages.usage(
        `--dockerfile ${given}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
      ),
    );
  }
  const parsed = parseDockerfile(text);
  if (parsed.stages.length === 0) {
    if (given === undefined) return undefined;
    throw new SlimError(messages.usage(`--dockerfile ${given}: not a Dockerfile (no FROM instruction)`));
  }
  const mapping = mapLayers(image, parsed);
  if (given === undefined && !mapping.matched) return undefined;
  if (given !== undefined) for (const n of mapping.notes) warn(`slimtui: ${given}: ${n}\n`);
  const shown = given ?? 'Dockerfile';
  // A partial match is not shown: a wrong instruction is worse than none.
  return { path, text, parsed, mapping, image: mapping.matched ? withDockerfile(image, mapping, shown) : image };
}
