import type { Progress } from '../io/progress.js';
import { formatBytes } from '../model/byte-units.js';

/** A throttled, self-erasing status line on a TTY stream; a no-op elsewhere so stdout/stderr stay clean. */
export function statusLine(stream: NodeJS.WriteStream): {
  show: (text: string, force?: boolean) => void;
  clear: () => void;
} {
  if (!stream.isTTY) return { show: () => {}, clear: () => {} };
  let last = 0;
  let shown = false;
  return {
    show(text, force = false) {
      const now = Date.now();
      if (!force && now - last < 100) return;
      last = now;
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

/** Loading progress: bytes read (of the total when known) and the layer being read. */
export function progressLine(stream: NodeJS.WriteStream): { update: (p: Progress) => void; clear: () => void } {
  const line = statusLine(stream);
  return {
    update(p) {
      const total = p.totalBytes ? ` / ${formatBytes(p.totalBytes)}` : '';
      const layers = p.layerCount
        ? `layer ${Math.min(p.layersRead + 1, p.layerCount)} of ${p.layerCount}`
        : `${p.layersRead} layer${p.layersRead === 1 ? '' : 's'} read`;
      line.show(
        p.stage === 'analysing' ? 'analysing…' : `reading ${formatBytes(p.bytes)}${total} (${layers})`,
        p.stage === 'analysing',
      );
    },
    clear: line.clear,
  };
}
