/**
 * An image archive on disk — `docker save` output (legacy or OCI inside, gzip/zstd-compressed too) or an OCI
 * archive — or `-` for standard input. Shared by the docker-archive and oci-archive modules, which differ only
 * in their name. The one pass streams the file; later reads go straight to the blobs it recorded (by seeking
 * when the file is a plain tar, else by walking it again).
 */
import { promises as fs } from 'node:fs';
import type { PreviewPort, ReadFiles } from '../../model/ports.js';
import { readImageArchive } from '../archive-reader.js';
import { resolveArchiveLayout } from '../archive-manifest.js';
import { archiveFileHead, archiveWholeFiles } from '../archive-rereads.js';
import { sniff } from '../decompress.js';
import { SlimError, messages } from '../errors.js';
import { collectFileSet } from '../file-set.js';
import { fileChunks } from '../file-chunks.js';
import { fsMessage } from '../fs-message.js';
import { counted, fileHeadInLayer, NotFound, wholeFilesInLayer } from '../layer-files.js';
import { resolveLink } from '../outer-archive.js';
import { indexTarFile, type TarIndex, type TarIndexEntry } from '../tar-index.js';
import { loadFromBlobs } from '../parallel-layers.js';
import type { ImageSource, LayerBlobListing, ListOptions, LoadedImage, LoadOptions } from './image-source.js';
import type { SourceSpec } from './source-spec.js';

const METADATA_CAP = 64 << 20;
const JSON_NAME = /(^|\/)(manifest\.json|index\.json|repositories|oci-layout|VERSION|json)$|\.json$/;

async function statArchive(path: string): Promise<number> {
  try {
    const st = await fs.stat(path);
    if (st.isDirectory())
      throw new SlimError(`${path} is a directory; use oci:${path} for an OCI layout or dir:${path} for a folder`);
    return st.size;
  } catch (e) {
    if (e instanceof SlimError) throw e;
    throw new SlimError(fsMessage(e, path));
  }
}

export function archiveFileSource(kind: 'docker-archive' | 'oci-archive', spec: SourceSpec): ImageSource {
  const path = spec.location;
  let index: Promise<TarIndex | undefined> | undefined;
  // The tar index, built once on first use; undefined for a compressed (or odd) archive, which is walked instead.
  const tarIndex = (): Promise<TarIndex | undefined> => (index ??= indexTarFile(path).catch(() => undefined));
  const range = (e: TarIndexEntry): { start: number; end: number } => ({ start: e.start, end: e.start + e.size });
  const blobAt = async (name: string): Promise<TarIndexEntry | undefined> => (await tarIndex())?.files.get(name);

  const source: ImageSource = {
    kind,
    spec,
    async load(opts: LoadOptions): Promise<LoadedImage> {
      const base = {
        reference: path,
        source: kind,
        analysers: opts.analysers,
        platform: opts.platform,
        platformExplicit: opts.platformExplicit,
        ...(opts.taps ? { taps: opts.taps } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        ...(spec.tag ? { tag: spec.tag } : {}),
        ...(opts.verify ? { verify: opts.verify } : {}),
      };
      if (path === '-') {
        const { image } = await readImageArchive(process.stdin, { ...base, what: 'standard input' });
        return { image, source, preview: undefined, readFiles: undefined };
      }
      const totalBytes = await statArchive(path);
      // Both cores when the archive is a plain tar with big layers (io/parallel-layers.ts); else the one pass.
      const fast = await loadFromBlobs(
        source,
        opts,
        path,
        (l) => `layer ${l.name} of ${path}`,
        async () => {
          // The reload runs under the explorer's frame: no progress line.
          const { onProgress: _, ...quiet } = opts;
          return (await source.load({ ...quiet, skim: false })).image;
        },
      );
      const { image, blobNames } = fast
        ? { image: fast.image, blobNames: fast.listing.layers.map((l) => l.name) }
        : await readImageArchive(fileChunks(path), { ...base, what: path, totalBytes });
      const preview: PreviewPort = {
        read: async (layer, file, o) => {
          const name = blobNames[layer];
          const entry = name !== undefined ? await blobAt(name) : undefined;
          if (!entry) return archiveFileHead(fileChunks(path), blobNames, layer, file, { ...(o ?? {}), what: path });
          const hit = await fileHeadInLayer(
            counted(fileChunks(path, 1 << 20, 4, range(entry)), o?.onProgress, o?.signal),
            file,
          );
          if (!hit) throw new NotFound(`/${file} is not a regular file in layer ${layer}`);
          return hit;
        },
      };
      const readFiles: ReadFiles = async (wanted, o = {}) => {
        if (!(await tarIndex())) return archiveWholeFiles(fileChunks(path), blobNames, wanted, { ...o, what: path });
        return collectFileSet(wanted, o, async (groups, store, found) => {
          let base = 0;
          for (const [layer, paths] of groups) {
            const name = blobNames[layer];
            const entry = name !== undefined ? await blobAt(name) : undefined;
            if (!entry) continue;
            const got = await wholeFilesInLayer(
              counted(fileChunks(path, 1 << 20, 4, range(entry)), (b) => o.onProgress?.(base + b)),
              paths,
              store,
            );
            base += entry.size;
            for (const [p, f] of got) found(layer, p, f);
          }
        });
      };
      return { image, source, preview, readFiles, ...(fast?.content ? { content: fast.content } : {}) };
    },
    async layerBlobs(opts: ListOptions): Promise<LayerBlobListing | undefined> {
      if (path === '-') return undefined;
      await statArchive(path);
      const idx = await tarIndex();
      if (!idx) return undefined;
      const json = new Map<string, Buffer>();
      for (const e of idx.files.values()) {
        if (e.size > METADATA_CAP) continue;
        const head = await readRange(path, e.start, Math.min(e.size, 512));
        if (sniff(head) !== 'json' && !JSON_NAME.test(e.name)) continue;
        json.set(e.name, e.size <= 512 ? head : await readRange(path, e.start, e.size));
      }
      const layout = resolveArchiveLayout(
        { json: (p) => json.get(p), resolve: (p) => resolveLink(idx.links, p) },
        { ...opts, source: kind, what: path, ...(spec.tag ? { tag: spec.tag } : {}) },
      );
      const layers = layout.layers.map((l) => {
        const e = idx.files.get(l.path);
        if (!e) throw new SlimError(messages.missingBlob(`${l.path} in ${path}`));
        const r = range(e);
        return {
          name: l.path,
          ...(l.digest ? { digest: l.digest } : {}),
          ...(l.expectedSize !== undefined ? { expectedSize: l.expectedSize } : {}),
          size: e.size,
          at: { file: path, ...r },
          open: () => fileChunks(path, 1 << 20, 4, r),
        };
      });
      return {
        configBytes: layout.configBytes,
        ...(layout.configDigest ? { configDigest: layout.configDigest } : {}),
        layers,
        repoTags: layout.repoTags,
        source: layout.source,
        warnings: layout.warnings,
      };
    },
  };
  return source;
}

async function readRange(path: string, start: number, length: number): Promise<Buffer> {
  const handle = await fs.open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buf, 0, length, start);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
