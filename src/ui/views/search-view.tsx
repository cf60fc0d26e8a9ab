import { SearchOverlay } from '../components/search-overlay.js';
import type { ViewProps } from './view-props.js';

/** `/`: the fuzzy finder over every path. */
export function SearchView({ state, layout, theme, search }: ViewProps) {
  return (
    <SearchOverlay
      query={state.searchQuery}
      result={search}
      cursor={state.searchCursor}
      height={layout.treeRowsH}
      width={layout.rightW}
      theme={theme}
    />
  );
}
