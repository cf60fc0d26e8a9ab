import fuzzysort from 'fuzzysort';
import { parentIdsOf, type FileTree } from '../model/file-tree.js';

/**
 * Fuzzy search over every path of the image, ranked by fuzzysort. It scales to millions of paths: nothing
 * is prepared up front (fuzzysort's prepared targets cost ~300 B a path — a 3,000,000-path image ran out of
 * heap on the first keystroke). Instead a job walks the nodes in id order (parents first), carrying per
 * node how much of each query word its `/path` has matched as a subsequence — the names are scanned once, the
 * paths never built — and only paths that contain the query as a subsequence (fuzzysort's own condition for
 * a match) are built and scored, one at a time. The job runs in slices (`step`), so the UI stays responsive
 * and shows results as they come. `limit` keeps the best matches (the total is counted); `threshold` 0.2
 * keeps scattered matches such as "usrlibc" → /usr/lib/libc.so.6, while dropping matches whose letters are
 * spread across unrelated path segments (fuzzysort's default 0.5 hides many useful path hits).
 */
export const SEARCH_LIMIT = 200;
export const SEARCH_THRESHOLD = 0.2;

/** A tree of paths as the search walks it: nodes in id order, parents before children, node 0 the root. */
export interface PathNodes {
  readonly nodes: readonly { readonly name: string; readonly path: string }[];
  /** The parent's id (0 for the root's children). */
  readonly parentId: (id: number) => number;
}

export interface SearchIndex {
  readonly paths: PathNodes;
  /** The searchable paths: every node but the root. */
  readonly targets: { readonly length: number };
}

const cache = new WeakMap<object, SearchIndex>();

/** The search index of a path tree (nothing is built ahead: the tree is the index), once per tree. */
export function pathSearchIndex(key: object, paths: PathNodes): SearchIndex {
  let hit = cache.get(key);
  if (!hit) cache.set(key, (hit = { paths, targets: { length: Math.max(0, paths.nodes.length - 1) } }));
  return hit;
}

/** The search index of the merged file tree. */
export function searchIndex(tree: FileTree): SearchIndex {
  const parents = parentIdsOf(tree);
  // (the root, and an id past the tree: 0, as the root's own parent reads here)
  return pathSearchIndex(tree, { nodes: tree.nodes, parentId: (id) => Math.max(parents[id] ?? 0, 0) });
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
  /** Matches before the limit (so far, while the search runs). */
  readonly total: number;
  /** Paths looked at so far, of `of` (equal when the search is done). */
  readonly scanned?: number;
  readonly of?: number;
}

/** Characters as fuzzysort compares them: lower case, accents dropped (é → e). */
function foldChar(ch: string): string {
  if (ch.charCodeAt(0) < 128) return ch.toLowerCase();
  const r = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  return (r.length === 1 ? r : ch).toLowerCase();
}

const NON_ASCII = /[^\x00-\x7f]/;
const foldName = (name: string): string =>
  NON_ASCII.test(name) ? [...name].map(foldChar).join('') : name.toLowerCase();

/** A search for one query, run in slices. */
export class SearchJob {
  readonly words: readonly string[];
  private readonly state: Uint8Array[];
  private next = 1;
  private total = 0;
  private readonly best: SearchHit[] = [];

  constructor(
    readonly index: SearchIndex,
    readonly query: string,
  ) {
    const q = query.trim();
    // fuzzysort matches each space-separated word on its own: each must be a subsequence of the path.
    this.words = q === '' ? [] : q.split(/\s+/).map((w) => [...w].map(foldChar).join('').slice(0, 250));
    this.state = this.words.map(() => new Uint8Array(index.paths.nodes.length));
    if (this.words.length === 0) this.next = index.paths.nodes.length;
  }

  get done(): boolean {
    return this.next >= this.index.paths.nodes.length;
  }

  /**
   * Looks at up to `nodes` more paths, and stops early once `until` (a `performance.now()` time) has passed;
   * true when the search is done. Paths cost very different amounts: one that can match is scored by
   * fuzzysort (~10–20 µs), one that cannot costs a few character compares: with slices of a fixed count, a
   * search keystroke on the bench image's system paths waited up to 60 ms (one-letter queries), on 1M
   * node_modules-like paths a few ms.
   */
  step(nodes: number, until = Infinity): boolean {
    const { nodes: all, parentId: parentOf } = this.index.paths;
    const end = Math.min(all.length, this.next + nodes);
    const words = this.words;
    for (let id = this.next; id < end; id++) {
      // The clock every 64 paths: 64 that can match cost ~1 ms (256 overran a 1 ms slice by up to 4 ms).
      if ((id & 63) === 0 && id > this.next && performance.now() > until) {
        this.next = id;
        return false;
      }
      const node = all[id]!;
      const parentId = parentOf(id);
      let candidate = true;
      let name: string | undefined;
      for (let w = 0; w < words.length; w++) {
        const word = words[w]!;
        const st = this.state[w]!;
        // Parents come first (ids grow down the tree); the root's state is 0 (nothing matched).
        let k = parentId < id ? st[parentId]! : 0;
        if (k < word.length && word[k] === '/') k++;
        if (k < word.length) {
          if (name === undefined) name = foldName(node.name);
          for (let i = 0; i < name.length && k < word.length; i++) if (name.charCodeAt(i) === word.charCodeAt(k)) k++;
        }
        st[id] = k;
        if (k < word.length) candidate = false;
      }
      if (candidate) this.score(node.path);
    }
    this.next = end;
    return this.done;
  }

  private score(path: string): void {
    const target = `/${path}`;
    const r = fuzzysort.single(this.query.trim(), fuzzysort.prepare(target));
    if (!r || r.score < SEARCH_THRESHOLD) return;
    this.total++;
    const best = this.best;
    if (best.length === SEARCH_LIMIT && r.score <= best[best.length - 1]!.score) return;
    const hit: SearchHit = { target, score: r.score, indexes: [...r.indexes] };
    // Insert in score order (ties keep path order): the list is short.
    let at = best.length;
    while (at > 0 && best[at - 1]!.score < hit.score) at--;
    best.splice(at, 0, hit);
    if (best.length > SEARCH_LIMIT) best.pop();
  }

  /** The result so far. */
  result(): SearchResult {
    const of = this.index.targets.length;
    return {
      hits: [...this.best],
      total: this.total,
      scanned: Math.max(0, Math.min(this.next, this.index.paths.nodes.length) - 1),
      of,
    };
  }
}

/** The whole search at once (small trees, tests). */
export function runSearch(index: SearchIndex, query: string): SearchResult {
  const job = new SearchJob(index, query);
  while (!job.step(65536));
  return job.result();
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
