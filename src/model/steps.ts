/**
 * A long computation written as a generator that yields now and then (every few thousand items), so a
 * caller can run it in slices and let other work in between (the explorer answers keys while the waste
 * classes are computed). `runSteps` runs it to the end at once, for callers that just want the value.
 */
export type Steps<T> = Generator<void, T, void>;

export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** How many items a loop handles between yields: small enough for ~1 ms slices, large enough to cost nothing. */
export const STEP_ITEMS = 4096;
