import { createHash } from 'node:crypto';
import type { ContentAnalyser } from './content-analyser.js';
import { setFact } from './content-analyser.js';

/** Content digests of regular files, for duplicate detection. */
export const sha256Analyser: ContentAnalyser = {
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
