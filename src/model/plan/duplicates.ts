import { dataBytes, type EntryRef } from './entry-ref.js';
import type { FinalEntry } from './entry-index.js';

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
  const bySha = new Map<string, FinalEntry[]>();
  for (const f of finals) {
    const sha = f.entry.facts?.sha256;
    if (f.entry.kind !== 'file' || typeof sha !== 'string' || dataBytes(f.entry) === 0) continue;
    const list = bySha.get(sha);
    if (list) list.push(f);
    else bySha.set(sha, [f]);
  }
  const groups: DuplicateGroup[] = [];
  for (const [sha256, list] of bySha) {
    if (list.length < 2) continue;
    list.sort((a, b) => a.ref.layer - b.ref.layer || (a.node.path < b.node.path ? -1 : 1));
    const size = list[0]!.entry.size;
    groups.push({
      sha256,
      size,
      copies: list.map((f) => ({ path: f.node.path, ref: f.ref })),
      extraBytes: size * (list.length - 1),
    });
  }
  return groups.sort((a, b) => b.extraBytes - a.extraBytes || (a.sha256 < b.sha256 ? -1 : 1));
}
