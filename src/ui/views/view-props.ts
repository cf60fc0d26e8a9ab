import type { Analysis } from '../../model/analysis.js';
import type { PlanAction, WasteReport } from '../../model/plan/index.js';
import type { ElfMarks } from '../../state/elf-details.js';
import type { ExplorerState } from '../../state/explorer-state.js';
import type { LayerView, WasteIndex } from '../../state/layer-view.js';
import type { SearchResult } from '../../state/search.js';
import type { Rows } from '../../state/tree-rows.js';
import type { LaterAnalysis } from '../../state/later-analyses.js';
import type { PreviewState } from '../hooks/use-preview.js';
import type { PlanProjection } from '../hooks/use-plan-projection.js';
import type { Layout } from '../layout.js';
import type { Theme } from '../theme.js';

/** What a view (the tree or an overlay in the right-hand column) may draw from: one frame's data. */
export interface ViewProps {
  readonly analysis: Analysis;
  readonly state: ExplorerState;
  readonly layout: Layout;
  readonly theme: Theme;
  readonly actions: readonly PlanAction[];
  readonly plan: PlanProjection;
  readonly waste: WasteReport | undefined;
  readonly search: SearchResult;
  readonly preview: PreviewState;
  readonly previewNote: string | undefined;
  /** The tree pane's data. */
  readonly tree: {
    readonly view: LayerView;
    readonly rows: Rows;
    readonly wasteIndex: WasteIndex;
    readonly wasted: Float64Array | undefined;
    readonly elf: ElfMarks;
    readonly top: number;
    readonly row: number;
    readonly title: string;
  };
  /** Analyses still running after the first frame (the views say their data is not final). */
  readonly pending: readonly LaterAnalysis[];
}
