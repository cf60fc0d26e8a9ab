/** The compare view's state and its reducer (pure: the keys of compare-keymap.ts in, the next state out). */
import type { ImageDiff } from '../model/diff/index.js';
import type { CompareCommand, CompareScope } from './compare-keymap.js';
import { ALL_CHANGES, isOpen, type CompareFilter, type CompareRowOptions, type CompareRows } from './compare-rows.js';
import type { SearchHit } from './search.js';
import { compareLayerRows } from './compare-details.js';
import { clamp, moveCursor, type Move } from './viewport.js';

export interface CompareState {
  readonly focus: 'layers' | 'tree';
  readonly overlay: 'none' | 'search' | 'help';
  readonly filter: CompareFilter;
  readonly flat: boolean;
  readonly expandAll: boolean;
  readonly toggled: ReadonlySet<string>;
  /** The selected difference node (-1: the first row). */
  readonly cursorId: number;
  readonly treeTop: number;
  /** Row of the layers pane (an index into compareLayerRows). */
  readonly layerRow: number;
  readonly layerTop: number;
  /** The image whose view of the selected path the details show. */
  readonly side: 'A' | 'B';
  readonly searchQuery: string;
  readonly searchCursor: number;
  readonly helpTop: number;
  readonly message: string;
}

export function initialCompareState(): CompareState {
  return {
    focus: 'tree',
    overlay: 'none',
    filter: ALL_CHANGES,
    flat: false,
    expandAll: false,
    toggled: new Set(),
    cursorId: -1,
    treeTop: 0,
    layerRow: 0,
    layerTop: 0,
    side: 'B',
    searchQuery: '',
    searchCursor: 0,
    helpTop: 0,
    message: '',
  };
}

export const compareRowOptions = (s: CompareState): CompareRowOptions => ({
  filter: s.filter,
  flat: s.flat,
  expandAll: s.expandAll,
  toggled: s.toggled,
});

export function compareScope(s: CompareState): CompareScope {
  if (s.overlay === 'search') return 'search';
  if (s.overlay === 'help') return 'help';
  return s.focus;
}

export interface CompareFrame {
  readonly diff: ImageDiff;
  readonly rows: CompareRows;
  readonly treeHeight: number;
  readonly layerHeight: number;
  readonly helpLines: number;
  readonly searchHits: readonly SearchHit[];
}

/** The cursor's row: its node's, else its nearest listed ancestor's, else 0. */
export function compareCursorRow(s: CompareState, d: ImageDiff, rows: CompareRows): number {
  if (rows.ids.length === 0 || s.cursorId < 0) return 0;
  for (let id: number | null = s.cursorId; id !== null && id !== 0; id = d.nodes[id]!.parent) {
    const r = rows.ids.indexOf(id);
    if (r >= 0) return r;
  }
  return 0;
}

const MOVES: readonly string[] = ['up', 'down', 'pageUp', 'pageDown', 'home', 'end'];

const toggle = (set: ReadonlySet<string>, path: string): Set<string> => {
  const next = new Set(set);
  if (next.has(path)) next.delete(path);
  else next.add(path);
  return next;
};

/** Opens every directory above `id` (so the path is listed) and selects it; a filter hiding it is cleared. */
export function jumpToNode(s: CompareState, d: ImageDiff, id: number): CompareState {
  let toggled = new Set(s.toggled);
  const o = compareRowOptions(s);
  for (let p = d.nodes[id]!.parent; p !== null && p !== 0; p = d.nodes[p]!.parent) {
    const n = d.nodes[p]!;
    if (!isOpen({ ...o, toggled }, n)) toggled = toggle(toggled, n.path) as Set<string>;
  }
  return { ...s, overlay: 'none', focus: 'tree', flat: false, filter: ALL_CHANGES, toggled, cursorId: id, message: '' };
}

/** The layers-pane row of the layer (of A or B) that holds the node's live version, or -1. */
export function layerRowOf(d: ImageDiff, id: number, side: 'A' | 'B'): number {
  const n = d.nodes[id];
  const s = side === 'A' ? n?.a : n?.b;
  const layer = s ? s.layer : side === 'B' ? (n?.layerB ?? null) : null;
  if (layer === null || layer === undefined) return -1;
  return compareLayerRows(d).findIndex((p) => (side === 'A' ? p.a : p.b) === layer);
}

export function reduceCompare(s: CompareState, cmd: CompareCommand, ctx: CompareFrame): CompareState {
  const d = ctx.diff;
  const rows = ctx.rows;
  if (s.overlay === 'help') {
    if (cmd === 'close' || cmd === 'help') return { ...s, overlay: 'none' };
    if (MOVES.includes(cmd))
      return {
        ...s,
        helpTop: clamp(
          moveCursor(s.helpTop, cmd as Move, ctx.helpLines, ctx.treeHeight),
          0,
          Math.max(0, ctx.helpLines - ctx.treeHeight),
        ),
      };
    return s;
  }
  if (s.overlay === 'search') {
    if (cmd === 'close') return { ...s, overlay: 'none' };
    if (cmd === 'up' || cmd === 'down')
      return { ...s, searchCursor: moveCursor(s.searchCursor, cmd, ctx.searchHits.length, ctx.treeHeight) };
    if (cmd === 'accept') {
      const hit = ctx.searchHits[s.searchCursor];
      const node = hit ? d.byPath.get(hit.target.replace(/^\/+/, '')) : undefined;
      return node ? jumpToNode(s, d, node.id) : { ...s, overlay: 'none' };
    }
    return s;
  }
  const row = compareCursorRow(s, d, rows);
  const at = (r: number): number => rows.ids[r] ?? -1;
  switch (cmd) {
    case 'quit':
      return s;
    case 'help':
      return { ...s, overlay: 'help', helpTop: 0 };
    case 'switchPane':
      return { ...s, focus: s.focus === 'tree' ? 'layers' : 'tree' };
    case 'search':
      return { ...s, overlay: 'search', searchQuery: '', searchCursor: 0 };
    case 'showAdded':
      return { ...s, filter: { ...s.filter, added: !s.filter.added } };
    case 'showRemoved':
      return { ...s, filter: { ...s.filter, removed: !s.filter.removed } };
    case 'showChanged':
      return { ...s, filter: { ...s.filter, changed: !s.filter.changed } };
    case 'onlyGrew':
      return { ...s, filter: { ...s.filter, size: s.filter.size === 'grew' ? 'all' : 'grew' } };
    case 'onlyShrank':
      return { ...s, filter: { ...s.filter, size: s.filter.size === 'shrank' ? 'all' : 'shrank' } };
    case 'clearFilters':
      return { ...s, filter: ALL_CHANGES };
    case 'flat':
      return { ...s, flat: !s.flat, treeTop: 0 };
    case 'inA':
    case 'inB': {
      const side = cmd === 'inA' ? 'A' : 'B';
      const id = at(row);
      const lr = id >= 0 ? layerRowOf(d, id, side) : -1;
      const n = d.nodes[id];
      const absent = n && (side === 'A' ? n.a : n.b) === null;
      return {
        ...s,
        side,
        ...(lr >= 0 ? { layerRow: lr } : {}),
        message: !n
          ? ''
          : absent
            ? `/${n.path} is not in image ${side}`
            : lr >= 0
              ? ''
              : `/${n.path}: no layer of ${side} wrote it`,
      };
    }
    default:
      break;
  }
  if (s.focus === 'layers') {
    if (MOVES.includes(cmd))
      return { ...s, layerRow: moveCursor(s.layerRow, cmd as Move, compareLayerRows(d).length, ctx.layerHeight) };
    if (cmd === 'accept') return { ...s, focus: 'tree' };
    return s;
  }
  if (MOVES.includes(cmd))
    return { ...s, cursorId: at(moveCursor(row, cmd as Move, rows.ids.length, ctx.treeHeight)), message: '' };
  const id = at(row);
  const n = d.nodes[id];
  if (!n) return s;
  switch (cmd) {
    case 'toggle':
      return rows.hasKids[row] ? { ...s, toggled: toggle(s.toggled, n.path), cursorId: id } : s;
    case 'expand':
      return rows.hasKids[row] && !rows.expanded[row] ? { ...s, toggled: toggle(s.toggled, n.path), cursorId: id } : s;
    case 'collapse':
      if (rows.hasKids[row] && rows.expanded[row]) return { ...s, toggled: toggle(s.toggled, n.path), cursorId: id };
      return n.parent !== null && n.parent !== 0 ? { ...s, cursorId: n.parent } : s;
    case 'toggleAll':
      return { ...s, expandAll: !s.expandAll, toggled: new Set(), cursorId: id };
    default:
      return s;
  }
}

export const typeCompareText = (s: CompareState, text: string): CompareState =>
  s.overlay === 'search' ? { ...s, searchQuery: s.searchQuery + text, searchCursor: 0 } : s;
export const deleteCompareChar = (s: CompareState): CompareState =>
  s.overlay === 'search' ? { ...s, searchQuery: s.searchQuery.slice(0, -1), searchCursor: 0 } : s;
