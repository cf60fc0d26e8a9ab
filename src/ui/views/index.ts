import type { ReactElement } from 'react';
import type { Overlay } from '../../state/explorer-state.js';
import { ClassesView } from './classes-view.js';
import { FindingsView } from './findings-view.js';
import { PlanView } from './plan-view.js';
import { PreviewView } from './preview-view.js';
import { SearchView } from './search-view.js';
import { TreeView } from './tree-view.js';
import type { ViewProps } from './view-props.js';

export type { ViewProps } from './view-props.js';

/**
 * The right-hand column by overlay: one row per view. Adding a view: its state module (keys in
 * state/explorer-state.ts's OVERLAY_KEYS row), its component here, one row in this table.
 * `help` is drawn full width by the app instead (it replaces both columns).
 */
export const VIEWS: Record<Overlay, (p: ViewProps) => ReactElement> = {
  none: TreeView,
  filter: TreeView,
  help: TreeView,
  search: SearchView,
  preview: PreviewView,
  findings: FindingsView,
  classes: ClassesView,
  plan: PlanView,
};
