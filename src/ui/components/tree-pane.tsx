import { Box, Text } from 'ink';
import type { FileTree } from '../../model/file-tree.js';
import { displayPath } from '../../model/paths.js';
import { CH_REMOVED, displayEntry, type LayerView } from '../../state/layer-view.js';
import { changeSymbol, modeString, nameWithLink, sizeColumn } from '../../state/row-format.js';
import { guidePrefix, type Rows } from '../../state/tree-rows.js';
import { changeColor, type Theme } from '../theme.js';

export interface TreePaneProps {
  readonly tree: FileTree;
  readonly view: LayerView;
  readonly rows: Rows;
  readonly wasted: Uint8Array;
  readonly top: number;
  readonly cursor: number;
  /** Rows of the list (the box adds a border, a title and a header). */
  readonly height: number;
  readonly width: number;
  readonly focused: boolean;
  readonly flat: boolean;
  readonly attributes: boolean;
  readonly title: string;
  readonly theme: Theme;
}

/** One row as text: cursor, change mark, wasted mark, attributes, size, tree guides and name. */
export function treeRowText(p: TreePaneProps, row: number): { mark: string; wasted: string; body: string; code: number } {
  const id = p.rows.ids[row]!;
  const node = p.tree.nodes[id]!;
  const e = displayEntry(node, p.view.layer);
  // A path an earlier layer deleted (listed by the wasted-only view) shows as removed.
  const code = p.view.change[id] || (p.view.present[id] ? 0 : CH_REMOVED);
  const size = e?.kind === 'dir' ? p.view.sizes[id]! : e?.size ?? 0;
  const attrs = p.attributes ? `${modeString(e)} ${(e ? `${e.uid}:${e.gid}` : '').padStart(9)} ` : '';
  const name = p.flat ? nameWithLink(displayPath(node.path), e) : `${guidePrefix(p.rows, row)}${nameWithLink(node.name, e)}`;
  const collapsed = !p.flat && p.rows.hasKids[row] === 1 && (row + 1 >= p.rows.count || p.rows.parentRow[row + 1] !== row) ? ' …' : '';
  return {
    mark: `${row === p.cursor ? '>' : ' '}${changeSymbol(code)}`,
    wasted: p.wasted[id] ? '!' : ' ',
    body: ` ${attrs}${sizeColumn(size)}  ${name}${collapsed}`,
    code,
  };
}

export function TreePane(p: TreePaneProps) {
  const end = Math.min(p.rows.count, p.top + p.height);
  const lines = [];
  for (let r = p.top; r < end; r++) {
    const t = treeRowText(p, r);
    const color = changeColor(p.theme, t.code);
    lines.push(
      <Text key={r} wrap="truncate" inverse={r === p.cursor && p.focused} bold={r === p.cursor && !p.focused}>
        <Text color={color}>{t.mark}</Text>
        <Text color={p.theme.wasted} bold={t.wasted !== ' '}>{t.wasted}</Text>
        <Text color={color}>{t.body}</Text>
      </Text>,
    );
  }
  if (p.rows.count === 0) lines.push(<Text key="empty" color={p.theme.dim}>  (nothing to show: every path is filtered out)</Text>);
  const header = `    ${p.attributes ? 'Permission    UID:GID ' : ''}    Size  ${p.flat ? 'Path (largest first)' : 'Name'}`;
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={p.focused ? p.theme.accent : p.theme.dim} width={p.width} height={p.height + 4} flexShrink={0}>
      <Text wrap="truncate" bold>{p.title}</Text>
      <Text wrap="truncate" color={p.theme.dim} dimColor={!p.theme.color}>{header}</Text>
      {lines}
    </Box>
  );
}
