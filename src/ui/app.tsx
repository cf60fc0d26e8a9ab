import { Box, useApp, useInput } from 'ink';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Analysis } from '../model/analysis.js';
import { formatBytes } from '../model/byte-units.js';
import { displayPath } from '../model/paths.js';
import { imageSummaryLines, layerLines, layerRows, nodeLines } from '../state/details.js';
import { cursorRow, deleteChar, initialState, reduce, rowOptions, scopeOf, typeText, type ExplorerState, type FrameContext } from '../state/explorer-state.js';
import { helpLines, hintsFor, matchCommand } from '../state/keymap.js';
import { buildLayerView, contentLayer, displayEntry, wasteIndex } from '../state/layer-view.js';
import { formatPreview, PREVIEW_BYTES } from '../state/preview-format.js';
import { runSearch, searchIndex, type SearchResult } from '../state/search.js';
import { treeTitle } from '../state/tree-title.js';
import { visibleNodes } from '../state/tree-rows.js';
import { RowsMemo } from '../state/rows-memo.js';
import { wastedSizes } from '../state/wasted-bytes.js';
import { elfLines, elfMarks, wrapLines, type DetailLine } from '../state/elf-details.js';
import { findingHead, findingList } from '../state/findings-view.js';
import { PlanProjector, planStatusText, type PlanResult } from '../state/plan-projector.js';
import { WASTE_HEADER, wasteClassLine } from '../state/waste-view.js';
import { planLines, planFooter, exportTexts, EXPORT_NAMES } from '../state/plan-view.js';
import { sameAction, type Codec, type Predictors, type WasteClass } from '../model/plan/index.js';
import { modelPredictors } from '../model/plan/model-predictors.js';
import { recommendedPlan } from '../model/plan/recommend.js';
import type { ReadFile, UpxModel, WriteExport } from '../model/ports.js';
import { windowTop } from '../state/viewport.js';
import { DetailsPane } from './components/details-pane.js';
import { HelpOverlay } from './components/help-overlay.js';
import { ListOverlay } from './components/list-overlay.js';
import { LayersPane } from './components/layers-pane.js';
import { PreviewOverlay } from './components/preview-overlay.js';
import { SearchOverlay } from './components/search-overlay.js';
import { StatusBar } from './components/status-bar.js';
import { TreePane } from './components/tree-pane.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { makeTheme } from './theme.js';

// The ports (declared once, in model/ports.ts) are injected by the CLI: the UI never imports io.
export type { ReadFile, ReadFileOptions, UpxModel, WriteExport } from '../model/ports.js';

export interface AppProps {
  readonly analysis: Analysis;
  readonly readFile?: ReadFile;
  /** Overrides for the terminal size (tests; ink-testing-library has no rows). */
  readonly width?: number;
  readonly height?: number;
  readonly color?: boolean;
  /** A note shown beside the preview title, e.g. that the engine export is read again. */
  readonly previewNote?: string;
  /** The planner's size predictors (strip, UPX, compression). Injected by the CLI; default: the model's own. */
  readonly predictors?: Predictors;
  /** The pull-size codec of the projection (default gzip). */
  readonly codec?: Codec;
  /**
   * Writes an export file (the fix list, the plan file) by its bare name in the working directory and
   * returns the path written. Injected: the UI never imports io. Without it, export says it is unavailable.
   */
  readonly writeExport?: WriteExport;
  /**
   * The real UPX model (re-reads the packed files from the source, sizes them with xz). Injected: the UI never
   * imports io. Without it, UPX actions keep the planner's rough guess.
   */
  readonly upxModel?: UpxModel;
  /** Projections slower than this (ms) are computed after the keystroke's frame (default 30). */
  readonly syncProjectionMs?: number;
  readonly onQuit?: () => void;
}


const EMPTY_SEARCH: SearchResult = { hits: [], total: 0 };
const HELP = helpLines();

type PreviewState = { key: string; status: 'loading' | 'done' | 'error' | 'none'; lines: string[]; note: string; bytes: number };

export function App(props: AppProps) {
  const { analysis } = props;
  const { exit } = useApp();
  const { width, height } = useTerminalSize(props.width, props.height);
  const theme = useMemo(() => makeTheme(props.color ?? true), [props.color]);
  const [state, setState] = useState<ExplorerState>(() => initialState(analysis.image.layers.length));
  const layerCount = analysis.image.layers.length;

  // Derived data, each recomputed only when its inputs change: O(nodes) per layer/filter/expand change,
  // O(window) per cursor move.
  const waste = useMemo(() => wasteIndex(analysis), [analysis]);
  const view = useMemo(() => buildLayerView(analysis.tree, state.layer, state.compare), [analysis, state.layer, state.compare]);
  const opts = useMemo(() => rowOptions(state), [state.show, state.threshold, state.wastedOnly, state.filterText, state.sort, state.flat, state.expandAll, state.toggled]);
  const vis = useMemo(() => visibleNodes(analysis.tree, view, waste.marks, opts), [analysis, view, waste, opts.show, opts.threshold, opts.wastedOnly, state.filterText]);
  // The wasted-only view shows and sorts by wasted bytes, not live sizes.
  const wasted = useMemo(() => (state.wastedOnly ? wastedSizes(analysis, state.layer) : undefined), [analysis, state.wastedOnly, state.layer]);
  const rowsMemo = useRef<RowsMemo | null>(null);
  rowsMemo.current ??= new RowsMemo();
  const rows = useMemo(() => rowsMemo.current!.rows(analysis.tree, view, vis, opts, wasted ?? view.sizes), [analysis, view, vis, opts, wasted]);
  const elf = useMemo(() => elfMarks(analysis), [analysis]);

  // The plan: projected off the keystroke path when that is slow (memoised by plan, so undo is free).
  const projector = useMemo(() => new PlanProjector(analysis, props.predictors ?? modelPredictors(analysis.image), props.codec ?? 'gzip'), [analysis, props.predictors, props.codec]);
  const actions = state.plan.actions;
  const [planResult, setPlanResult] = useState<PlanResult | undefined>(undefined);
  const lastMs = useRef(0);
  // Bumped when UPX model results arrive: the plan is projected again with them.
  const [upxVersion, setUpxVersion] = useState(0);
  const [upxBusy, setUpxBusy] = useState(0);
  const [upxMessage, setUpxMessage] = useState('');
  useEffect(() => {
    const hit = projector.cached(actions);
    if (hit) return void setPlanResult(hit);
    const run = (): void => {
      const r = projector.project(actions);
      lastMs.current = r.ms;
      setPlanResult(r);
    };
    if (lastMs.current <= (props.syncProjectionMs ?? 30) && actions.length > 0) return run();
    const t = setTimeout(run, actions.length === 0 ? 50 : 0);
    return () => clearTimeout(t);
  }, [projector, actions, upxVersion]);
  const planFresh = planResult !== undefined && planResult.projection.plan.actions.length === actions.length && planResult.projection.plan.actions.every((a, i) => sameAction(a.action, actions[i]!));
  // UPX actions are shown with the rough guess at once; the files not modelled yet go to the injected model.
  useEffect(() => {
    const model = props.upxModel;
    if (!model || !planResult || !planFresh) return;
    const targets = projector.takeUpxTargets(planResult);
    if (targets.length === 0) return;
    setUpxBusy((n) => n + 1);
    Promise.resolve()
      .then(() => model(targets))
      .then(
        (r) => {
          projector.addUpxResults(r.results, r.note);
          setUpxMessage(r.note ? `UPX: ${r.note}` : '');
          setUpxVersion((v) => v + 1);
        },
        (e: unknown) => setUpxMessage(`UPX model failed, rough guess kept: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`),
      )
      .finally(() => setUpxBusy((n) => n - 1));
  }, [projector, planResult, planFresh, props.upxModel]);
  const upxEstimating = upxBusy > 0 && actions.some((a) => a.kind === 'upx');
  // The waste classes are slow on big images: classified after the frame that opens their view.
  const [, setWasteReady] = useState(0);
  const wasteClasses = (): readonly WasteClass[] => projector.wasteIfReady()?.classes ?? [];
  useEffect(() => {
    if (state.overlay !== 'classes' || projector.wasteIfReady()) return;
    const t = setTimeout(() => {
      projector.wasteReport();
      setWasteReady((n) => n + 1);
    }, 0);
    return () => clearTimeout(t);
  }, [state.overlay, projector]);
  const recommended = () => recommendedPlan(analysis, projector.wasteReport()).actions;
  const [exportMessage, setExportMessage] = useState('');
  const layersList = useMemo(() => layerRows(analysis), [analysis]);
  const search = useMemo(() => (state.overlay === 'search' ? runSearch(searchIndex(analysis.tree), state.searchQuery) : EMPTY_SEARCH), [analysis, state.overlay, state.searchQuery]);

  // Layout: left column (layers over details), right the tree; one status line.
  const mainH = Math.max(6, height - 1);
  const leftW = width >= 100 ? Math.min(60, Math.floor(width * 0.4)) : Math.floor(width * 0.45);
  const rightW = Math.max(20, width - leftW);
  const layersRowsH = Math.max(1, Math.min(layerCount, Math.floor(mainH * 0.4) - 3));
  const detailsH = Math.max(1, mainH - (layersRowsH + 3) - 2);
  const treeRowsH = Math.max(1, mainH - 4);

  const row = cursorRow(state, analysis, rows);
  const top = windowTop(state.treeTop, row, rows.count, treeRowsH);
  const layerTop = windowTop(state.layerTop, state.layer, layerCount, layersRowsH);
  const node = rows.count > 0 ? analysis.tree.nodes[rows.ids[row]!] : undefined;

  // Preview: loaded when the overlay opens; the latest request wins, the rest are aborted.
  const [preview, setPreview] = useState<PreviewState>({ key: '', status: 'none', lines: [], note: '', bytes: 0 });
  const previewNode = state.overlay === 'preview' ? analysis.tree.nodes[state.cursorId] : undefined;
  useEffect(() => {
    if (!previewNode) return;
    const key = `${previewNode.id}@${state.layer}`;
    const e = displayEntry(previewNode, state.layer);
    const at = contentLayer(previewNode, state.layer);
    const set = (p: Omit<PreviewState, 'key'>): void => setPreview({ key, ...p });
    if (!e || at === undefined) return set({ status: 'none', lines: ['(this path has no content at this layer)'], note: '', bytes: 0 });
    if (e.kind === 'dir') return set({ status: 'none', lines: ['(a directory: expand it in the tree)'], note: '', bytes: 0 });
    if (e.kind === 'symlink') return set({ status: 'none', lines: [`symbolic link → ${e.linkTarget ?? ''}`], note: '', bytes: 0 });
    if (e.kind === 'other') return set({ status: 'none', lines: ['(a device or fifo: no content)'], note: '', bytes: 0 });
    if (!props.readFile) return set({ status: 'none', lines: ['(preview is not available for this source)'], note: '', bytes: 0 });
    // A hard link's bytes are stored under its target, in the same layer.
    const path = e.kind === 'hardlink' && e.linkTarget !== undefined ? e.linkTarget : previewNode.path;
    const size = e.kind === 'hardlink' ? analysis.tree.byPath.get(path)?.versions.find((v) => v.layer === at)?.entry?.size ?? 0 : e.size;
    const ac = new AbortController();
    set({ status: 'loading', lines: [], note: props.previewNote ?? '', bytes: 0 });
    let lastTick = 0;
    props
      .readFile(at, path, {
        signal: ac.signal,
        onProgress: (bytes) => {
          const now = Date.now();
          if (now - lastTick < 200) return;
          lastTick = now;
          if (!ac.signal.aborted) set({ status: 'loading', lines: [], note: props.previewNote ?? '', bytes });
        },
      })
      .then(
        (bytes) => {
          if (ac.signal.aborted) return;
          const text = formatPreview(bytes, size);
          const note = `${text.kind}, layer ${at}, ${formatBytes(Math.min(bytes.length, PREVIEW_BYTES))}${text.truncated ? ` of ${formatBytes(size)} (head only)` : ''}`;
          set({ status: 'done', lines: [...text.lines], note, bytes: bytes.length });
        },
        (err: unknown) => {
          if (!ac.signal.aborted) set({ status: 'error', lines: [], note: `cannot read: ${err instanceof Error ? err.message : String(err)}`, bytes: 0 });
        },
      );
    return () => ac.abort();
  }, [previewNode, state.layer, props.readFile]);

  const ctx: FrameContext = {
    analysis, view, rows, treeHeight: treeRowsH, layerHeight: layersRowsH, overlayHeight: treeRowsH,
    previewLines: preview.lines.length, helpLines: HELP.length, wasteClasses, recommended,
  };
  const ctxRef = useRef(ctx);
  ctxRef.current = ctx;

  const quit = (): void => {
    props.onQuit?.();
    exit();
  };

  /** E: the fix list (markdown) and the plan file, by name, in the working directory. */
  const runExport = async (s: ExplorerState): Promise<void> => {
    if (!props.writeExport) return setExportMessage('export is not available here');
    setExportMessage('exporting…');
    try {
      const recommendedUsed = s.plan.actions.length === 0;
      const list = recommendedUsed ? recommended() : s.plan.actions;
      const texts = exportTexts(analysis, projector.forExport(list), list, projector.codec, recommendedUsed);
      const mdPath = await props.writeExport(EXPORT_NAMES.fixList, texts.markdown);
      await props.writeExport(EXPORT_NAMES.plan, texts.planFile);
      setExportMessage(`fix list written to ${mdPath}${recommendedUsed ? ' (recommended plan)' : ''} + ${EXPORT_NAMES.plan}`);
    } catch (e) {
      setExportMessage(`export failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const exportMessageRef = useRef(exportMessage);
  exportMessageRef.current = exportMessage;

  useInput((input, key) => {
    if (key.ctrl && input === 'c') return quit();
    setState((s0) => {
      // Keys typed faster than the terminal reads arrive as one string ("jjj"): outside the text fields,
      // each character is its own key.
      const split = input.length > 1 && !key.ctrl && !key.meta && scopeOf(s0) !== 'search' && scopeOf(s0) !== 'filter';
      let s = s0;
      for (const ch of split ? [...input] : [input]) {
        const scope = scopeOf(s);
        const cmd = matchCommand(scope, ch, split ? {} : key);
        if (cmd === 'quit') {
          queueMicrotask(quit);
          return s;
        }
        if (cmd === 'export') {
          const snapshot = s;
          queueMicrotask(() => void runExport(snapshot));
          continue;
        }
        if (exportMessageRef.current !== '') queueMicrotask(() => setExportMessage(''));
        if (cmd) s = reduce(s, cmd, ctxRef.current);
        else if (scope === 'search' || scope === 'filter') {
          if (key.backspace || key.delete) s = deleteChar(s);
          else if (ch !== '' && !key.ctrl && !key.meta && !key.tab && !key.return && !key.escape && !key.upArrow && !key.downArrow) s = typeText(s, ch);
        }
      }
      return s;
    });
  });

  const scope = scopeOf(state);
  const fullWidthHelp = state.overlay === 'help';
  let right;
  if (state.overlay === 'search') {
    right = <SearchOverlay query={state.searchQuery} result={search} cursor={state.searchCursor} height={treeRowsH} width={rightW} theme={theme} />;
  } else if (state.overlay === 'preview' && previewNode) {
    const status = preview.status === 'loading' ? `reading… ${preview.bytes > 0 ? formatBytes(preview.bytes) : ''} ${preview.note}`.trim() : preview.status === 'error' || preview.status === 'done' ? preview.note : undefined;
    right = (
      <PreviewOverlay title={`Preview ${displayPath(previewNode.path)} — Esc closes, j/k scroll`} lines={preview.key === `${previewNode.id}@${state.layer}` ? preview.lines : []} {...(status ? { status } : {})} top={state.previewTop} height={treeRowsH + 1} width={rightW} theme={theme} />
    );
  } else if (state.overlay === 'findings') {
    const list = findingList(analysis);
    const f = list[state.findingsCursor];
    const footer: DetailLine[] = f ? wrapLines([{ text: f.evidence, tone: f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warn' : 'dim' }, `fix: ${f.fix}`], rightW - 2, 4) : [];
    right = (
      <ListOverlay
        title={`Findings (${list.length}) — Enter jumps to the file, Esc closes`} header={analysis.binaries.analysed ? 'severity  code  path' : 'the ELF analysis did not run (--no-elf)'}
        items={list.map((x) => ({ text: findingHead(x), tone: x.severity === 'error' ? 'error' : x.severity === 'warning' ? 'warn' : 'dim' }))}
        cursor={state.findingsCursor} empty="no findings" footer={footer} height={treeRowsH + 2} width={rightW} theme={theme}
      />
    );
  } else if (state.overlay === 'classes') {
    const classes = wasteClasses();
    const c = classes[state.classesCursor];
    const footer: DetailLine[] = c ? wrapLines([c.why, `fix: ${c.fix}`, ...c.paths.slice(0, 3).map((x) => `  ${displayPath(x.path.replace(/^\/+/, ''))} ${formatBytes(x.bytes)}`)], rightW - 2, 3) : [];
    right = (
      <ListOverlay
        title="Waste classes — x/Enter marks a class for removal, Esc closes" header={WASTE_HEADER}
        items={classes.map((x) => wasteClassLine(x, actions.some((a) => a.kind === 'remove-class' && a.class === x.id)))}
        cursor={state.classesCursor} empty={projector.wasteIfReady() ? 'no waste found' : 'classifying the waste…'} footer={footer} height={treeRowsH + 2} width={rightW} theme={theme}
      />
    );
  } else if (state.overlay === 'plan') {
    const proj = planFresh ? planResult!.projection : undefined;
    right = (
      <ListOverlay
        title={`Plan · ${actions.length} action${actions.length === 1 ? '' : 's'}${proj ? '' : ' · planning…'}${upxEstimating ? ' · UPX estimating…' : ''} · o keeps only the final filesystem · r recommended plan`}
        header={`     on disk  ${projector.codec.padStart(7)}  action`}
        items={planLines(actions, proj, upxEstimating)} cursor={state.planCursor} empty="empty: x marks a file for removal, W a waste class, S strips an ELF file"
        footer={wrapLines(planFooter(proj, state.planCursor), rightW - 2, 2)} height={treeRowsH + 2} width={rightW} theme={theme}
      />
    );
  } else {
    right = (
      <TreePane elf={elf} {...(planFresh && actions.length > 0 ? { planMarks: planResult!.marks } : {})} {...(wasted ? { sizes: wasted } : {})}
        tree={analysis.tree} view={view} rows={rows} wasted={waste.marks} top={top} cursor={row} height={treeRowsH} width={rightW}
        focused={state.focus === 'tree' && state.overlay !== 'filter'} flat={state.flat} attributes={state.attributes} title={treeTitle(state, rows.count, layerCount)} theme={theme}
      />
    );
  }
  const detailW = leftW - 2;
  const elfDetails = state.overlay === 'none' ? elfLines(analysis, node, detailW) : [];
  const sections: (readonly DetailLine[])[] = elfDetails.length > 0
    ? [nodeLines(analysis, node, view, detailW), elfDetails, imageSummaryLines(analysis)]
    : [imageSummaryLines(analysis), layerLines(analysis, state.layer, detailW, 3), nodeLines(analysis, node, view, detailW)];
  const message = [state.message, exportMessage, upxMessage, state.filterText !== '' && state.overlay !== 'filter' && rowOptions(state).pathFilter === null ? 'invalid filter regex' : ''].filter((m) => m !== '').join(' · ');
  const projected = planResult ? `${planStatusText(planResult.projection)}${planFresh ? '' : ' (planning…)'}${upxEstimating ? ' · UPX estimating…' : ''}` : 'plan: sizing…';

  return (
    <Box flexDirection="column" width={width} height={height}>
      {fullWidthHelp ? (
        <HelpOverlay lines={HELP} top={state.helpTop} height={mainH - 3} width={width} theme={theme} />
      ) : (
        <Box flexDirection="row" height={mainH}>
          <Box flexDirection="column" width={leftW}>
            <LayersPane rows={layersList} selected={state.layer} top={layerTop} height={layersRowsH} width={leftW} focused={state.focus === 'layers' && state.overlay === 'none'} compare={state.compare} theme={theme} />
            <DetailsPane sections={sections} height={detailsH} width={leftW} theme={theme} />
          </Box>
          {right}
        </Box>
      )}
      <StatusBar hints={hintsFor(scope)} {...(message ? { message } : {})} projectedSize={projected} width={width} theme={theme} />
    </Box>
  );
}
