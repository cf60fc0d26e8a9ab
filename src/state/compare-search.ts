import fuzzysort from 'fuzzysort';
import type { ImageDiff } from '../model/diff/index.js';
import type { SearchIndex } from './search.js';

const cache = new WeakMap<ImageDiff, SearchIndex>();

/** The explorer's fuzzy search (state/search.ts runSearch) over the paths of the difference tree. */
export function compareSearchIndex(d: ImageDiff): SearchIndex {
  let hit = cache.get(d);
  if (!hit) {
    hit = { targets: d.nodes.slice(1).map((n) => fuzzysort.prepare(`/${n.path}`)) };
    cache.set(d, hit);
  }
  return hit;
}
