import { useMemo } from 'react';
import type { FileTree } from '../../model/file-tree.js';
import { runSearch, searchIndex, type SearchResult } from '../../state/search.js';

const EMPTY_SEARCH: SearchResult = { hits: [], total: 0 };

/** The `/` finder's result for `query` while it is open. */
export function useSearch(tree: FileTree, open: boolean, query: string): SearchResult {
  return useMemo(() => (open ? runSearch(searchIndex(tree), query) : EMPTY_SEARCH), [tree, open, query]);
}
