import type { Progress } from '../io/progress.js';
import { formatBytes } from '../model/byte-units.js';

/** A throttled, self-erasing progress line on a TTY stream; a no-op elsewhere so stdout/stderr stay clean. */
export function progressLine(stream: NodeJS.WriteStream): { update: (p: Progress) => void; clear: () => void } {
  if (!stream.isTTY) return { update: () => {}, clear: () => {} };
  let last = 0;
  let shown = false;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const total = p.totalBytes ? ` / ${formatBytes(p.totalBytes)}` : '';
      const layers = p.layerCount ? `layer ${Math.min(p.layersRead + 1, p.layerCount)} of ${p.layerCount}` : `${p.layersRead} layer${p.layersRead === 1 ? "" : "s"} read`;
      const text = p.stage === 'analysing' ? 'analysing…' : `reading ${formatBytes(p.bytes)}${total} (${layers})`;
      stream.write(`\r\x1b[2K${text}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}
