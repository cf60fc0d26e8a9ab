/**
 * The targeted re-reads of an image archive (a file, or an engine's export) after its one pass: the pass
 * recorded which outer blob holds each layer (`blobNames`, one per layer position), so a re-read opens only
 * those blobs and stops as soon as it has what it came for.
 */
import type { ReadFilesOptions, ReadFileOptions, FileSet, WantedFile } from '../model/ports.js';
import { drain } from './byte-stream.js';
import { collectFileSet } from './file-set.js';
import { fileHeadInLayer, NotFound, PREVIEW_CAP, wholeFilesInLayer } from './layer-files.js';
import { STOP, walkOuterArchive } from './outer-archive.js';

/** The head of `path` in layer `layer`, from the archive stream `input`. */
export async function archiveFileHead(
  input: AsyncIterable<Uint8Array>,
  blobNames: readonly string[],
  layer: number,
  path: string,
  opts: ReadFileOptions & { readonly what: string; readonly cap?: number },
): Promise<Buffer> {
  const blob = blobNames[layer];
  if (blob === undefined) throw new NotFound(`no layer ${layer}`);
  let hit: Buffer | undefined;
  await walkOuterArchive(
    input,
    {
      what: opts.what,
      ...(opts.onProgress ? { onBytes: opts.onProgress } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    },
    async (name, te) => {
      if (name !== blob) return drain(te);
      hit = await fileHeadInLayer(te, path, opts.cap ?? PREVIEW_CAP);
      return STOP;
    },
  );
  if (!hit) throw new NotFound(`/${path} is not a regular file in layer ${layer}`);
  return hit;
}

/** The whole bytes of `wanted`, from the archive stream `open()` gives; the walk stops after the last blob needed. */
export async function archiveWholeFiles(
  input: AsyncIterable<Uint8Array>,
  blobNames: readonly string[],
  wanted: readonly WantedFile[],
  opts: ReadFilesOptions & { readonly what: string },
): Promise<FileSet> {
  return collectFileSet(wanted, opts, async (groups, store, found) => {
    // blob name → the layer positions it holds (one blob may hold several positions).
    const pending = new Map<string, number[]>();
    for (const layer of groups.keys()) {
      const blob = blobNames[layer];
      if (blob !== undefined) pending.set(blob, [...(pending.get(blob) ?? []), layer]);
    }
    if (pending.size === 0) return;
    await walkOuterArchive(
      input,
      { what: opts.what, ...(opts.onProgress ? { onBytes: opts.onProgress } : {}) },
      async (name, te) => {
        const layers = pending.get(name);
        if (!layers) return drain(te);
        const paths = new Set(layers.flatMap((l) => [...groups.get(l)!]));
        const got = await wholeFilesInLayer(te, paths, store);
        for (const l of layers)
          for (const p of groups.get(l)!) {
            const f = got.get(p);
            if (f) found(l, p, f);
          }
        pending.delete(name);
        return pending.size === 0 ? STOP : undefined;
      },
    );
  });
}
