import * as crypto from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { ContentAnalyser } from './content-analyser.js';
import { setFact } from './content-analyser.js';

/** `crypto.hash` (Node ≥ 20.12), or undefined on an older Node 20. */
const hashOnce = (crypto as { hash?: (algo: string, data: Uint8Array, enc: 'hex') => string }).hash;

/**
 * Content digests of regular files, for duplicate detection, hashed as the bytes stream by.
 * (Hashing on a worker thread was measured slower on a 2-core machine: the copy into transferable batches and
 * the contention with the parse cost more than the overlap won, and it used ~100 MiB more memory.)
 */
export function createSha256Analyser(): ContentAnalyser {
  return {
    name: 'sha256',
    // (the hash reads each chunk within `write`)
    copiesChunks: true,
    wants: (e) => e.kind === 'file' && e.size > 0,
    open(entry) {
      let hash: Hash | undefined;
      let hex: string | undefined;
      return {
        write(chunk) {
          // A file that comes as one chunk (most small files do) is hashed in one call: no Hash object, which on
          // a million small files was ~0.5 µs of each one's hashing.
          if (hash === undefined && hex === undefined && chunk.length === entry.size && hashOnce) {
            hex = hashOnce('sha256', chunk, 'hex');
            return true;
          }
          // (A chunk of the entry's whole size is its only one: the tar parser streams exactly that many bytes.)
          (hash ??= crypto.createHash('sha256')).update(chunk);
          return true;
        },
        end() {
          setFact(entry, 'sha256', hex ?? (hash ?? crypto.createHash('sha256')).digest('hex'));
        },
      };
    },
  };
}
