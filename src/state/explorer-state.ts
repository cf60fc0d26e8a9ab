import type { Analysis } from '../model/analysis.js';
import { entryAt, type FsNode } from '../model/file-tree.js';
import { elfOf } from '../model/libc/index.js';
import type { PlanAction, WasteClass } from '../model/plan/index.js';
import { findingList, findingTreePath } from './findings-view.js';
import {
  EMPTY_PLAN,
  removeActionAt,
  removeNodeAction,
  stripAction,
  toggleAction,
  undoPlan,
  upxAction,
  type PlanState,
} from './plan-state.js';
import type { Command } from './keymap.js';
import type { Compare, LayerView } from './layer-view.js';
import { runSearch, searchIndex, type SearchHit } from './search.js';
import { SHOW_ALL, type RowOptions, type Rows, type ShowFilter } from './tree-rows.js';
import { clamp, moveCursor, windowTop, type Move } from './viewport.js';

export type Pane = 'layers' | 'tree';
export type Overlay = 'none' | 'help' | 'search' | 'filter' | 'preview' | 'findings' | 'classes' | 'plan';

/** The explorer's whole view state: plain data, changed only by `reduce` / `typeText` / `deleteChar`. */
export interface ExplorerState {
  readonly focus: Pane;
  readonly overlay: Overlay;
  readonly layer: number;
  readonly compare: Compare;
  readonly show: ShowFilter;
  readonly sort: 'name' | 'size';
  readonly flat: boolean;
  readonly threshold: number;
  readonly wastedOnly: boolean;
  readonly attributes: boolean;
  /** The Ctrl+F path filter as typed (a regex). */
  readonly filterText: string;
  readonly expandAll: boolean;
  /** Directory paths whose expansion differs from `expandAll` (lazygit's CollapsedPaths, both ways). */
  readonly toggled: ReadonlySet<string>;
  /** The node under the tree cursor (-1: the first row). Kept by id so filters and layers keep the place. */
  readonly cursorId: number;
  readonly treeTop: number;
  readonly layerTop: number;
  readonly searchQuery: string;
  readonly searchCursor: number;
  readonly previewTop: number;
  readonly helpTop: number;
  /** Cursors of the findings, waste-classes and plan views. */
  readonly findingsCursor: number;
  readonly classesCursor: number;
  readonly planCursor: number;
  /** The what-if plan and its undo history. */
  readonly plan: PlanState;
  /** A one-keystroke message for the status line (what a key did, or why it did nothing). */
  readonly message: string;
}

export const THRESHOLDS = [0, 10e3, 100e3, 1e6, 10e6, 100e6] as const;

/** dive opens on the first layer; slimtui opens on the last (the image as it runs), aggregated. */
export function initialState(layerCount: number): ExplorerState {
  return {
    focus: 'tree',
    overlay: 'none',
    layer: Math.max(0, layerCount - 1),
    compare: 'aggregated',
    show: SHOW_ALL,
    sort: 'name',
    flat: false,
    threshold: 0,
    wastedOnly: false,
    attributes: true,
    filterText: '',
    expandAll: true,
    toggled: new Set(),
    cursorId: -1,
    treeTop: 0,
    layerTop: 0,
    searchQuery: '',
    searchCursor: 0,
    previewTop: 0,
    helpTop: 0,
    findingsCursor: 0,
    classesCursor: 0,
    planCursor: 0,
    plan: EMPTY_PLAN,
    message: '',
  };
}

/** Compiles the path filter; null when empty or not a valid regex (the status line says which). */
export function compileFilter(text: string): RegExp | null {
  if (text === '') return null;
  try {
    return new RegExp(text);
  } catch {
    return null;
  }
}

export const rowOptions = (s: ExplorerState): RowOptions => ({
  show: s.show,
  threshold: s.threshold,
  wastedOnly: s.wastedOnly,
  pathFilter: compileFilter(s.filterText),
  sort: s.sort,
  flat: s.flat,
  expandAll: s.expandAll,
  toggled: s.toggled,
});

/** The cursor's row: the node's row, else its nearest visible ancestor's, else 0. */
export function cursorRow(s: ExplorerState, analysis: Analysis, rows: Rows): number {
  if (s.cursorId < 0 || rows.count === 0) return 0;
  for (
    let node: FsNode | null | undefined = analysis.tree.nodes[s.cursorId];
    node && node.id !== 0;
    node = node.parent
  ) {
    const r = rows.rowOf(node.id);
    if (r >= 0) return r;
  }
  return 0;
}

/** What `reduce` needs to know about the current frame. */
export interface FrameContext {
  readonly analysis: Analysis;
  readonly view: LayerView;
  readonly rows: Rows;
  readonly treeHeight: number;
  readonly layerHeight: number;
  readonly overlayHeight: number;
  readonly previewLines: number;
  readonly helpLines: number;
  /** The waste classes (computed once, when the classes view first needs them). */
  readonly wasteClasses?: () => readonly WasteClass[];
  /** slimtui's recommended plan for the image. */
  readonly recommended?: () => readonly PlanAction[];
  /** The `/` finder's hits for a query (default: searched at once). */
  readonly searchHits?: (query: string) => readonly SearchHit[];
}

const MOVES: readonly Command[] = ['up', 'down', 'pageUp', 'pageDown', 'home', 'end'];
const isMove = (c: Command): c is Move => MOVES.includes(c);

function setExpanded(s: ExplorerState, path: string, expanded: boolean): ReadonlySet<string> {
  const toggled = new Set(s.toggled);
  if (expanded === s.expandAll) toggled.delete(path);
  else toggled.add(path);
  return toggled;
}

const isExpandedPath = (s: ExplorerState, path: string): boolean => s.expandAll !== s.toggled.has(path);

/** Shows `node` in the tree: drops filters that hide it, picks a layer where it exists, expands its parents. */
export function jumpTo(s: ExplorerState, analysis: Analysis, node: FsNode): ExplorerState {
  let layer = s.layer;
  if (!entryAt(node, layer)) {
    const live = [...node.versions].reverse().find((v) => v.entry !== null);
    if (live) layer = live.layer;
  }
  const next: ExplorerState = {
    ...s,
    layer,
    compare: 'aggregated',
    show: SHOW_ALL,
    threshold: 0,
    wastedOnly: false,
    filterText: '',
    flat: false,
  };
  const toggled = new Set(next.toggled);
  for (let p = node.parent; p && p.id !== 0; p = p.parent) {
    if (next.expandAll) toggled.delete(p.path);
    else toggled.add(p.path);
  }
  // Put the node at the top of the window (windowTop pulls a too-large top back to the cursor).
  return { ...next, toggled, cursorId: node.id, treeTop: Number.MAX_SAFE_INTEGER, focus: 'tree', overlay: 'none' };
}

function treeCommand(s: ExplorerState, cmd: Command, ctx: FrameContext): ExplorerState {
  const { rows, analysis } = ctx;
  const row = cursorRow(s, analysis, rows);
  const top = windowTop(s.treeTop, row, rows.count, ctx.treeHeight);
  if (isMove(cmd)) {
    const r = moveCursor(row, cmd, rows.count, ctx.treeHeight);
    const nextTop =
      cmd === 'pageDown' || cmd === 'pageUp'
        ? clamp(top + (r - row), 0, Math.max(0, rows.count - ctx.treeHeight))
        : top;
    return {
      ...s,
      cursorId: rows.count > 0 ? rows.id(r) : -1,
      treeTop: windowTop(nextTop, r, rows.count, ctx.treeHeight),
    };
  }
  if (rows.count === 0 || s.flat) return s;
  const at = rows.at(row);
  const id = at.id;
  const node = analysis.tree.nodes[id]!;
  const kids = at.hasKids;
  switch (cmd) {
    case 'toggle':
      return kids
        ? { ...s, cursorId: id, treeTop: top, toggled: setExpanded(s, node.path, !isExpandedPath(s, node.path)) }
        : s;
    case 'expand':
      return kids && !isExpandedPath(s, node.path)
        ? { ...s, cursorId: id, treeTop: top, toggled: setExpanded(s, node.path, true) }
        : s;
    case 'collapse': {
      if (kids && isExpandedPath(s, node.path))
        return { ...s, cursorId: id, treeTop: top, toggled: setExpanded(s, node.path, false) };
      const parentRow = at.parentRow;
      return parentRow >= 0
        ? { ...s, cursorId: rows.id(parentRow), treeTop: windowTop(top, parentRow, rows.count, ctx.treeHeight) }
        : s;
    }
    default:
      return s;
  }
}

function scrollCommand(top: number, cmd: Move, lines: number, height: number): number {
  const max = Math.max(0, lines - height);
  switch (cmd) {
    case 'up':
      return clamp(top - 1, 0, max);
    case 'down':
      return clamp(top + 1, 0, max);
    case 'pageUp':
      return clamp(top - (height - 1), 0, max);
    case 'pageDown':
      return clamp(top + (height - 1), 0, max);
    case 'home':
      return 0;
    case 'end':
      return max;
  }
}

const selectLayer = (s: ExplorerState, layer: number, count: number): ExplorerState => ({
  ...s,
  layer: clamp(layer, 0, Math.max(0, count - 1)),
});

const listMove = (cursor: number, cmd: Command, count: number, height: number): number =>
  isMove(cmd) ? moveCursor(cursor, cmd, count, height) : cursor;

function withPlan(s: ExplorerState, plan: PlanState, message: string): ExplorerState {
  return { ...s, plan, message, planCursor: clamp(s.planCursor, 0, Math.max(0, plan.actions.length - 1)) };
}

/** Plan keys that work in every view that has them: undo. */
function undo(s: ExplorerState): ExplorerState {
  if (s.plan.history.length === 0) return { ...s, message: 'nothing to undo' };
  return withPlan(s, undoPlan(s.plan), 'undone');
}

/** The tree's plan keys: mark the node for removal, strip or pack it (a directory: every ELF file below it). */
function treePlanCommand(
  s: ExplorerState,
  cmd: 'markRemove' | 'toggleStrip' | 'toggleUpx',
  ctx: FrameContext,
): ExplorerState {
  const row = cursorRow(s, ctx.analysis, ctx.rows);
  const node = ctx.rows.count > 0 ? ctx.analysis.tree.nodes[ctx.rows.id(row)] : undefined;
  if (!node || node.id === 0) return { ...s, message: 'nothing selected' };
  const at = { ...s, cursorId: node.id };
  if (cmd === 'markRemove') {
    const a = removeNodeAction(node);
    const plan = toggleAction(s.plan, a);
    return withPlan(
      at,
      plan,
      `${plan.actions.length > s.plan.actions.length ? 'plan: remove' : 'plan: keep'} /${node.path}`,
    );
  }
  const last = ctx.analysis.image.layers.length - 1;
  const live = entryAt(node, last);
  const isDir = live?.kind === 'dir';
  if (!live) return { ...at, message: `/${node.path} is not in the final filesystem` };
  if (!isDir && !elfOf(live)) return { ...at, message: `/${node.path} is not an ELF file` };
  const target = isDir ? `/${node.path}/**` : `/${node.path}`;
  const a = cmd === 'toggleStrip' ? stripAction(target) : upxAction(target);
  const plan = toggleAction(s.plan, a);
  const verb = cmd === 'toggleStrip' ? 'strip' : 'UPX-pack';
  return withPlan(
    at,
    plan,
    `${plan.actions.length > s.plan.actions.length ? `plan: ${verb}` : `plan: no ${verb} of`} ${target}`,
  );
}

function toggleGlobal(s: ExplorerState, a: PlanAction, what: string): ExplorerState {
  const plan = toggleAction(s.plan, a);
  return withPlan(s, plan, `${plan.actions.length > s.plan.actions.length ? 'plan: ' : 'plan: no longer '}${what}`);
}

/** An open overlay's keys: what each command does there (the overlay's state lives in its own fields). */
type OverlayKeys = (s: ExplorerState, cmd: Command, ctx: FrameContext) => ExplorerState;

function findingsKeys(s: ExplorerState, cmd: Command, ctx: FrameContext): ExplorerState {
  if (cmd === 'close' || cmd === 'findings') return { ...s, overlay: 'none' };
  const list = findingList(ctx.analysis);
  if (cmd === 'accept') {
    const f = list[s.findingsCursor];
    const node = f ? ctx.analysis.tree.byPath.get(findingTreePath(f)) : undefined;
    return node ? jumpTo(s, ctx.analysis, node) : { ...s, message: f ? `${f.path} is not in the tree` : 'no findings' };
  }
  return { ...s, findingsCursor: listMove(s.findingsCursor, cmd, list.length, ctx.overlayHeight) };
}

function classesKeys(s: ExplorerState, cmd: Command, ctx: FrameContext): ExplorerState {
  if (cmd === 'close' || cmd === 'classes') return { ...s, overlay: 'none' };
  if (cmd === 'undo') return undo(s);
  const classes = ctx.wasteClasses?.() ?? [];
  if (cmd === 'markClass') {
    const c = classes[s.classesCursor];
    return c ? toggleGlobal(s, { kind: 'remove-class', class: c.id }, `remove class ${c.id}`) : s;
  }
  return { ...s, classesCursor: listMove(s.classesCursor, cmd, classes.length, ctx.overlayHeight) };
}

function planKeys(s: ExplorerState, cmd: Command, ctx: FrameContext): ExplorerState {
  if (cmd === 'close' || cmd === 'planView') return { ...s, overlay: 'none' };
  if (cmd === 'undo') return undo(s);
  if (cmd === 'removeAction') {
    if (s.plan.actions.length === 0) return { ...s, message: 'the plan is empty' };
    return withPlan(s, removeActionAt(s.plan, s.planCursor), 'action dropped');
  }
  if (cmd === 'stripAll') return toggleGlobal(s, stripAction('all'), 'strip all ELF files');
  if (cmd === 'upxAll') return toggleGlobal(s, upxAction('all'), 'UPX-pack all eligible executables');
  if (cmd === 'finalOnly') return toggleGlobal(s, { kind: 'final-only' }, 'keep only the final filesystem');
  if (cmd === 'recommended') {
    const actions = ctx.recommended?.() ?? [];
    return withPlan(
      s,
      { actions, history: [...s.plan.history, s.plan.actions] },
      `plan: the recommended plan (${actions.length} actions)`,
    );
  }
  return { ...s, planCursor: listMove(s.planCursor, cmd, s.plan.actions.length, ctx.overlayHeight) };
}

function helpKeys(s: ExplorerState, cmd: Command, ctx: FrameContext): ExplorerState {
  if (cmd === 'close' || cmd === 'help') return { ...s, overlay: 'none' };
  return isMove(cmd) ? { ...s, helpTop: scrollCommand(s.helpTop, cmd, ctx.helpLines, ctx.overlayHeight) } : s;
}

function previewKeys(s: ExplorerState, cmd: Command, ctx: FrameContext): ExplorerState {
  if (cmd === 'close' || cmd === 'preview') return { ...s, overlay: 'none' };
  return isMove(cmd) ? { ...s, previewTop: scrollCommand(s.previewTop, cmd, ctx.previewLines, ctx.overlayHeight) } : s;
}

function searchKeys(s: ExplorerState, cmd: Command, ctx: FrameContext): ExplorerState {
  if (cmd === 'close') return { ...s, overlay: 'none' };
  // Hits for the state's own query, not the last frame's: keys can outrun frames.
  const hits = ctx.searchHits
    ? ctx.searchHits(s.searchQuery)
    : runSearch(searchIndex(ctx.analysis.tree), s.searchQuery).hits;
  if (cmd === 'up' || cmd === 'down')
    return { ...s, searchCursor: clamp(s.searchCursor + (cmd === 'up' ? -1 : 1), 0, Math.max(0, hits.length - 1)) };
  if (cmd === 'accept') {
    const hit = hits[s.searchCursor];
    const node = hit ? ctx.analysis.tree.byPath.get(hit.target.slice(1)) : undefined;
    return node ? jumpTo(s, ctx.analysis, node) : s;
  }
  return s;
}

function filterKeys(s: ExplorerState, cmd: Command): ExplorerState {
  if (cmd === 'accept') return { ...s, overlay: 'none', focus: 'tree' };
  if (cmd === 'clearFilter') return { ...s, overlay: 'none', filterText: '' };
  return s;
}

/** The keys of each overlay: one row per view (the tree and the layers pane are handled by `reduce`). */
const OVERLAY_KEYS: Record<Exclude<Overlay, 'none'>, OverlayKeys> = {
  findings: findingsKeys,
  classes: classesKeys,
  plan: planKeys,
  help: helpKeys,
  preview: previewKeys,
  search: searchKeys,
  filter: filterKeys,
};

/** Applies a command. `quit` and `export` are the caller's business; everything else is here. */
export function reduce(s0: ExplorerState, cmd: Command, ctx: FrameContext): ExplorerState {
  const s = s0.message === '' ? s0 : { ...s0, message: '' };
  const layerCount = ctx.analysis.image.layers.length;
  if (s.overlay !== 'none') return OVERLAY_KEYS[s.overlay](s, cmd, ctx);
  switch (cmd) {
    case 'help':
      return { ...s, overlay: 'help', helpTop: 0 };
    case 'findings':
      return { ...s, overlay: 'findings' };
    case 'classes':
      return { ...s, overlay: 'classes' };
    case 'planView':
      return { ...s, overlay: 'plan' };
    case 'undo':
      return undo(s);
    case 'switchPane':
      return { ...s, focus: s.focus === 'tree' ? 'layers' : 'tree' };
    case 'search':
      return { ...s, overlay: 'search', searchQuery: '', searchCursor: 0 };
    case 'filter':
      return { ...s, overlay: 'filter' };
    case 'prevLayer':
      return selectLayer(s, s.layer - 1, layerCount);
    case 'nextLayer':
      return selectLayer(s, s.layer + 1, layerCount);
    case 'wastedOnly':
      return { ...s, wastedOnly: !s.wastedOnly };
    case 'flat':
      return { ...s, flat: !s.flat, treeTop: 0 };
    case 'sort':
      return { ...s, sort: s.sort === 'name' ? 'size' : 'name' };
    case 'threshold':
      return {
        ...s,
        threshold:
          THRESHOLDS[(THRESHOLDS.indexOf(s.threshold as (typeof THRESHOLDS)[number]) + 1) % THRESHOLDS.length]!,
      };
    default:
      break;
  }
  if (s.focus === 'layers') {
    if (isMove(cmd)) {
      const layer = moveCursor(s.layer, cmd, layerCount, ctx.layerHeight);
      return { ...s, layer, layerTop: windowTop(s.layerTop, layer, layerCount, ctx.layerHeight) };
    }
    if (cmd === 'compareAggregated') return { ...s, compare: 'aggregated' };
    if (cmd === 'compareLayer') return { ...s, compare: 'layer' };
    if (cmd === 'openTree') return { ...s, focus: 'tree' };
    return s;
  }
  switch (cmd) {
    case 'toggleAll':
      return { ...s, expandAll: !s.expandAll, toggled: new Set() };
    case 'showAdded':
      return { ...s, show: { ...s.show, added: !s.show.added } };
    case 'showRemoved':
      return { ...s, show: { ...s.show, removed: !s.show.removed } };
    case 'showModified':
      return { ...s, show: { ...s.show, modified: !s.show.modified } };
    case 'showUnchanged':
      return { ...s, show: { ...s.show, unchanged: !s.show.unchanged } };
    case 'attributes':
      return { ...s, attributes: !s.attributes };
    case 'markRemove':
    case 'toggleStrip':
    case 'toggleUpx':
      return treePlanCommand(s, cmd, ctx);
    case 'preview': {
      if (s.cursorId >= 0) return { ...s, overlay: 'preview', previewTop: 0 };
      return ctx.rows.count > 0 ? { ...s, overlay: 'preview', previewTop: 0, cursorId: ctx.rows.id(0) } : s;
    }
    default:
      return treeCommand(s, cmd, ctx);
  }
}

/** Typed text for the search or filter line. */
export function typeText(s: ExplorerState, text: string): ExplorerState {
  if (s.overlay === 'search') return { ...s, searchQuery: s.searchQuery + text, searchCursor: 0 };
  if (s.overlay === 'filter') return { ...s, filterText: s.filterText + text };
  return s;
}

export function deleteChar(s: ExplorerState): ExplorerState {
  if (s.overlay === 'search') return { ...s, searchQuery: s.searchQuery.slice(0, -1), searchCursor: 0 };
  if (s.overlay === 'filter') return { ...s, filterText: s.filterText.slice(0, -1) };
  return s;
}

/** The key scope for the keymap: the overlay when one is open, else the focused pane. */
export const scopeOf = (s: ExplorerState): Exclude<Overlay, 'none'> | Pane =>
  s.overlay === 'none' ? s.focus : s.overlay;
