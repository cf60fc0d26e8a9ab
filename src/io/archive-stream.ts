import type { Transform } from 'node:stream';
import { peek } from './byte-stream.js';
import { decompressor, sniff } from './decompress.js';
import { SlimError, messages } from './errors.js';

/**
 * The bytes of an image archive's outer tar: a plain tar passes through; a compressed one
 * (`docker save IMAGE | gzip > img.tar.gz`, or zstd) gets its decompressor; anything else is not an archive.
 */
export async function archiveTarStream(
  input: AsyncIterable<Uint8Array>,
  what: string,
): Promise<{ stream: AsyncIterable<Uint8Array>; decompress: Transform[] }> {
  const { head, stream } = await peek(input, 512);
  const kind = sniff(head);
  if (kind !== 'tar' && kind !== 'gzip' && kind !== 'zstd') throw new SlimError(messages.notATar(what));
  return { stream, decompress: kind === 'tar' ? [] : [decompressor(kind)] };
}
