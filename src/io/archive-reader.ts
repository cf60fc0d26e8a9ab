import type { Image } from '../model/image.js';
import type { ContentAnalyser, LayerTap } from './content-analyser.js';
import { sniff } from './decompress.js';
import { drain, peek, readAll } from './byte-stream.js';
import { readLayer, type ParsedLayer } from './layer-reader.js';
import { assembleImage } from './assemble-image.js';
import { resolveArchiveLayout, type ManifestChoice } from './archive-manifest.js';
import { resolveLink, walkOuterArchive } from './outer-archive.js';
import { SlimError, messages } from './errors.js';
import type { ProgressListener } from './progress.js';
import { LAYER_DIGESTS } from './sources/image-source.js';

export interface ArchiveReadOptions extends ManifestChoice {
  readonly reference: string;
  readonly analysers: readonly ContentAnalyser[];
  readonly taps?: readonly LayerTap[];
  readonly totalBytes?: number;
  readonly onProgress?: ProgressListener;
  readonly verify?: 'warn' | 'error';
}

/** The one pass's result: the Image, and which outer file holds each layer position (for the re-reads). */
export interface ArchiveRead {
  readonly image: Image;
  readonly blobNames: readonly string[];
}

const METADATA_CAP = 64 << 20;

/**
 * Reads a `docker save` archive (legacy or OCI layout, compressed layers too) or an OCI archive in one
 * sequential pass: small JSON files are kept, every layer-looking blob is parsed as it streams by
 * (manifest.json often comes last), and the manifest then says which blobs are the image's layers.
 */
export async function readImageArchive(
  input: AsyncIterable<Uint8Array>,
  opts: ArchiveReadOptions,
): Promise<ArchiveRead> {
  const json = new Map<string, Buffer>();
  const layers = new Map<string, ParsedLayer>();
  const failed = new Map<string, SlimError>();
  let layersRead = 0;
  const onBytes = (bytes: number): void =>
    opts.onProgress?.({
      stage: 'reading',
      bytes,
      layersRead,
      ...(opts.totalBytes ? { totalBytes: opts.totalBytes } : {}),
    });
  const { links, bytes } = await walkOuterArchive(input, { what: opts.what, onBytes }, async (path, te) => {
    const { head, stream } = await peek(te, 512);
    const kind = sniff(head);
    if (
      kind === 'json' ||
      /(^|\/)(manifest\.json|index\.json|repositories|oci-layout|VERSION|json)$/.test(path) ||
      path.endsWith('.json')
    ) {
      json.set(path, await readAll(stream, METADATA_CAP, () => new SlimError(messages.tooBig(path))));
    } else if (kind === 'tar' || kind === 'gzip' || kind === 'zstd') {
      try {
        layers.set(
          path,
          await readLayer(stream, {
            what: `layer ${path} of ${opts.what}`,
            analysers: opts.analysers,
            digests: LAYER_DIGESTS,
            ...(opts.taps ? { taps: opts.taps } : {}),
          }),
        );
        layersRead++;
      } catch (e) {
        if (!(e instanceof SlimError)) throw e;
        failed.set(path, e);
        // The layer's pipeline has let go of the entry; let the rest of it flow out so the archive goes on.
        te.resume();
      }
    } else {
      if (kind === 'xz' || kind === 'bzip2')
        failed.set(path, new SlimError(messages.unknownCompression(`layer ${path} of ${opts.what}`, kind)));
      await drain(stream);
    }
  });
  opts.onProgress?.({ stage: 'analysing', bytes, layersRead });
  const layout = resolveArchiveLayout({ json: (p) => json.get(p), resolve: (p) => resolveLink(links, p) }, opts);
  const blobs = layout.layers.map((l) => {
    const f = failed.get(l.path);
    if (f) throw f;
    const parsed = layers.get(l.path);
    if (!parsed) throw new SlimError(messages.missingBlob(`${l.path} in ${opts.what}`));
    return {
      parsed,
      ...(l.digest ? { digest: l.digest } : {}),
      ...(l.expectedSize !== undefined ? { expectedSize: l.expectedSize } : {}),
    };
  });
  const image = assembleImage({
    reference: opts.reference,
    source: layout.source,
    configBytes: layout.configBytes,
    ...(layout.configDigest ? { configDigest: layout.configDigest } : {}),
    layers: blobs,
    repoTags: layout.repoTags,
    warnings: layout.warnings,
    ...(opts.verify ? { verify: opts.verify } : {}),
  });
  return { image, blobNames: layout.layers.map((l) => l.path) };
}
