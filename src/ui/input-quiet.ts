/**
 * When the last key came. The background slices (slice-job.ts) wait until keys have been quiet for a moment:
 * a key that arrives during a slice waits for it, and while someone types or holds a key the frames come first
 * (the analyses after the first frame go on between bursts).
 */
let lastKey = -Infinity;

/** How long keys must have been quiet before a background slice runs (a held key repeats every ~30 ms). */
export const QUIET_MS = 50;

export const noteKey = (): void => {
  lastKey = performance.now();
};

/** Milliseconds a background slice should still wait; 0 when it may run now. */
export const quietWait = (): number => Math.max(0, QUIET_MS - (performance.now() - lastKey));
