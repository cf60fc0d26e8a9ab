import { Box, useApp } from 'ink';
import { useMemo, useRef, useState } from 'react';
import type { BinaryOptions } from '../model/libc/binaries.js';
import type { Analysis } from '../model/analysis.js';
import { imageSummaryLines, layerLines, layerRows, nodeLines } from '../state/details.js';
import {
  cursorRow,
  initialState,
  rowOptions,
  scopeOf,
  type ExplorerState,
  type FrameContext,
} from '../state/explorer-state.js';
import { helpLines, hintsFor } from '../state/keymap.js';
import { buildLayerView, wasteIndex } from '../state/layer-view.js';
import { treeTitle } from '../state/tree-title.js';
import { visibleNodes } from '../state/tree-rows.js';
import { RowsMemo } from '../state/rows-memo.js';
import { wastedSizes } from '../state/wasted-bytes.js';
import { elfLines, elfMarks, type DetailLine } from '../state/elf-details.js';
import { planStatusText } from '../state/plan-projector.js';
import { pendingText } from '../state/later-analyses.js';
import type { Codec, Predictors } from '../model/plan/index.js';
import { modelPredictors } from '../model/plan/model-predictors.js';
import { recommendedPlan } from '../model/plan/recommend.js';
import type { ReadFile, UpxModel, WriteExport } from '../model/ports.js';
import { windowTop } from '../state/viewport.js';
import { DetailsPane } from './components/details-pane.js';
import { HelpOverlay } from './components/help-overlay.js';
import { LayersPane } from './components/layers-pane.js';
import { StatusBar } from './components/status-bar.js';
import { useExplorerKeys } from './hooks/use-explorer-keys.js';
import { useExport } from './hooks/use-export.js';
import { usePlanProjection } from './hooks/use-plan-projection.js';
import { usePreview } from './hooks/use-preview.js';
import { useSearch } from './hooks/use-search.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { useLaterAnalyses, type Scheduler } from './hooks/use-later-analyses.js';
import { explorerLayout } from './layout.js';
import { makeTheme } from './theme.js';
import { VIEWS, type ViewProps } from './views/index.js';

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
  /** Writes an export file (the fix list, the plan file) by its bare name in the working directory. Without it, export says it is unavailable. */
  readonly writeExport?: WriteExport;
  /** The real UPX model (re-reads the packed files from the source, sizes them with xz). Without it, UPX actions keep the planner's rough guess. */
  readonly upxModel?: UpxModel;
  /** Projections slower than this (ms) are computed after the keystroke's frame (default 30). */
  readonly syncProjectionMs?: number;
  readonly onQuit?: () => void;
  /** When the analyses after the first frame start (default: a timer after the frame; tests hold them back). */
  readonly scheduleLater?: Scheduler;
  /** Options of the libc pass that runs after the first frame (the CPU level glibc-hwcaps are chosen for). */
  readonly binaryOptions?: BinaryOptions;
  /** When the first frame came from the layers' headers: the analysis once the content pass is in. */
  readonly content?: () => Promise<Analysis>;
}

const HELP = helpLines();

/**
 * The explorer: the state (a reducer over key commands) and the frame drawn from it. Each effect lives in
 * its hook (plan projection and UPX model, waste classes, preview, export, keys), the layout in layout.ts,
 * and the right-hand column comes from the VIEWS table by overlay.
 */
export function App(props: AppProps) {
  // The tree is there at once; the binaries report and the waste classes may land after the first frame.
  const { exit } = useApp();
  const later = useLaterAnalyses(props.analysis, props.scheduleLater, props.binaryOptions, props.content, exit);
  const { analysis } = later;
  const { width, height } = useTerminalSize(props.width, props.height);
  const theme = useMemo(() => makeTheme(props.color ?? true), [props.color]);
  const [state, setState] = useState<ExplorerState>(() => initialState(analysis.image.layers.length));
  const layerCount = analysis.image.layers.length;
  const layout = explorerLayout(width, height, layerCount);

  // Derived data, each recomputed only when its inputs change: O(nodes) per layer/filter/expand change,
  // O(window) per cursor move.
  // Keyed by the parts each reads (the analysis object changes when the binaries report lands).
  const { tree } = analysis;
  // wasteIndex and wastedSizes are cached by the reclaimable report: a new analysis object is a cache hit.
  const waste = useMemo(() => wasteIndex(analysis), [analysis]);
  const view = useMemo(() => buildLayerView(tree, state.layer, state.compare), [tree, state.layer, state.compare]);
  // Only the fields the rows read: a cursor move must not rebuild them.
  const opts = useMemo(
    () => rowOptions(state),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only the fields the rows read
    [
      state.show,
      state.threshold,
      state.wastedOnly,
      state.filterText,
      state.sort,
      state.flat,
      state.expandAll,
      state.toggled,
    ],
  );
  // The visible set does not depend on sort, flat or expansion (those only reorder or fold rows).
  const vis = useMemo(
    () => visibleNodes(tree, view, waste.marks, opts),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the visible set depends on these fields only
    [tree, view, waste, opts.show, opts.threshold, opts.wastedOnly, state.filterText],
  );
  // The wasted-only view shows and sorts by wasted bytes, not live sizes.
  const wasted = useMemo(
    () => (state.wastedOnly ? wastedSizes(analysis, state.layer) : undefined),
    [analysis, state.wastedOnly, state.layer],
  );
  const rowsMemo = useRef<RowsMemo | null>(null);
  rowsMemo.current ??= new RowsMemo();
  const rows = useMemo(
    () => rowsMemo.current!.rows(tree, view, vis, opts, wasted ?? view.sizes),
    [tree, view, vis, opts, wasted],
  );
  const elf = useMemo(() => elfMarks(analysis), [analysis]);

  // Memoised: a new predictors object would make a new projector (and a new projection) at every frame.
  const basePredictors = useMemo(
    () => props.predictors ?? modelPredictors(analysis.image),
    [props.predictors, analysis.image],
  );
  const recommended = () => recommendedPlan(analysis, later.ensureWaste()).actions;
  const actions = state.plan.actions;
  const plan = usePlanProjection({
    analysis,
    predictors: basePredictors,
    codec: props.codec ?? 'gzip',
    actions,
    waste: later.ensureWaste,
    ...(props.upxModel ? { upxModel: props.upxModel } : {}),
    syncMs: props.syncProjectionMs ?? 30,
  });
  const exporter = useExport({
    analysis,
    projector: plan.projector,
    waste: later.ensureWaste,
    recommended,
    writeExport: props.writeExport,
    ready: later.ready,
  });
  const layersList = useMemo(() => layerRows(analysis), [analysis]);
  const search = useSearch(tree, state.overlay === 'search', state.searchQuery);
  const preview = usePreview(
    analysis,
    state.overlay === 'preview' ? tree.nodes[state.cursorId] : undefined,
    state.layer,
    props.readFile,
    props.previewNote,
  );

  const row = cursorRow(state, analysis, rows);
  const top = windowTop(state.treeTop, row, rows.count, layout.treeRowsH);
  const layerTop = windowTop(state.layerTop, state.layer, layerCount, layout.layersRowsH);
  const node = rows.count > 0 ? analysis.tree.nodes[rows.id(row)] : undefined;

  const ctx: FrameContext = {
    analysis,
    view,
    rows,
    treeHeight: layout.treeRowsH,
    layerHeight: layout.layersRowsH,
    overlayHeight: layout.treeRowsH,
    previewLines: preview.lines.length,
    helpLines: HELP.length,
    searchHits: search.hitsFor,
    wasteClasses: () => later.waste?.classes ?? [],
    recommended,
  };
  const ctxRef = useRef(ctx);
  ctxRef.current = ctx;
  const quit = (): void => {
    props.onQuit?.();
    exit();
  };
  useExplorerKeys({
    setState,
    ctx: () => ctxRef.current,
    quit,
    exportPlan: (s) => void exporter.run(s.plan.actions),
    pendingMessage: () => exporter.messageNow() !== '',
    clearMessage: exporter.clearMessage,
  });

  const viewProps: ViewProps = {
    analysis,
    state,
    layout,
    theme,
    actions,
    plan,
    waste: later.waste,
    search: search.result,
    preview,
    previewNote: props.previewNote,
    tree: { view, rows, wasteIndex: waste, wasted, elf, top, row, title: treeTitle(state, rows.count, layerCount) },
    pending: later.pending,
  };
  const Right = VIEWS[state.overlay];
  const detailW = layout.leftW - 2;
  const elfDetails = state.overlay === 'none' ? elfLines(analysis, node, detailW) : [];
  const sections: (readonly DetailLine[])[] =
    elfDetails.length > 0
      ? [nodeLines(analysis, node, view, detailW), elfDetails, imageSummaryLines(analysis)]
      : [
          imageSummaryLines(analysis),
          layerLines(analysis, state.layer, detailW, 3),
          nodeLines(analysis, node, view, detailW),
        ];
  const message = [
    state.message,
    exporter.message,
    plan.upxMessage,
    pendingText(later.pending),
    state.filterText !== '' && state.overlay !== 'filter' && opts.pathFilter === null ? 'invalid filter regex' : '',
  ]
    .filter((m) => m !== '')
    .join(' · ');
  const projected = plan.result
    ? `${planStatusText(plan.result.projection)}${plan.fresh ? '' : ' (planning…)'}${plan.upxEstimating ? ' · UPX estimating…' : ''}`
    : 'plan: sizing…';

  return (
    <Box flexDirection="column" width={width} height={height}>
      {state.overlay === 'help' ? (
        <HelpOverlay lines={HELP} top={state.helpTop} height={layout.mainH - 3} width={width} theme={theme} />
      ) : (
        <Box flexDirection="row" height={layout.mainH}>
          <Box flexDirection="column" width={layout.leftW}>
            <LayersPane
              rows={layersList}
              selected={state.layer}
              top={layerTop}
              height={layout.layersRowsH}
              width={layout.leftW}
              focused={state.focus === 'layers' && state.overlay === 'none'}
              compare={state.compare}
              theme={theme}
            />
            <DetailsPane sections={sections} height={layout.detailsH} width={layout.leftW} theme={theme} />
          </Box>
          <Right {...viewProps} />
        </Box>
      )}
      <StatusBar
        hints={hintsFor(scopeOf(state))}
        {...(message ? { message } : {})}
        projectedSize={projected}
        width={width}
        theme={theme}
      />
    </Box>
  );
}
