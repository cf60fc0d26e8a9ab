import { dataBytes, type EntryRef } from './entry-ref.js';
import type { FinalEntry } from './entry-index.js';
import { runSteps, STEP_ITEMS, type Steps } from '../steps.js';
import { sortSteps } from '../sort-steps.js';

export interface DuplicateGroup {
  readonly sha256: string;
  readonly size: number;
  /** Every copy, the kept one first (lowest layer, then path order). */
  readonly copies: readonly { readonly path: string; readonly ref: EntryRef }[];
  /** (copies − 1) × size: what keeping one copy saves. */
  readonly extraBytes: number;
}

/** Identical content (same sha256 digest from the single pass) at several paths of the final filesystem. */
export function findDuplicates(finals: readonly FinalEntry[]): DuplicateGroup[] {
  return runSteps(findDuplicatesSteps(finals));
}

/** `findDuplicates` in slices (see model/steps.ts): at a million digests the grouping alone is seconds. */
export function* findDuplicatesSteps(finals: readonly FinalEntry[]): Steps<DuplicateGroup[]> {
  const bySha = new Map<string, FinalEntry[]>();
  let i = 0;
  for (const f of finals) {
    if (++i % STEP_ITEMS === 0) yield;
    const sha = f.entry.facts?.sha256;
    if (f.entry.kind !== 'file' || typeof sha !== 'string' || dataBytes(f.entry) === 0) continue;
    const list = bySha.get(sha);
    if (list) list.push(f);
    else bySha.set(sha, [f]);
  }
  const groups: DuplicateGroup[] = [];
  // Work counted in copies, not groups: 4,096 groups of a few thousand copies each were one multi-second step.
  let work = 0;
  for (const [sha256, list] of bySha) {
    if ((work += list.length) >= STEP_ITEMS) {
      work = 0;
      yield;
    }
    if (list.length < 2) continue;
    // A big group (one content at 100,000s of paths) is a long sort: it goes in slices too.
    yield* sortSteps(list, (a, b) => a.ref.layer - b.ref.layer || (a.node.path < b.node.path ? -1 : 1));
    const size = list[0]!.entry.size;
    groups.push({
      sha256,
      size,
      copies: list.map((f) => ({ path: f.node.path, ref: f.ref })),
      extraBytes: size * (list.length - 1),
    });
  }
  return yield* sortSteps(groups, (a, b) => b.extraBytes - a.extraBytes || (a.sha256 < b.sha256 ? -1 : 1));
}
