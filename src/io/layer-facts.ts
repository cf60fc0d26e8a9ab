import type { ContentFacts, Entry } from '../model/entry.js';

/**
 * What a content pass sends for a layer whose entries the main thread already has (from a skim of its
 * headers): the analysers' facts by entry index, and a check that it saw the same entries — a skim that went
 * wrong somewhere (a header it misjudged) must not pair one entry's facts with another's.
 */
export type EntryFacts = readonly (readonly [number, ContentFacts])[];

export interface LayerCheck {
  entries: number;
  /** Sum of the paths' lengths and of the entries' sizes: cheap, and they move when any entry differs. */
  pathChars: number;
  bytes: number;
}

/** The facts of `entries` (a batch that starts at entry `offset` of its layer), sparse: most entries have none. */
export function entryFacts(entries: readonly Entry[], offset: number): EntryFacts {
  const out: [number, ContentFacts][] = [];
  entries.forEach((e, i) => {
    if (e.facts) out.push([offset + i, e.facts]);
  });
  return out;
}

/** Adds `entries` to the running check. */
export function layerCheck(entries: readonly Entry[], check: LayerCheck): void {
  for (const e of entries) {
    check.entries++;
    check.pathChars += e.path.length;
    check.bytes += e.size;
  }
}

/** Whether the content pass saw exactly the entries the skim gave (in count, names' lengths and sizes). */
export function sameEntries(entries: readonly Entry[], check: LayerCheck): boolean {
  const mine: LayerCheck = { entries: 0, pathChars: 0, bytes: 0 };
  layerCheck(entries, mine);
  return mine.entries === check.entries && mine.pathChars === check.pathChars && mine.bytes === check.bytes;
}
