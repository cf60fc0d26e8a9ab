import { TreePane } from '../components/tree-pane.js';
import type { ViewProps } from './view-props.js';

/** The file tree: the view when no overlay is open (and under the Ctrl+F filter line). */
export function TreeView({ analysis, state, layout, theme, actions, plan, tree }: ViewProps) {
  const marks = plan.fresh && actions.length > 0 ? { planMarks: plan.result!.marks } : {};
  return (
    <TreePane
      elf={tree.elf}
      {...marks}
      {...(tree.wasted ? { sizes: tree.wasted } : {})}
      tree={analysis.tree}
      view={tree.view}
      rows={tree.rows}
      wasted={tree.wasteIndex.marks}
      top={tree.top}
      cursor={tree.row}
      height={layout.treeRowsH}
      width={layout.rightW}
      focused={state.focus === 'tree' && state.overlay !== 'filter'}
      flat={state.flat}
      attributes={state.attributes}
      title={tree.title}
      theme={theme}
    />
  );
}
