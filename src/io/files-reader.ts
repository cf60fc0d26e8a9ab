/**
 * A second, targeted read of an image: the WHOLE bytes of a few files (e.g. the ELF files a plan UPX-packs),
 * collected in one pass over the source — the archive, the OCI layout's blobs of the layers concerned, the
 * engine's export, or the folder. The single analysis pass keeps no file bytes; this is only run when an output
 * needs them. Bytes go to a ByteStore (memory up to a cap, then an anonymous unlinked spool file); nothing is
 * ever written under an image path's name.
 */
import { constants, promises as fs } from 'node:fs';
import { join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extract as tarExtract } from 'tar-stream';
import type { ByteSource } from '../model/elf/index.js';
import type { Image } from '../model/image.js';
import { blobPath } from '../model/oci-index.js';
import { normaliseName } from '../model/paths.js';
import { archiveTarStream } from './archive-stream.js';
import { outerFileName } from './outer-entry.js';
import { drain, peek, readAll, toReadable } from './byte-stream.js';
import { ByteStore, STORE_MEMORY_CAP, type StoredFile } from './byte-store.js';
import { decompressor, sniff } from './decompress.js';
import { fileChunks } from './file-chunks.js';
import type { TarEntry } from './layer-reader.js';
import { blobFromManifest } from './preview-reader.js';
import { engineClient } from './sources/docker-engine.js';
import type { SourceSpec } from './sources/source-spec.js';

export interface WantedFile {
  readonly layer: number;
  /** The entry's normalised path in that layer (no leading `/`). */
  readonly path: string;
}

export interface FileSet {
  /** The bytes of a wanted file as `layer` stores it, or undefined when it was not found there. */
  get(layer: number, path: string): ByteSource | undefined;
  readonly missing: readonly WantedFile[];
  readonly memoryBytes: number;
  readonly spooledBytes: number;
  /** Releases the memory and closes the spool file. */
  close(): void;
}

export interface ReadFilesOptions {
  /** Bytes held in memory before files are spooled (default 256 MiB). */
  readonly memoryCap?: number;
  /** Bytes of the source read so far. */
  readonly onProgress?: (bytes: number) => void;
}

const key = (layer: number, path: string): string => `${layer}\u0000${path}`;

/** Collects every regular file of `paths` from one layer blob (tar, gzip or zstd); a later duplicate wins. */
async function collectFromLayer(blob: AsyncIterable<Uint8Array>, paths: ReadonlySet<string>, store: ByteStore): Promise<Map<string, StoredFile>> {
  const got = new Map<string, StoredFile>();
  const { head, stream } = await peek(blob, 512);
  const kind = sniff(head);
  if (kind !== 'tar' && kind !== 'gzip' && kind !== 'zstd') {
    await drain(stream);
    return got;
  }
  const inner = tarExtract();
  const stages = kind === 'tar' ? [] : [decompressor(kind)];
  let failure: unknown;
  const feeding = pipeline([toReadable(stream), ...stages, inner] as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream]).catch((e: unknown) => {
    failure = e;
  });
  try {
    for await (const te of inner as unknown as AsyncIterable<TarEntry>) {
      const n = normaliseName(te.header.name);
      const type = te.header.type ?? 'file';
      if (!(n.ok && paths.has(n.path) && (type === 'file' || type === 'contiguous-file'))) {
        te.resume();
        continue;
      }
      const w = store.begin(te.header.size ?? 0);
      for await (const chunk of te as AsyncIterable<Uint8Array>) w.write(chunk);
      const file = w.end();
      const old = got.get(n.path);
      if (old) store.release(old);
      got.set(n.path, file);
    }
  } finally {
    await feeding;
  }
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  return got;
}

/**
 * One pass over a docker-save or OCI archive (or an engine's export). Blobs named by digest are recognised by
 * name and the pass stops once they are all read; in the legacy layout (manifest.json last, blobs named by id)
 * every blob of a wanted layer's stored size is searched and manifest.json decides at the end.
 */
async function collectFromArchive(input: AsyncIterable<Uint8Array>, image: Image, byLayer: ReadonlyMap<number, ReadonlySet<string>>, store: ByteStore): Promise<Map<string, StoredFile>> {
  const out = new Map<string, StoredFile>();
  const known = new Map<string, number[]>();
  const legacy = new Map<number, number>();
  for (const layer of byLayer.keys()) {
    const l = image.layers[layer];
    if (!l) continue;
    const p = l.digest ? blobPath(l.digest) : undefined;
    if (p) known.set(p, [...(known.get(p) ?? []), layer]);
    else legacy.set(layer, l.compressedSize ?? l.tarSize);
  }
  const legacySizes = new Set(legacy.values());
  const legacyFound = new Map<string, Map<string, StoredFile>>();
  const links = new Map<string, string>();
  let manifest: Buffer | undefined;
  const outer = tarExtract();
  const ac = new AbortController();
  let failure: unknown;
  const { stream, decompress } = await archiveTarStream(input, 'the source');
  const feeding = pipeline([toReadable(stream), ...decompress, outer], { signal: ac.signal }).catch((e: unknown) => {
    if (!ac.signal.aborted) failure = e;
  });
  let pendingKnown = known.size;
  try {
    for await (const te of outer as unknown as AsyncIterable<TarEntry>) {
      const name = outerFileName(te, links);
      if (name === undefined) continue;
      if (name === 'manifest.json') {
        manifest = await readAll(te, 64 << 20, () => new Error('manifest.json is too big'));
        continue;
      }
      const layers = known.get(name);
      if (layers) {
        const paths = new Set(layers.flatMap((l) => [...byLayer.get(l)!]));
        const got = await collectFromLayer(te, paths, store);
        for (const l of layers) for (const p of byLayer.get(l)!) {
          const f = got.get(p);
          if (f) out.set(key(l, p), f);
        }
        known.delete(name);
        if (--pendingKnown === 0 && legacy.size === 0) break;
        continue;
      }
      if (legacy.size > 0 && legacySizes.has(te.header.size ?? -1)) {
        const paths = new Set([...legacy.keys()].flatMap((l) => [...byLayer.get(l)!]));
        legacyFound.set(name, await collectFromLayer(te, paths, store));
        continue;
      }
      await drain(te);
    }
  } finally {
    ac.abort();
    await feeding;
  }
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  const used = new Set<StoredFile>();
  for (const layer of legacy.keys()) {
    const blob = blobFromManifest(manifest, image, layer, links);
    const got = blob !== undefined ? legacyFound.get(blob) : legacyFound.size === 1 ? [...legacyFound.values()][0] : undefined;
    if (!got) continue;
    for (const p of byLayer.get(layer)!) {
      const f = got.get(p);
      if (f) {
        out.set(key(layer, p), f);
        used.add(f);
      }
    }
  }
  for (const got of legacyFound.values()) for (const f of got.values()) if (!used.has(f)) store.release(f);
  return out;
}

/** A regular file of a dir: source, never following a symlink, never leaving the folder. */
async function readFromDir(dir: string, path: string, store: ByteStore): Promise<StoredFile | undefined> {
  const n = normaliseName(path);
  if (!n.ok || n.path === '') return undefined;
  const root = await fs.realpath(dir);
  const full = join(root, n.path);
  let parent: string;
  try {
    parent = await fs.realpath(join(full, '..'));
  } catch {
    return undefined;
  }
  if (parent !== root && !parent.startsWith(root + sep)) return undefined;
  let handle;
  try {
    handle = await fs.open(full, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return undefined;
    const w = store.begin(st.size);
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let pos = 0; ; ) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      w.write(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
    return w.end();
  } finally {
    await handle.close();
  }
}

async function* counted(source: AsyncIterable<Uint8Array>, onProgress: ((bytes: number) => void) | undefined): AsyncGenerator<Uint8Array> {
  let bytes = 0;
  for await (const chunk of source) {
    bytes += chunk.byteLength;
    onProgress?.(bytes);
    yield chunk;
  }
}

/**
 * Reads the whole bytes of `wanted` files from the source, in one pass. Undefined when the source cannot be
 * read twice (standard input). Files the source no longer holds are listed in `missing`.
 */
export async function readFilesFully(spec: SourceSpec, image: Image, wanted: readonly WantedFile[], opts: ReadFilesOptions = {}): Promise<FileSet | undefined> {
  if ((spec.kind === 'docker-archive' || spec.kind === 'oci-archive') && spec.location === '-') return undefined;
  const store = new ByteStore(opts.memoryCap ?? STORE_MEMORY_CAP);
  const byLayer = new Map<number, Set<string>>();
  for (const w of wanted) {
    const s = byLayer.get(w.layer) ?? new Set<string>();
    s.add(w.path);
    byLayer.set(w.layer, s);
  }
  let files = new Map<string, StoredFile>();
  try {
    if (byLayer.size > 0) {
      switch (spec.kind) {
        case 'dir': {
          let bytes = 0;
          for (const p of byLayer.get(0) ?? []) {
            const f = await readFromDir(spec.location, p, store);
            if (!f) continue;
            files.set(key(0, p), f);
            bytes += f.size;
            opts.onProgress?.(bytes);
          }
          break;
        }
        case 'oci-dir': {
          let base = 0;
          for (const [layer, paths] of [...byLayer].sort((a, b) => a[0] - b[0])) {
            const p = image.layers[layer]?.digest ? blobPath(image.layers[layer]!.digest!) : undefined;
            if (!p) continue;
            let last = 0;
            const got = await collectFromLayer(counted(fileChunks(join(spec.location, p)), (b) => opts.onProgress?.(base + (last = b))), paths, store);
            base += last;
            for (const [path, f] of got) files.set(key(layer, path), f);
          }
          break;
        }
        case 'registry': {
          // Only the blobs of the layers that hold wanted files are fetched.
          const { registryLayerBlob } = await import('./sources/registry.js');
          let base = 0;
          for (const [layer, paths] of [...byLayer].sort((a, b) => a[0] - b[0])) {
            const blob = registryLayerBlob(image, layer);
            if (!blob) continue;
            let last = 0;
            const got = await collectFromLayer(counted(blob, (b) => opts.onProgress?.(base + (last = b))), paths, store);
            base += last;
            for (const [path, f] of got) files.set(key(layer, path), f);
          }
          break;
        }
        case 'docker-archive':
        case 'oci-archive':
          files = await collectFromArchive(counted(fileChunks(spec.location), opts.onProgress), image, byLayer, store);
          break;
        case 'docker':
        case 'podman': {
          const { client } = engineClient(spec.kind);
          const stream = (await client.getImage(spec.location).get()) as unknown as AsyncIterable<Uint8Array> & { destroy?: () => void };
          try {
            files = await collectFromArchive(counted(stream, opts.onProgress), image, byLayer, store);
          } finally {
            stream.destroy?.();
          }
          break;
        }
      }
    }
  } catch (e) {
    store.close();
    throw e;
  }
  return {
    get: (layer, path) => files.get(key(layer, path))?.source,
    missing: wanted.filter((w) => !files.has(key(w.layer, w.path))),
    memoryBytes: store.memoryBytes,
    spooledBytes: store.spooledBytes,
    close: () => {
      files.clear();
      store.close();
    },
  };
}
