import type { ImageDiff } from '../model/diff/index.js';
import { pathSearchIndex, type SearchIndex } from './search.js';

/** The explorer's fuzzy search (state/search.ts runSearch) over the paths of the difference tree. */
export function compareSearchIndex(d: ImageDiff): SearchIndex {
  return pathSearchIndex(d, { nodes: d.nodes, parentId: (id) => d.nodes[id]?.parent ?? 0 });
}
