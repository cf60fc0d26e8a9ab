import { createHash, type Hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Entry } from '../model/entry.js';
import type { ContentAnalyser } from './content-analyser.js';
import { setFact } from './content-analyser.js';

const BATCH_BYTES = 4 << 20;
/** Batches in flight before new files are hashed on the main thread instead (bounds the memory queued). */
const MAX_IN_FLIGHT = 16;

/**
 * Content digests of regular files, for duplicate detection, hashed on a worker thread so that the
 * parse (main thread) and the hashing (second core) overlap. File bytes are copied into 4 MiB batches that
 * are transferred, not cloned; when the worker falls behind, new files are hashed on the main thread.
 * `finish()` resolves when every digest has been stored on its entry.
 */
export function createSha256Analyser(): ContentAnalyser & { finish(): Promise<void> } {
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, Entry>();
  let inFlight = 0;
  let batch = Buffer.allocUnsafe(BATCH_BYTES);
  let used = 0;
  let spans: number[] = [];
  let drained: (() => void) | undefined;
  let failure: Error | undefined;

  const start = (): Worker => {
    const w = new Worker(new URL('./digest-worker.js', import.meta.url));
    w.on('message', (done: [number, string][]) => {
      inFlight--;
      for (const [id, hex] of done) {
        const entry = pending.get(id);
        pending.delete(id);
        if (entry) setFact(entry, 'sha256', hex);
      }
      if (inFlight === 0 && drained) drained();
    });
    w.on('error', (e) => {
      failure = e;
      drained?.();
    });
    // Unreferenced while the pass runs (an error path must not hang on it); `finish` references it again.
    w.unref();
    return w;
  };

  const flush = (): void => {
    if (spans.length === 0) return;
    worker ??= start();
    const out = batch.buffer.slice(batch.byteOffset, batch.byteOffset + used) as ArrayBuffer;
    worker.postMessage({ buffer: out, spans }, [out]);
    inFlight++;
    batch = Buffer.allocUnsafe(BATCH_BYTES);
    used = 0;
    spans = [];
  };

  const append = (id: number, chunk: Uint8Array, last: boolean): void => {
    let offset = 0;
    do {
      if (used === BATCH_BYTES) flush();
      const n = Math.min(chunk.length - offset, BATCH_BYTES - used);
      batch.set(chunk.subarray(offset, offset + n), used);
      offset += n;
      spans.push(id, used, n, last && offset === chunk.length ? 1 : 0);
      used += n;
    } while (offset < chunk.length);
  };

  return {
    name: 'sha256',
    wants: (e) => e.kind === 'file' && e.size > 0,
    open(entry) {
      if (inFlight >= MAX_IN_FLIGHT || failure) {
        const hash: Hash = createHash('sha256');
        return {
          write: (chunk) => (hash.update(chunk), true),
          end: () => setFact(entry, 'sha256', hash.digest('hex')),
        };
      }
      const id = nextId++;
      pending.set(id, entry);
      let last: Uint8Array | undefined;
      return {
        // One chunk is held back so the file's final span can be marked as its last.
        write(chunk) {
          if (last) append(id, last, false);
          last = chunk;
          return true;
        },
        end() {
          append(id, last ?? new Uint8Array(0), true);
        },
        abort() {
          pending.delete(id);
        },
      };
    },
    async finish() {
      flush();
      worker?.ref();
      if (inFlight > 0 && !failure) await new Promise<void>((resolve) => (drained = resolve));
      drained = undefined;
      if (failure) throw failure;
      await worker?.terminate();
      worker = undefined;
    },
  };
}
