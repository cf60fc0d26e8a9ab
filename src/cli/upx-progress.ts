import type { UpxModelProgress } from '../io/upx-targets.js';
import { formatBytes } from '../model/byte-units.js';

/**
 * Progress of the UPX model (re-reading the packed files, then `xz` at ~1–5 MB/s per file) as a throttled,
 * self-erasing line on a TTY; nothing elsewhere, so piped output stays clean.
 */
export function upxProgressLine(stream: NodeJS.WriteStream): { update: (p: UpxModelProgress) => void; clear: () => void } {
  if (!stream.isTTY) return { update: () => {}, clear: () => {} };
  let last = 0;
  let shown = false;
  return {
    update(p) {
      const now = Date.now();
      if (p.stage === 'reading' && now - last < 100) return;
      last = now;
      const text =
        p.stage === 'reading'
          ? `UPX model: reading ${p.files} file${p.files === 1 ? '' : 's'} (${formatBytes(p.fileBytes)}) again from the source: ${formatBytes(p.bytes)} read`
          : `UPX model: xz ${p.done + 1}/${p.total} (${formatBytes(p.doneBytes)} / ${formatBytes(p.totalBytes)}) /${p.path}`;
      const width = (stream.columns ?? 100) - 1;
      stream.write(`\r\x1b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}
