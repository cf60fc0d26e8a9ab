/**
 * The compare view of `slimtui diff A B`: both images' layers side by side, the tree of differences (largest
 * growth first) with filters, and the details of the selected path in A and B. Its own root component; it
 * reuses the explorer's panes (search, help, details, status line), its viewport and its search.
 */
import { Box, Text, useApp, useInput } from 'ink';
import { useMemo, useRef, useState } from 'react';
import type { Analysis } from '../model/analysis.js';
import type { ImageDiff } from '../model/diff/index.js';
import { topContributors } from '../model/diff/index.js';
import { compareHelpLines, compareHints, matchCompareCommand } from '../state/compare-keymap.js';
import { compareRows, visibleDiffNodes, type CompareRows } from '../state/compare-rows.js';
import {
  compareCursorRow,
  compareRowOptions,
  compareScope,
  deleteCompareChar,
  initialCompareState,
  reduceCompare,
  typeCompareText,
  type CompareState,
} from '../state/compare-state.js';
import {
  changeMark,
  compareDetailLines,
  compareLayerRow,
  compareLayerRows,
  diffRowText,
} from '../state/compare-details.js';
import { compareSearchIndex } from '../state/compare-search.js';
import { runSearch, type SearchResult } from '../state/search.js';
import { windowTop } from '../state/viewport.js';
import { DetailsPane } from './components/details-pane.js';
import { HelpOverlay } from './components/help-overlay.js';
import { SearchOverlay } from './components/search-overlay.js';
import { StatusBar } from './components/status-bar.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { fg, makeTheme, type Theme } from './theme.js';

export interface CompareAppProps {
  readonly diff: ImageDiff;
  readonly a: Analysis;
  readonly b: Analysis;
  readonly width?: number;
  readonly height?: number;
  readonly color?: boolean;
}

const HELP = compareHelpLines();
const EMPTY: SearchResult = { hits: [], total: 0 };

/** Opens the directories down to where most of the growth is, so the first screen shows it. */
function firstState(d: ImageDiff): CompareState {
  const s = initialCompareState();
  const top = topContributors(d, 1, 1)[0] ?? topContributors(d, 1, -1)[0];
  const toggled = new Set<string>();
  for (let p = top?.parent ?? null; p !== null && p !== 0; p = d.nodes[p]!.parent) toggled.add(d.nodes[p]!.path);
  return { ...s, toggled, ...(top ? { cursorId: top.id } : {}) };
}

const markColor = (t: Theme, mark: string): string | undefined =>
  mark === '+' ? t.added : mark === '-' ? t.removed : mark === '~' ? t.modified : undefined;

export function CompareApp(props: CompareAppProps) {
  const { diff: d, a, b } = props;
  const { exit } = useApp();
  const { width, height } = useTerminalSize(props.width, props.height);
  const theme = useMemo(() => makeTheme(props.color ?? true), [props.color]);
  const [state, setState] = useState<CompareState>(() => firstState(d));

  // Keys can arrive faster than frames: each one is reduced from the latest state (a ref), not the rendered one.
  const latest = useRef(state);
  const memo = useRef<{ key: readonly unknown[]; rows: CompareRows } | null>(null);
  const rowsOf = (s: CompareState): CompareRows => {
    const key = [s.filter, s.flat, s.expandAll, s.toggled];
    if (memo.current && memo.current.key.every((k, i) => k === key[i])) return memo.current.rows;
    const rows = compareRows(d, visibleDiffNodes(d, s.filter), compareRowOptions(s));
    memo.current = { key, rows };
    return rows;
  };
  const rows = rowsOf(state);
  const search = useMemo(
    () => (state.overlay === 'search' ? runSearch(compareSearchIndex(d), state.searchQuery) : EMPTY),
    [d, state.overlay, state.searchQuery],
  );

  const mainH = Math.max(8, height - 1);
  const layerRows = compareLayerRows(d);
  const layersH = Math.max(1, Math.min(layerRows.length, Math.floor(mainH * 0.3)));
  const lowerH = mainH - (layersH + 3);
  const treeW = width >= 110 ? Math.floor(width * 0.62) : width;
  const detailW = width - treeW;
  const treeH = Math.max(1, lowerH - 4);

  const row = compareCursorRow(state, d, rows);
  const top = windowTop(state.treeTop, row, rows.ids.length, treeH);
  const layerTop = windowTop(state.layerTop, state.layerRow, layerRows.length, layersH);
  const node = rows.ids.length > 0 ? d.nodes[rows.ids[row]!] : undefined;

  const handle = (input: string, key: Parameters<typeof matchCompareCommand>[2]): void => {
    const cur = latest.current;
    const scope = compareScope(cur);
    const cmd = matchCompareCommand(scope, input, key);
    if (cmd === 'quit') {
      exit();
      return;
    }
    let next = cur;
    if (cmd) {
      const curRows = rowsOf(cur);
      const hits = cur.overlay === 'search' ? runSearch(compareSearchIndex(d), cur.searchQuery).hits : [];
      next = reduceCompare(cur, cmd, {
        diff: d,
        rows: curRows,
        treeHeight: treeH,
        layerHeight: layersH,
        helpLines: HELP.length,
        searchHits: hits,
      });
      const nextRows = rowsOf(next);
      const r = compareCursorRow(next, d, nextRows);
      next = {
        ...next,
        treeTop: windowTop(next.treeTop, r, nextRows.ids.length, treeH),
        layerTop: windowTop(next.layerTop, next.layerRow, layerRows.length, layersH),
      };
    } else if (scope === 'search') {
      if (key.backspace || key.delete) next = deleteCompareChar(cur);
      else if (input && !key.ctrl && !key.meta && input >= ' ') next = typeCompareText(cur, input);
    }
    if (next !== cur) {
      latest.current = next;
      setState(next);
    }
  };
  useInput((input, key) => {
    // Keys typed faster than the terminal is read arrive as one chunk ("A-"): each is its own command.
    if (input.length > 1 && !key.ctrl && !key.meta && compareScope(latest.current) !== 'search')
      for (const c of input) handle(c, {});
    else handle(input, key);
  });

  const filter = state.filter;
  const filterText = [
    !filter.added ? 'no added' : '',
    !filter.removed ? 'no removed' : '',
    !filter.changed ? 'no changed' : '',
    filter.size !== 'all' ? `only ${filter.size}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const holds = { a: node?.a?.layer ?? null, b: node?.b?.layer ?? node?.layerB ?? null };

  let lower;
  if (state.overlay === 'help') {
    lower = <HelpOverlay lines={HELP} top={state.helpTop} height={lowerH - 1} width={width} theme={theme} />;
  } else {
    const left =
      state.overlay === 'search' ? (
        <SearchOverlay
          query={state.searchQuery}
          result={search}
          cursor={state.searchCursor}
          height={treeH - 1}
          width={treeW}
          theme={theme}
        />
      ) : (
        <Box
          flexDirection="column"
          borderStyle="round"
          borderColor={state.focus === 'tree' ? theme.accent : theme.dim}
          width={treeW}
          height={lowerH}
          flexShrink={0}
        >
          <Text wrap="truncate" bold>
            Differences · {rows.ids.length} rows
            {state.flat ? ' · flat, largest growth first' : ' · largest growth first'}
            {filterText ? ` · ${filterText}` : ''}
          </Text>
          <Text wrap="truncate" {...fg(theme.dim)}>
            {'      Δ size        A →  B        Name'}
          </Text>
          {rows.ids.slice(top, top + treeH).map((id, i) => {
            const r = top + i;
            const n = d.nodes[id]!;
            const text = diffRowText(n, rows.guides[r]!, state.flat, rows.hasKids[r]! && !rows.expanded[r]!);
            const mark = changeMark(n);
            return (
              <Text
                key={id}
                wrap="truncate"
                inverse={r === row && state.focus === 'tree'}
                bold={r === row && state.focus !== 'tree'}
              >
                <Text>{r === row ? '>' : ' '}</Text>
                <Text {...fg(markColor(theme, mark))}>{text}</Text>
              </Text>
            );
          })}
          {rows.ids.length === 0 ? (
            <Text {...fg(theme.dim)}>
              {' '}
              {d.paths.length === 0
                ? '(the final filesystems are the same)'
                : '(every difference is filtered out: 0 clears the filters)'}
            </Text>
          ) : null}
        </Box>
      );
    lower = (
      <Box flexDirection="row" height={lowerH}>
        {left}
        {detailW > 0 ? (
          <DetailsPane
            sections={compareDetailLines(d, a, b, node, state.side)}
            height={lowerH - 2}
            width={detailW}
            theme={theme}
          />
        ) : null}
      </Box>
    );
  }

  return (
    <Box flexDirection="column" width={width} height={height}>
      <Box
        flexDirection="column"
        borderStyle="round"
        borderColor={state.focus === 'layers' && state.overlay === 'none' ? theme.accent : theme.dim}
        width={width}
        height={layersH + 3}
        flexShrink={0}
      >
        <Text wrap="truncate" bold>
          Layers · A {d.a.reference} │ B {d.b.reference}{' '}
          <Text {...fg(theme.dim)}>(= shared, ≈ same diff_id, + only B, - only A)</Text>
        </Text>
        {layerRows.slice(layerTop, layerTop + layersH).map((p, i) => {
          const r = layerTop + i;
          return (
            <Text
              key={r}
              wrap="truncate"
              inverse={r === state.layerRow && state.focus === 'layers' && state.overlay === 'none'}
              bold={r === state.layerRow && state.focus !== 'layers'}
              {...fg(p.shared ? theme.dim : undefined)}
            >
              {compareLayerRow(d, a, b, r, width - 3, holds)}
            </Text>
          );
        })}
      </Box>
      {lower}
      <StatusBar
        hints={compareHints(compareScope(state))}
        {...(state.message ? { message: state.message } : {})}
        projectedSize={`in ${state.side}`}
        width={width}
        theme={theme}
      />
    </Box>
  );
}
