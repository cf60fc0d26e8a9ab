/**
 * Worker side of the content-digest analyser: receives batches of file bytes (one transferred buffer and
 * the spans of the files in it), keeps a running sha256 per file, and posts back each finished digest.
 */
import { createHash, type Hash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

export interface DigestBatch {
  readonly buffer: ArrayBuffer;
  /** [file id, start, length, last (1 when the file ends in this span)] repeated. */
  readonly spans: readonly number[];
}

const running = new Map<number, Hash>();

parentPort?.on('message', (batch: DigestBatch) => {
  const bytes = new Uint8Array(batch.buffer);
  const done: [number, string][] = [];
  for (let i = 0; i < batch.spans.length; i += 4) {
    const id = batch.spans[i]!;
    const start = batch.spans[i + 1]!;
    const length = batch.spans[i + 2]!;
    let hash = running.get(id);
    if (!hash) running.set(id, (hash = createHash('sha256')));
    hash.update(bytes.subarray(start, start + length));
    if (batch.spans[i + 3] === 1) {
      running.delete(id);
      done.push([id, hash.digest('hex')]);
    }
  }
  parentPort!.postMessage(done);
});
