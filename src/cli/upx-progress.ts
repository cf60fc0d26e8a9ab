import type { UpxModelProgress } from '../io/upx-targets.js';
import { formatBytes } from '../model/byte-units.js';
import { statusLine } from './progress-line.js';

/** Progress of the UPX model: re-reading the packed files, then `xz` at ~1–5 MB/s per file. */
export function upxProgressLine(stream: NodeJS.WriteStream): {
  update: (p: UpxModelProgress) => void;
  clear: () => void;
} {
  const line = statusLine(stream);
  return {
    update(p) {
      line.show(
        p.stage === 'reading'
          ? `UPX model: reading ${p.files} file${p.files === 1 ? '' : 's'} (${formatBytes(p.fileBytes)}) again from the source: ${formatBytes(p.bytes)} read`
          : `UPX model: xz ${p.done + 1}/${p.total} (${formatBytes(p.doneBytes)} / ${formatBytes(p.totalBytes)}) /${p.path}`,
        p.stage !== 'reading',
      );
    },
    clear: line.clear,
  };
}
