import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract as tarExtract } from 'tar-stream';
import { archiveTarStream } from './archive-stream.js';
import { toReadable } from './byte-stream.js';
import { SlimError, messages } from './errors.js';
import type { TarEntry } from './layer-reader.js';
import { outerFileName } from './outer-entry.js';

export interface OuterWalkOptions {
  /** What the archive is, for messages. */
  readonly what: string;
  /** Raw (stored) bytes of the archive read so far. */
  readonly onBytes?: (bytes: number) => void;
  /** Stops the walk; it then rejects with an Error('aborted'). */
  readonly signal?: AbortSignal;
}

/** What a visitor returns: `STOP` ends the walk early (the rest of the archive is not read). */
export const STOP = Symbol('stop');

/**
 * A visitor for each regular file of the outer tar, by normalised name. It must consume or drain the entry
 * (or return STOP). Links between blobs (legacy `docker save` writes a repeated layer as a symlink) are not
 * visited; they are recorded in the returned map (name → target name).
 */
export type OuterVisitor = (name: string, entry: TarEntry) => Promise<typeof STOP | void>;

class ByteCounter extends Transform {
  bytes = 0;
  constructor(private readonly tick?: (bytes: number) => void) {
    super({ highWaterMark: 1 << 20 });
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.tick?.(this.bytes);
    done(null, chunk);
  }
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * THE walk over an image archive's outer tar (a `docker save` stream, an OCI archive, an engine's export;
 * gzip/zstd-compressed outer tars too): the one pass that loads an image and the later targeted re-reads
 * (preview heads, whole files) all go through here. Resolves with the archive's links and its byte count.
 */
export async function walkOuterArchive(
  input: AsyncIterable<Uint8Array>,
  opts: OuterWalkOptions,
  visit: OuterVisitor,
): Promise<{ links: Map<string, string>; bytes: number }> {
  const links = new Map<string, string>();
  const counter = new ByteCounter(opts.onBytes);
  const { stream, decompress } = await archiveTarStream(input, opts.what);
  const outer = tarExtract();
  const ac = new AbortController();
  const abort = (): void => ac.abort();
  opts.signal?.addEventListener('abort', abort, { once: true });
  let pipeError: unknown;
  const stages: Transform[] = [counter, ...decompress];
  const feeding = pipeline(
    [toReadable(stream), ...stages, outer] as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream],
    { signal: ac.signal },
  ).catch((e: unknown) => {
    if (!ac.signal.aborted) pipeError = e;
  });
  try {
    for await (const te of outer as unknown as AsyncIterable<TarEntry>) {
      const name = outerFileName(te, links);
      if (name === undefined) continue;
      if ((await visit(name, te)) === STOP) {
        ac.abort();
        break;
      }
    }
  } catch (e) {
    await feeding;
    if (opts.signal?.aborted) throw new Error('aborted');
    if (e instanceof SlimError) throw e;
    throw new SlimError(messages.truncated(opts.what, errorText(pipeError ?? e)));
  } finally {
    opts.signal?.removeEventListener('abort', abort);
  }
  await feeding;
  if (opts.signal?.aborted) throw new Error('aborted');
  if (pipeError) throw new SlimError(messages.truncated(opts.what, errorText(pipeError)));
  return { links, bytes: counter.bytes };
}

/** Follows the archive's links from `path` to the regular file they end at. */
export function resolveLink(links: ReadonlyMap<string, string>, path: string): string {
  let p = path;
  for (let i = 0; i < 16 && links.has(p); i++) p = links.get(p)!;
  return p;
}
