import { STEP_ITEMS, type Steps } from './steps.js';

/**
 * `items.sort(cmp)` in slices (see steps.ts): runs of STEP_ITEMS sorted natively, then merged pairwise,
 * yielding every STEP_ITEMS items merged. Stable like the native sort (ties keep their order), so the result
 * is the same. Sorts `items` in place and returns it. A million-path sort is seconds: as one step it held the
 * explorer's keys that long.
 */
export function* sortSteps<T>(items: T[], cmp: (a: T, b: T) => number): Steps<T[]> {
  const n = items.length;
  if (n <= STEP_ITEMS) return items.sort(cmp);
  let from = items.slice();
  let to = new Array<T>(n);
  for (let i = 0; i < n; i += STEP_ITEMS) {
    const run = from.slice(i, i + STEP_ITEMS).sort(cmp);
    for (let k = 0; k < run.length; k++) from[i + k] = run[k]!;
    yield;
  }
  let done = 0;
  for (let width = STEP_ITEMS; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      for (let k = lo; k < hi; k++) {
        // The left run wins ties: that keeps the sort stable.
        to[k] = j >= hi || (i < mid && cmp(from[i]!, from[j]!) <= 0) ? from[i++]! : from[j++]!;
        if (++done % STEP_ITEMS === 0) yield;
      }
    }
    [from, to] = [to, from];
  }
  for (let k = 0; k < n; k++) items[k] = from[k]!;
  return items;
}
