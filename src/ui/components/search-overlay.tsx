import { Box, Text } from 'ink';
import { highlightRuns, SEARCH_LIMIT, type SearchResult } from '../../state/search.js';
import { fg, type Theme } from '../theme.js';

export interface SearchOverlayProps {
  readonly query: string;
  readonly result: SearchResult;
  readonly cursor: number;
  readonly height: number;
  readonly width: number;
  readonly theme: Theme;
}

/** `/` fuzzy finder: the query line and the ranked paths, matched letters highlighted. */
export function SearchOverlay(p: SearchOverlayProps) {
  const top = Math.max(0, p.cursor - p.height + 1);
  const hits = p.result.hits.slice(top, top + p.height);
  const running = p.result.scanned !== undefined && p.result.of !== undefined && p.result.scanned < p.result.of;
  const progress = running
    ? ` so far, searching… ${Math.floor((p.result.scanned! / Math.max(1, p.result.of!)) * 100)}%`
    : '';
  const count =
    p.query.trim() === ''
      ? 'type to search every path'
      : `${p.result.total} match${p.result.total === 1 ? '' : 'es'}${p.result.total > SEARCH_LIMIT ? ` (best ${SEARCH_LIMIT})` : ''}${progress}`;
  return (
    <Box
      flexDirection="column"
      borderStyle="round"
      borderColor={p.theme.accent}
      width={p.width}
      height={p.height + 4}
      flexShrink={0}
    >
      <Text wrap="truncate" bold>
        Search: {p.query}
        <Text inverse> </Text>
      </Text>
      <Text wrap="truncate" {...fg(p.theme.dim)}>
        {count} · ↑/↓ choose · Enter jump · Esc close
      </Text>
      {hits.map((h, i) => {
        const selected = top + i === p.cursor;
        return (
          <Text key={h.target} wrap="truncate" inverse={selected}>
            {selected ? '>' : ' '}{' '}
            {highlightRuns(h).map((r, k) =>
              r.match ? (
                <Text key={k} bold underline={!p.theme.color} {...fg(p.theme.match)}>
                  {r.text}
                </Text>
              ) : (
                <Text key={k}>{r.text}</Text>
              ),
            )}
          </Text>
        );
      })}
    </Box>
  );
}
