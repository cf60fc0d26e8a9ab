/**
 * `docker://REF`, `podman://REF` (or a bare reference): an image in a Docker or Podman engine, read as the
 * `docker save` stream of `GET /images/{name}/get` in one pass. Preview and whole-file reads ask the engine for
 * the same image (by id) again and stop at the blob the first pass said holds the layer. This module (and so
 * dockerode and ssh2) is loaded only when an engine source is used.
 */
import type Docker from 'dockerode';
import type { PreviewPort, ReadFiles } from '../../model/ports.js';
import { readImageArchive } from '../archive-reader.js';
import { archiveFileHead, archiveWholeFiles } from '../archive-rereads.js';
import { engineClient, engineError, type Engine } from './engine-client.js';
import type { ImageSource, LoadedImage, LoadOptions } from './image-source.js';
import type { SourceSpec } from './source-spec.js';

type Export = AsyncIterable<Uint8Array> & { destroy?: () => void };

export function open(spec: SourceSpec): ImageSource {
  const engine = spec.kind as Engine;
  const ref = spec.location;
  const source: ImageSource = {
    kind: spec.kind,
    spec,
    async load(opts: LoadOptions): Promise<LoadedImage> {
      const { client, where } = engineClient(engine);
      let inspect: Docker.ImageInspectInfo;
      let stream: Export;
      try {
        inspect = await client.getImage(ref).inspect();
        stream = (await client.getImage(ref).get()) as unknown as Export;
      } catch (e) {
        throw engineError(e, engine, where, ref);
      }
      let read;
      try {
        read = await readImageArchive(stream, {
          reference: ref,
          source: engine,
          analysers: opts.analysers,
          platform: opts.platform,
          platformExplicit: opts.platformExplicit,
          ...(opts.taps ? { taps: opts.taps } : {}),
          ...(opts.verify ? { verify: opts.verify } : {}),
          ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
          what: `${engine} image ${ref}`,
          // The export of one reference holds that one image: no tag to pick (its tags may be spelt otherwise).
          ...(inspect.Size ? { totalBytes: inspect.Size } : {}),
        });
      } finally {
        stream.destroy?.();
      }
      const { blobNames } = read;
      const image = {
        ...read.image,
        repoTags: inspect.RepoTags ?? read.image.repoTags,
        repoDigests: inspect.RepoDigests ?? [],
      };
      // The same image again, by id (a tag may have moved since), as the export stream.
      const reexport = async (): Promise<Export> =>
        (await client.getImage(inspect.Id || ref).get()) as unknown as Export;
      const what = `${engine} image ${ref}`;
      const preview: PreviewPort = {
        note: `re-reads the image export from ${engine}`,
        read: async (layer, path, o) => {
          const stream = await reexport();
          const stop = (): void => stream.destroy?.();
          o?.signal?.addEventListener('abort', stop, { once: true });
          try {
            return await archiveFileHead(stream, blobNames, layer, path, { ...(o ?? {}), what });
          } finally {
            o?.signal?.removeEventListener('abort', stop);
            stop();
          }
        },
      };
      const readFiles: ReadFiles = async (wanted, o = {}) => {
        const stream = await reexport();
        try {
          return await archiveWholeFiles(stream, blobNames, wanted, { ...o, what });
        } finally {
          stream.destroy?.();
        }
      };
      return { image, source, preview, readFiles };
    },
  };
  return source;
}
