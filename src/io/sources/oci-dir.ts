/**
 * `oci:DIR[:tag]` (or a bare directory with index.json): an OCI image layout. Random access by nature: the
 * metadata is read directly and each layer blob is a file, so `layerBlobs` lists them and `load` parses them
 * in manifest order.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { blobPath, resolveIndex } from '../../model/oci-index.js';
import type { Image } from '../../model/image.js';
import type { PreviewPort, ReadFiles } from '../../model/ports.js';
import { indexFailure, indexWarnings, parseJson } from '../archive-manifest.js';
import { assembleListing, type LayerBlob } from '../assemble-image.js';
import { SlimError, messages } from '../errors.js';
import { collectFileSet } from '../file-set.js';
import { fileChunks } from '../file-chunks.js';
import { fsMessage } from '../fs-message.js';
import { counted, fileHeadInLayer, NotFound, wholeFilesInLayer } from '../layer-files.js';
import { readLayer } from '../layer-reader.js';
import { loadFromBlobs, parseBlobsInParallel } from '../parallel-layers.js';
import {
  LAYER_DIGESTS,
  type ImageSource,
  type LayerBlobListing,
  type LayerBlobRef,
  type ListOptions,
  type LoadedImage,
  type LoadOptions,
} from './image-source.js';
import type { SourceSpec } from './source-spec.js';

const METADATA_CAP = 64 << 20;

async function readSmall(path: string, what: string): Promise<Buffer | undefined> {
  try {
    const st = await fs.stat(path);
    if (st.size > METADATA_CAP) throw new SlimError(messages.tooBig(what));
    return await fs.readFile(path);
  } catch (e) {
    if (e instanceof SlimError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SlimError(fsMessage(e, path));
  }
}

export function open(spec: SourceSpec): ImageSource {
  const dir = spec.location;
  const blobFile = (digest: string | undefined): string | undefined => {
    const p = digest ? blobPath(digest) : undefined;
    return p ? join(dir, p) : undefined;
  };

  async function layerBlobs(opts: ListOptions): Promise<LayerBlobListing> {
    try {
      if (!(await fs.stat(dir)).isDirectory()) throw new SlimError(messages.notADirectory(dir));
    } catch (e) {
      if (e instanceof SlimError) throw e;
      throw new SlimError(fsMessage(e, dir));
    }
    const indexBuf = await readSmall(join(dir, 'index.json'), 'index.json');
    if (!indexBuf) throw new SlimError(messages.notAnImage(dir));
    const blobs = new Map<string, unknown>();
    // The walk needs JSON blobs synchronously: each missing one it reports is read, then the walk retries.
    const getJson = (digest: string): unknown => blobs.get(digest);
    for (let attempt = 0; attempt < 8; attempt++) {
      const res = resolveIndex(
        parseJson(indexBuf, 'index.json'),
        getJson,
        opts.platform,
        spec.tag,
        opts.platformExplicit === true,
      );
      if (res.ok) {
        const m = res.manifest;
        const warnings = indexWarnings(res, { platform: opts.platform, what: dir });
        const cfgPath = blobFile(m.config.digest);
        const configBytes = cfgPath ? await readSmall(cfgPath, 'image config') : undefined;
        if (!configBytes) throw new SlimError(messages.missingBlob(`${m.config.digest} in ${dir}`));
        const layers: LayerBlobRef[] = [];
        for (const d of m.layers) {
          const file = blobFile(d.digest);
          let size: number;
          try {
            if (!file) throw new Error('bad digest');
            size = (await fs.stat(file)).size;
          } catch {
            throw new SlimError(messages.missingBlob(`${d.digest} in ${dir}`));
          }
          layers.push({
            name: blobPath(d.digest)!,
            digest: d.digest,
            ...(d.size > 0 ? { expectedSize: d.size } : {}),
            size,
            at: { file, start: 0, end: size },
            open: () => fileChunks(file),
          });
        }
        return {
          configBytes,
          configDigest: m.config.digest,
          layers,
          repoTags: m.refName ? [m.refName] : [],
          source: 'oci-dir',
          warnings,
        };
      }
      if (res.reason !== 'missing-blob')
        throw indexFailure(res, { platform: opts.platform, what: dir, ...(spec.tag ? { tag: spec.tag } : {}) });
      const file = blobFile(res.digest);
      const buf = file ? await readSmall(file, `blob ${res.digest}`) : undefined;
      if (!buf) throw new SlimError(messages.missingBlob(`${res.digest} in ${dir}`));
      blobs.set(res.digest, parseJson(buf, `blob ${res.digest}`));
    }
    throw new SlimError(messages.badIndex(dir, 'index nesting too deep'));
  }

  const source: ImageSource = {
    kind: 'oci-dir',
    spec,
    layerBlobs,
    async load(opts: LoadOptions): Promise<LoadedImage> {
      const what = (l: LayerBlobRef): string => `layer ${l.digest} of ${dir}`;
      // The explorer's fast open: headers first, the content pass after the first frame (io/skim-load.ts).
      const skimmed = opts.skim
        ? await loadFromBlobs(source, opts, dir, what, async () => {
            const { onProgress: _, ...quiet } = opts;
            return (await source.load({ ...quiet, skim: false })).image;
          })
        : undefined;
      const listing = skimmed?.listing ?? (await layerBlobs(opts));
      const image = skimmed ? skimmed.image : await readAll(listing, opts);
      return { image, source, ...rereads(listing), ...(skimmed?.content ? { content: skimmed.content } : {}) };
    },
  };

  /** The one pass over every layer (on worker threads for big layers) and the Image assembled from it. */
  async function readAll(listing: LayerBlobListing, opts: LoadOptions): Promise<Image> {
    const layers: LayerBlob[] = [];
    let bytes = 0;
    const totalBytes = listing.layers.reduce((s, l) => s + l.size, 0);
    // Both cores for big layers (io/parallel-layers.ts); else one layer after another here.
    // Either way each layer's diff_id and blob digest are computed as it is read (LAYER_DIGESTS).
    const inParallel = await parseBlobsInParallel(listing.layers, opts, (l) => `layer ${l.digest} of ${dir}`);
    for (const [i, l] of listing.layers.entries()) {
      const parsed =
        inParallel?.[i] ??
        (await readLayer(l.open(), {
          what: `layer ${l.digest} of ${dir}`,
          analysers: opts.analysers,
          digests: LAYER_DIGESTS,
          ...(opts.taps ? { taps: opts.taps } : {}),
          onBytes: (n) => {
            bytes += n;
            opts.onProgress?.({
              stage: 'reading',
              bytes,
              totalBytes,
              layersRead: i,
              layerCount: listing.layers.length,
            });
          },
        }));
      layers.push({
        parsed,
        ...(l.digest ? { digest: l.digest } : {}),
        ...(l.expectedSize !== undefined ? { expectedSize: l.expectedSize } : {}),
      });
    }
    return assembleListing(dir, listing, layers, opts.verify);
  }

  /** The preview and whole-file ports, bound to the listing's blobs. */
  function rereads(listing: LayerBlobListing): Pick<LoadedImage, 'preview' | 'readFiles'> {
    const blobOf = (layer: number): LayerBlobRef | undefined => listing.layers[layer];
    const preview: PreviewPort = {
      read: async (layer, path, o) => {
        const blob = blobOf(layer);
        if (!blob) throw new NotFound(`layer ${layer} has no blob digest`);
        const hit = await fileHeadInLayer(counted(blob.open(), o?.onProgress, o?.signal), path);
        if (!hit) throw new NotFound(`/${path} is not a regular file in layer ${layer}`);
        return hit;
      },
    };
    const readFiles: ReadFiles = (wanted, o = {}) =>
      collectFileSet(wanted, o, async (groups, store, found) => {
        let base = 0;
        for (const [layer, paths] of groups) {
          const blob = blobOf(layer);
          if (!blob) continue;
          const got = await wholeFilesInLayer(
            counted(blob.open(), (b) => o.onProgress?.(base + b)),
            paths,
            store,
          );
          base += blob.size;
          for (const [p, f] of got) found(layer, p, f);
        }
      });
    return { preview, readFiles };
  }
  return source;
}
