import { createHash } from 'node:crypto';
import type { ContentAnalyser } from './content-analyser.js';
import { setFact } from './content-analyser.js';

/**
 * Content digests of regular files, for duplicate detection, hashed as the bytes stream by.
 * (Hashing on a worker thread was measured slower on a 2-core machine: the copy into transferable batches and
 * the contention with the parse cost more than the overlap won, and it used ~100 MiB more memory.)
 */
export function createSha256Analyser(): ContentAnalyser {
  return {
    name: 'sha256',
    wants: (e) => e.kind === 'file' && e.size > 0,
    open(entry) {
      const hash = createHash('sha256');
      return {
        write(chunk) {
          hash.update(chunk);
          return true;
        },
        end() {
          setFact(entry, 'sha256', hash.digest('hex'));
        },
      };
    },
  };
}
