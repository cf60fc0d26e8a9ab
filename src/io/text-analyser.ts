/**
 * The 'text' content analyser: keeps the text of a few small, well-known configuration files (the loader
 * configuration and release files) as a string fact, so that the libc inventory reads them from the single
 * pass. At most TEXT_CAP bytes per file; anything bigger is skipped.
 */
import type { ContentAnalyser } from './content-analyser.js';
import { setFact } from './content-analyser.js';
import { isWellKnownTextPath } from '../model/libc/text-files.js';

export const TEXT_CAP = 64 * 1024;

export const textAnalyser: ContentAnalyser = {
  name: 'text',
  copiesChunks: true,
  wants: (e) => e.kind === 'file' && e.size <= TEXT_CAP && isWellKnownTextPath(e.path),
  open(entry) {
    const chunks: Buffer[] = [];
    let n = 0;
    return {
      write(chunk) {
        n += chunk.length;
        if (n > TEXT_CAP) return false;
        chunks.push(Buffer.from(chunk));
        return true;
      },
      end() {
        if (n <= TEXT_CAP) setFact(entry, 'text', Buffer.concat(chunks).toString('utf8'));
      },
    };
  },
};
