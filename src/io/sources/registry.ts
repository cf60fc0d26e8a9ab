import type { Image } from '../../model/image.js';
import type { ArchiveReadOptions } from '../archive-reader.js';
import { readFromRegistry, type RegistryImage, type RegistryOptions } from '../registry/read-registry.js';

/**
 * The registry source (`registry://HOST/REPO[:TAG|@DIGEST]`, `--source registry`): the image is read from the
 * distribution API with no daemon. The opened repository (client, token, manifest) stays with the loaded
 * Image, so a preview or the UPX re-read fetches only the one blob it needs, without resolving again.
 */
const opened = new WeakMap<Image, RegistryImage>();

export async function readRegistrySource(
  location: string,
  opts: Omit<ArchiveReadOptions, 'what' | 'totalBytes' | 'tag'> & RegistryOptions,
): Promise<Image> {
  const r = await readFromRegistry(location, opts);
  opened.set(r.image, r);
  return r.image;
}

/** One layer blob of an image this source loaded, streamed and verified again; undefined for other images. */
export function registryLayerBlob(
  image: Image,
  layer: number,
  signal?: AbortSignal,
): AsyncIterable<Uint8Array> | undefined {
  return opened.get(image)?.blob(layer, signal);
}

/** Closes the connections of an image this source loaded (the CLI calls it when no re-read can follow). */
export async function closeRegistrySource(image: Image): Promise<void> {
  await opened.get(image)?.close();
}
