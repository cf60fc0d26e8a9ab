import { formatBytes } from '../../model/byte-units.js';
import { displayPath } from '../../model/paths.js';
import { PreviewOverlay } from '../components/preview-overlay.js';
import { previewKey } from '../hooks/use-preview.js';
import { TreeView } from './tree-view.js';
import type { ViewProps } from './view-props.js';

/** Space: the head of the file under the cursor, read again from the source. */
export function PreviewView(p: ViewProps) {
  const { analysis, state, layout, theme, preview } = p;
  const node = analysis.tree.nodes[state.cursorId];
  if (!node) return <TreeView {...p} />;
  const status =
    preview.status === 'loading'
      ? `reading… ${preview.bytes > 0 ? formatBytes(preview.bytes) : ''} ${preview.note}`.trim()
      : preview.status === 'error' || preview.status === 'done'
        ? preview.note
        : undefined;
  return (
    <PreviewOverlay
      title={`Preview ${displayPath(node.path)} — Esc closes, j/k scroll`}
      lines={preview.key === previewKey(node, state.layer) ? preview.lines : []}
      {...(status ? { status } : {})}
      top={state.previewTop}
      height={layout.treeRowsH + 1}
      width={layout.rightW}
      theme={theme}
    />
  );
}
