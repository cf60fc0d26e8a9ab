import { createHash } from 'node:crypto';
import type { RegistryClient } from './client.js';
import { errorCodes, networkError } from './client.js';
import { RegistryError } from './registry-error.js';
import { errorCode, isRetryable } from './transport.js';

export interface BlobStreamOptions {
  /** Called with each chunk's length as it arrives (after a resume, only new bytes). */
  readonly onBytes?: (n: number) => void;
  /** Resumes allowed after a dropped connection (default 5). */
  readonly resumes?: number;
  /** Stops the transfer (another layer failed, the user left). */
  readonly signal?: AbortSignal;
  /** Told once per resume, e.g. for a test or a verbose log. */
  readonly onResume?: (offset: number) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * One blob's bytes, streamed as they arrive and hashed on the way: the digest (and the descriptor's size) is
 * checked when the last byte has been passed on, and a mismatch is an error, so a consumer that reads to the
 * end never accepts bad bytes. A dropped connection resumes with `Range: bytes=N-` (a server that ignores
 * ranges resends from 0, and the first N bytes are skipped). Nothing is written anywhere.
 */
export async function* blobStream(
  client: RegistryClient,
  desc: { digest: string; size: number },
  opts: BlobStreamOptions = {},
): AsyncGenerator<Buffer> {
  const [algo, hex] = desc.digest.split(':');
  if ((algo !== 'sha256' && algo !== 'sha512') || !hex) throw new RegistryError(`unsupported digest ${desc.digest}`);
  const where = `${client.ref.domain}/${client.ref.path}`;
  const hash = createHash(algo);
  let got = 0;
  let resumes = 0;
  const maxResumes = opts.resumes ?? 5;
  for (;;) {
    if (opts.signal?.aborted) throw new RegistryError('aborted');
    const r = await client.get(`blobs/${desc.digest}`, got > 0 ? { range: `bytes=${got}-` } : {});
    if (r.status === 404) {
      await r.body.dump().catch(() => undefined);
      throw new RegistryError(`blob ${desc.digest} not found in registry ${where}`);
    }
    if (r.status !== 200 && r.status !== 206) {
      const codes = await errorCodes(r);
      throw new RegistryError(
        `registry ${client.ref.domain} answered HTTP ${r.status} for blob ${desc.digest}${codes.length ? ` (${codes.join(', ')})` : ''}`,
      );
    }
    let skip = 0;
    if (got > 0) {
      const m = /^bytes (\d+)-/.exec(String(r.headers['content-range'] ?? ''));
      const start = r.status === 206 && m ? Number(m[1]) : 0;
      if (start > got) {
        await r.body.dump().catch(() => undefined);
        throw new RegistryError(`registry ${client.ref.domain} resumed blob ${desc.digest} at ${start}, not ${got}`);
      }
      skip = got - start;
    }
    const stop = (): void => void r.body.destroy();
    opts.signal?.addEventListener('abort', stop, { once: true });
    try {
      for await (const raw of r.body as AsyncIterable<Buffer>) {
        let chunk = raw;
        if (skip > 0) {
          if (chunk.length <= skip) {
            skip -= chunk.length;
            continue;
          }
          chunk = chunk.subarray(skip);
          skip = 0;
        }
        got += chunk.length;
        if (desc.size > 0 && got > desc.size)
          throw new RegistryError(
            `blob ${desc.digest} of ${where} is larger than its manifest says (${desc.size} bytes)`,
          );
        hash.update(chunk);
        opts.onBytes?.(chunk.length);
        yield chunk;
      }
      if (desc.size > 0 && got < desc.size)
        throw Object.assign(new Error('premature end of blob'), { code: 'UND_ERR_SOCKET' });
      break;
    } catch (e) {
      if (e instanceof RegistryError) throw e;
      if (opts.signal?.aborted) throw new RegistryError('aborted');
      if (!isRetryable(errorCode(e)) || resumes >= maxResumes) throw networkError(e, client.ref.domain, r.url);
      resumes++;
      opts.onResume?.(got);
      await sleep(Math.min(200 * 2 ** (resumes - 1), 5000));
    } finally {
      opts.signal?.removeEventListener('abort', stop);
      r.body.destroy();
    }
  }
  const actual = hash.digest('hex');
  if (actual !== hex.toLowerCase())
    throw new RegistryError(`blob ${desc.digest} of ${where} failed verification: its bytes hash to ${algo}:${actual}`);
}

/** A small blob (the image config) read whole and verified. */
export async function readBlob(
  client: RegistryClient,
  desc: { digest: string; size: number },
  cap: number,
): Promise<Buffer> {
  if (desc.size > cap) throw new RegistryError(`blob ${desc.digest} is too large to be image metadata`);
  const parts: Buffer[] = [];
  for await (const c of blobStream(client, desc)) parts.push(c);
  return Buffer.concat(parts);
}
