import fuzzysort from 'fuzzysort';
import type { FileTree } from '../model/file-tree.js';

/**
 * Fuzzy search over every path of the image. Paths are prepared once per tree (the file list never changes
 * after load). `limit` bounds the work of ranking and drawing: only the best matches are kept (the total is
 * reported). `threshold` 0.2 keeps scattered matches such as "usrlibc" → /usr/lib/libc.so.6, while
 * dropping matches whose letters are spread across unrelated path segments (fuzzysort's default 0.5
 * hides many useful path hits).
 */
export const SEARCH_LIMIT = 200;
export const SEARCH_THRESHOLD = 0.2;

type Prepared = ReturnType<typeof fuzzysort.prepare>;

export interface SearchIndex {
  readonly targets: readonly Prepared[];
}


const cache = new WeakMap<FileTree, SearchIndex>();

/** Prepared `/path` strings for every node but the root, in node order (built once per tree). */
export function searchIndex(tree: FileTree): SearchIndex {
  let hit = cache.get(tree);
  if (!hit) {
    const targets = new Array<Prepared>(tree.nodes.length - 1);
    for (let i = 1; i < tree.nodes.length; i++) targets[i - 1] = fuzzysort.prepare(`/${tree.nodes[i]!.path}`);
    hit = { targets };
    cache.set(tree, hit);
  }
  return hit;
}

export interface SearchHit {
  /** The path with its leading slash, as shown. */
  readonly target: string;
  readonly score: number;
  /** Indexes of the matched characters in `target`. */
  readonly indexes: readonly number[];
}

export interface SearchResult {
  readonly hits: readonly SearchHit[];
  /** Matches before the limit. */
  readonly total: number;
}

export function runSearch(index: SearchIndex, query: string): SearchResult {
  const q = query.trim();
  if (q === '') return { hits: [], total: 0 };
  const res = fuzzysort.go(q, index.targets, { limit: SEARCH_LIMIT, threshold: SEARCH_THRESHOLD });
  return { hits: res.map((r) => ({ target: r.target, score: r.score, indexes: [...r.indexes] })), total: res.total };
}

/** Splits a hit's text into plain and matched runs, for highlighting. */
export function highlightRuns(hit: SearchHit): { text: string; match: boolean }[] {
  const marks = new Set(hit.indexes);
  const runs: { text: string; match: boolean }[] = [];
  for (let i = 0; i < hit.target.length; i++) {
    const match = marks.has(i);
    const lastRun = runs[runs.length - 1];
    if (lastRun && lastRun.match === match) lastRun.text += hit.target[i];
    else runs.push({ text: hit.target[i]!, match });
  }
  return runs;
}
