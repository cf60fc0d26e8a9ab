import { writeFileSync } from 'node:fs';

/**
 * SLIMTUI_TRACE=FILE: when the process ends, FILE gets one line per phase mark — milliseconds since the process
 * started, then the mark's name — for the benchmark's breakdown of a first frame (scripts/bench-tui.mjs). The
 * marks are `performance.mark` calls (a global: io and ui mark their own phases without importing this file);
 * `frame` is the first write to stdout big enough to be a whole screen. Nothing is written without the variable.
 */
const file = process.env['SLIMTUI_TRACE'];

/** A frame of the explorer is several kB of text; progress lines and escape codes are far less. */
const FRAME_BYTES = 1500;

export const mark = (name: string): void => {
  if (file) performance.mark(name);
};

if (file) {
  const write = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean;
  let framed = false;
  Object.assign(process.stdout, {
    write: (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      if (!framed && chunk.length > FRAME_BYTES) {
        framed = true;
        mark('frame');
      }
      return write(chunk, ...rest);
    },
  });
  process.on('exit', () => {
    const marks = performance.getEntriesByType('mark');
    writeFileSync(file, marks.map((m) => `${m.startTime.toFixed(0)} ${m.name}\n`).join(''));
  });
}
