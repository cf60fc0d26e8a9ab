import { constants, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extract as tarExtract } from 'tar-stream';
import type { Image } from '../model/image.js';
import { blobPath, parseDockerManifest } from '../model/oci-index.js';
import { normaliseName } from '../model/paths.js';
import { archiveTarStream } from './archive-stream.js';
import { outerFileName } from './outer-entry.js';
import { drain, peek, readAll, toReadable } from './byte-stream.js';
import { decompressor, sniff } from './decompress.js';
import { fileChunks } from './file-chunks.js';
import type { TarEntry } from './layer-reader.js';
import { engineClient } from './sources/docker-engine.js';
import type { SourceSpec } from './sources/source-spec.js';

export const PREVIEW_CAP = 64 * 1024;

export interface PreviewReadOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (bytes: number) => void;
}

/** Reads the head (at most 64 KB) of `path` as layer `layer` wrote it. Nothing is written to disk. */
export type PreviewRead = (layer: number, path: string, opts?: PreviewReadOptions) => Promise<Uint8Array>;

export interface PreviewSource {
  readonly read: PreviewRead;
  /** What a reader should know, e.g. that the engine's export is read again. */
  readonly note?: string;
}

class NotFound extends Error {}

/**
 * Keeps the first `cap` bytes of a stream. With `drainRest` it reads the stream to its end (a tar entry must
 * be drained for the archive to go on); without, it stops there and the caller tears the streams down.
 */
async function head(source: AsyncIterable<Uint8Array>, cap: number, drainRest: boolean): Promise<Buffer> {
  const parts: Buffer[] = [];
  let have = 0;
  for await (const chunk of source) {
    if (have < cap) {
      const b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      parts.push(have + b.length > cap ? b.subarray(0, cap - have) : b);
    }
    have += chunk.byteLength;
    if (have >= cap && !drainRest) break;
  }
  return Buffer.concat(parts);
}

/**
 * Streams one layer blob (tar, gzip or zstd) and returns the head of `path`'s bytes, or undefined when the
 * layer does not hold it as a regular file. Stops at the first match.
 */
export async function findInLayer(blob: AsyncIterable<Uint8Array>, path: string, cap = PREVIEW_CAP, stopEarly = true): Promise<Buffer | undefined> {
  const { head: first, stream } = await peek(blob, 512);
  const kind = sniff(first);
  if (kind !== 'tar' && kind !== 'gzip' && kind !== 'zstd') return undefined;
  const inner = tarExtract();
  const stages = kind === 'tar' ? [] : [decompressor(kind)];
  const ac = new AbortController();
  const feeding = pipeline([toReadable(stream), ...stages, inner] as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream], { signal: ac.signal }).catch(() => undefined);
  let hit: Buffer | undefined;
  try {
    for await (const te of inner as unknown as AsyncIterable<TarEntry>) {
      const name = normaliseName(te.header.name);
      const type = te.header.type ?? 'file';
      if (!hit && name.ok && name.path === path && (type === 'file' || type === 'contiguous-file')) {
        hit = await head(te, cap, !stopEarly);
        if (stopEarly) return hit;
      } else te.resume();
    }
    return hit;
  } finally {
    ac.abort();
    await feeding;
  }
}

/** The outer archive's path of a layer's blob from manifest.json, following the archive's symlinks. */
export function blobFromManifest(json: Buffer | undefined, image: Image, layer: number, links: Map<string, string>): string | undefined {
  if (!json) return undefined;
  let items;
  try {
    items = parseDockerManifest(JSON.parse(json.toString('utf8')));
  } catch {
    return undefined;
  }
  if (!items || items.length === 0) return undefined;
  const item = items.find((i) => image.repoTags.some((t) => i.repoTags.includes(t))) ?? items[0]!;
  const raw = item.layers[layer];
  if (raw === undefined) return undefined;
  const n = normaliseName(raw);
  let p = n.ok ? n.path : raw;
  for (let i = 0; i < 16 && links.has(p); i++) p = links.get(p)!;
  return p;
}

/**
 * One pass over a docker-save or OCI archive. When the layer's blob is named by digest, only that blob is
 * opened and the pass stops at the file. In the legacy layout (manifest.json last, blobs named by id), the
 * blobs whose stored size matches the layer's are searched and manifest.json picks the right one at the end.
 */
export async function findInArchive(input: AsyncIterable<Uint8Array>, image: Image, layer: number, path: string, cap = PREVIEW_CAP): Promise<Buffer> {
  const l = image.layers[layer];
  if (!l) throw new NotFound(`no layer ${layer}`);
  const known = l.digest ? blobPath(l.digest) : undefined;
  const storedSize = l.compressedSize ?? l.tarSize;
  const outer = tarExtract();
  const ac = new AbortController();
  const { stream, decompress } = await archiveTarStream(input, 'the source');
  const feeding = pipeline([toReadable(stream), ...decompress, outer], { signal: ac.signal }).catch(() => undefined);
  const found = new Map<string, Buffer>();
  const links = new Map<string, string>();
  let manifest: Buffer | undefined;
  try {
    for await (const te of outer as unknown as AsyncIterable<TarEntry>) {
      const name = outerFileName(te, links);
      if (name === undefined) continue;
      if (name === 'manifest.json') {
        manifest = await readAll(te, 64 << 20, () => new Error('manifest.json is too big'));
        continue;
      }
      const candidate = known ? name === known : te.header.size === storedSize;
      if (!candidate) {
        await drain(te);
        continue;
      }
      // Known blob: stop at the file. Legacy: read the blob to its end so the archive can go on.
      const hit = await findInLayer(te, path, cap, known !== undefined);
      if (hit) {
        if (known) return hit;
        found.set(name, hit);
      }
    }
  } finally {
    ac.abort();
    await feeding;
  }
  const blob = blobFromManifest(manifest, image, layer, links);
  const hit = blob !== undefined ? found.get(blob) : found.size === 1 ? [...found.values()][0] : undefined;
  if (!hit) throw new NotFound(`/${path} is not a regular file in layer ${layer}`);
  return hit;
}

/** A file of a dir: source, never following a symlink, never leaving the folder. */
async function readFromDir(dir: string, path: string, cap: number): Promise<Buffer> {
  const n = normaliseName(path);
  if (!n.ok || n.path === '') throw new NotFound(`bad path ${path}`);
  const handle = await fs.open(join(dir, n.path), constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const buf = Buffer.alloc(cap);
    const { bytesRead } = await handle.read(buf, 0, cap, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Counts the bytes flowing by, for progress, and stops when the caller aborts. */
async function* counted(source: AsyncIterable<Uint8Array>, opts: PreviewReadOptions | undefined): AsyncGenerator<Uint8Array> {
  let bytes = 0;
  for await (const chunk of source) {
    if (opts?.signal?.aborted) throw new Error('aborted');
    bytes += chunk.byteLength;
    opts?.onProgress?.(bytes);
    yield chunk;
  }
}

/** The preview reader for a source, or undefined when the source cannot be read twice (standard input). */
export function previewSource(spec: SourceSpec, image: Image, cap = PREVIEW_CAP): PreviewSource | undefined {
  switch (spec.kind) {
    case 'dir':
      return { read: (_layer, path) => readFromDir(spec.location, path, cap) };
    case 'oci-dir':
      return {
        read: async (layer, path, opts) => {
          const digest = image.layers[layer]?.digest;
          const p = digest ? blobPath(digest) : undefined;
          if (!p) throw new NotFound(`layer ${layer} has no blob digest`);
          const hit = await findInLayer(counted(fileChunks(join(spec.location, p)), opts), path, cap);
          if (!hit) throw new NotFound(`/${path} is not a regular file in layer ${layer}`);
          return hit;
        },
      };
    case 'docker-archive':
    case 'oci-archive':
      if (spec.location === '-') return undefined;
      return { read: (layer, path, opts) => findInArchive(counted(fileChunks(spec.location), opts), image, layer, path, cap) };
    case 'registry':
      return {
        note: 'fetches the layer blob from the registry again',
        read: async (layer, path, opts) => {
          const { registryLayerBlob } = await import('./sources/registry.js');
          const blob = registryLayerBlob(image, layer, opts?.signal);
          if (!blob) throw new NotFound(`layer ${layer} is not from a registry`);
          const hit = await findInLayer(counted(blob, opts), path, cap);
          if (!hit) throw new NotFound(`/${path} is not a regular file in layer ${layer}`);
          return hit;
        },
      };
    case 'docker':
    case 'podman':
      return {
        note: `re-reads the image export from ${spec.kind}`,
        read: async (layer, path, opts) => {
          const { client } = engineClient(spec.kind as 'docker' | 'podman');
          const stream = (await client.getImage(spec.location).get()) as unknown as AsyncIterable<Uint8Array> & { destroy?: () => void };
          const stop = (): void => stream.destroy?.();
          opts?.signal?.addEventListener('abort', stop, { once: true });
          try {
            return await findInArchive(counted(stream, opts), image, layer, path, cap);
          } finally {
            opts?.signal?.removeEventListener('abort', stop);
            stop();
          }
        },
      };
  }
}
