/**
 * Targeted reads inside ONE layer blob (tar, gzip or zstd, sniffed): the head of a file (the preview) or the
 * whole bytes of a few files (the UPX model). Shared by every tar-based source; nothing is written to disk
 * under an image path's name.
 */
import { pipeline } from 'node:stream/promises';
import { extract as tarExtract } from 'tar-stream';
import { normaliseName } from '../model/paths.js';
import { drain, peek, toReadable } from './byte-stream.js';
import type { ByteStore, StoredFile } from './byte-store.js';
import { decompressor, sniff } from './decompress.js';
import type { TarEntry } from './layer-reader.js';

export const PREVIEW_CAP = 64 * 1024;

/** A file the source does not hold (shown to the user as the preview's message). */
export class NotFound extends Error {}

/**
 * Visits each regular file of a layer blob whose normalised path `wants` accepts; `take` consumes it and
 * returns true to stop. A blob that is not a tar (nor gzip/zstd) is drained and holds nothing.
 */
async function eachFile(
  blob: AsyncIterable<Uint8Array>,
  wants: (path: string) => boolean,
  take: (path: string, te: TarEntry) => Promise<boolean>,
): Promise<void> {
  const { head, stream } = await peek(blob, 512);
  const kind = sniff(head);
  if (kind !== 'tar' && kind !== 'gzip' && kind !== 'zstd') {
    await drain(stream);
    return;
  }
  const inner = tarExtract();
  const ac = new AbortController();
  let failure: unknown;
  const stages = kind === 'tar' ? [] : [decompressor(kind)];
  const feeding = pipeline(
    [toReadable(stream), ...stages, inner] as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream],
    { signal: ac.signal },
  ).catch((e: unknown) => {
    if (!ac.signal.aborted) failure = e;
  });
  try {
    for await (const te of inner as unknown as AsyncIterable<TarEntry>) {
      const n = normaliseName(te.header.name);
      const type = te.header.type ?? 'file';
      if (n.ok && (type === 'file' || type === 'contiguous-file') && wants(n.path) && (await take(n.path, te))) {
        ac.abort();
        break;
      }
      te.resume();
    }
  } finally {
    await feeding;
  }
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
}

/** Keeps the first `cap` bytes of a stream, then stops reading it. */
async function headOf(source: AsyncIterable<Uint8Array>, cap: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let have = 0;
  for await (const chunk of source) {
    const b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    parts.push(have + b.length > cap ? b.subarray(0, cap - have) : b);
    have += b.length;
    if (have >= cap) break;
  }
  return Buffer.concat(parts);
}

/** The head of `path` as the layer blob stores it (the first regular file of that name), or undefined. */
export async function fileHeadInLayer(
  blob: AsyncIterable<Uint8Array>,
  path: string,
  cap = PREVIEW_CAP,
): Promise<Buffer | undefined> {
  let hit: Buffer | undefined;
  await eachFile(
    blob,
    (p) => p === path,
    async (_p, te) => {
      hit = await headOf(te, cap);
      return true;
    },
  );
  return hit;
}

/** Collects every regular file of `paths` from one layer blob into `store`; a later duplicate wins. */
export async function wholeFilesInLayer(
  blob: AsyncIterable<Uint8Array>,
  paths: ReadonlySet<string>,
  store: ByteStore,
): Promise<Map<string, StoredFile>> {
  const got = new Map<string, StoredFile>();
  try {
    await eachFile(
      blob,
      (p) => paths.has(p),
      async (p, te) => {
        const w = store.begin(te.header.size ?? 0);
        for await (const chunk of te as AsyncIterable<Uint8Array>) w.write(chunk);
        const file = w.end();
        const old = got.get(p);
        if (old) store.release(old);
        got.set(p, file);
        return false;
      },
    );
  } catch (e) {
    for (const f of got.values()) store.release(f);
    throw e;
  }
  return got;
}

/** Counts the bytes flowing by, for progress. */
export async function* counted(
  source: AsyncIterable<Uint8Array>,
  onProgress: ((bytes: number) => void) | undefined,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  let bytes = 0;
  for await (const chunk of source) {
    if (signal?.aborted) throw new Error('aborted');
    bytes += chunk.byteLength;
    onProgress?.(bytes);
    yield chunk;
  }
}
