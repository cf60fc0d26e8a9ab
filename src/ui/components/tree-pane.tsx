import { Box, Text } from 'ink';
import type { FileTree } from '../../model/file-tree.js';
import { displayPath } from '../../model/paths.js';
import { CH_REMOVED, displayEntry, type LayerView } from '../../state/layer-view.js';
import { changeSymbol, modeString, nameWithLink, sizeColumn } from '../../state/row-format.js';
import type { RowInfo, Rows } from '../../state/tree-rows.js';
import { libcTagText, type ElfMarks } from '../../state/elf-details.js';
import { MARK_REMOVE, MARK_STRIP, MARK_UPX } from '../../state/plan-projector.js';
import { changeColor, fg, type Theme } from '../theme.js';

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
  /** ELF files: the libc each needs, and the executables that will not start. */
  readonly elf?: ElfMarks;
  /** The plan's marks by node id (MARK_REMOVE | MARK_STRIP | MARK_UPX). */
  readonly planMarks?: Uint8Array;
  /** Sizes to show instead of the view's (the wasted-only view shows wasted bytes). */
  readonly sizes?: Float64Array;
}

export type TagTone = 'libc' | 'fail' | 'plan';

/** One row as text: cursor, change mark, wasted mark, attributes, size, tree guides and name. */
export function treeRowText(
  p: TreePaneProps,
  info: RowInfo,
): { mark: string; wasted: string; plan: string; body: string; code: number; tags: { text: string; tone: TagTone }[] } {
  const { id, row } = info;
  const node = p.tree.nodes[id]!;
  const e = displayEntry(node, p.view.layer);
  // A path an earlier layer deleted (listed by the wasted-only view) shows as removed.
  const code = p.view.change[id] || (p.view.present[id] ? 0 : CH_REMOVED);
  const size = p.sizes ? p.sizes[id]! : e?.kind === 'dir' ? p.view.sizes[id]! : (e?.size ?? 0);
  const attrs = p.attributes ? `${modeString(e)} ${(e ? `${e.uid}:${e.gid}` : '').padStart(9)} ` : '';
  const name = p.flat ? nameWithLink(displayPath(node.path), e) : `${info.guide}${nameWithLink(node.name, e)}`;
  const collapsed = !p.flat && info.hasKids && !info.expanded ? ' …' : '';
  const tags: { text: string; tone: TagTone }[] = [];
  const libc = libcTagText(p.elf?.tag.get(id));
  if (libc) tags.push({ text: ` ${libc}`, tone: 'libc' });
  if (p.elf?.failing.has(id)) tags.push({ text: ' ✗', tone: 'fail' });
  const pm = p.planMarks?.[id] ?? 0;
  // The plan's mark, in the column before the attributes: x removed, s stripped, u UPX-packed.
  const plan = pm & MARK_REMOVE ? 'x' : pm & MARK_UPX ? 'u' : pm & MARK_STRIP ? 's' : ' ';
  return {
    mark: `${row === p.cursor ? '>' : ' '}${changeSymbol(code)}`,
    wasted: p.wasted[id] ? '!' : ' ',
    plan,
    body: ` ${attrs}${sizeColumn(size)}  ${name}${collapsed}`,
    code,
    tags,
  };
}

const tagColor = (t: Theme, tone: TagTone): string | undefined =>
  tone === 'fail' ? t.removed : tone === 'plan' ? t.modified : t.accent;

export function TreePane(p: TreePaneProps) {
  const lines = [];
  // Only the window's rows are looked up: the pane never walks the rows above or below it.
  for (const info of p.rows.window(p.top, p.height)) {
    const r = info.row;
    const t = treeRowText(p, info);
    const color = changeColor(p.theme, t.code);
    lines.push(
      <Text key={r} wrap="truncate" inverse={r === p.cursor && p.focused} bold={r === p.cursor && !p.focused}>
        <Text {...fg(color)}>{t.mark}</Text>
        <Text {...fg(t.wasted !== ' ' ? p.theme.wasted : undefined)} bold={t.wasted !== ' '}>
          {t.wasted}
        </Text>
        <Text {...fg(t.plan !== ' ' ? p.theme.modified : undefined)} bold>
          {t.plan}
        </Text>
        <Text {...fg(color)}>{t.body}</Text>
        {t.tags.map((g, k) => (
          <Text key={k} {...fg(tagColor(p.theme, g.tone))} bold={g.tone === 'fail'}>
            {g.text}
          </Text>
        ))}
      </Text>,
    );
  }
  if (p.rows.count === 0)
    lines.push(
      <Text key="empty" {...fg(p.theme.dim)}>
        {' '}
        (nothing to show: every path is filtered out)
      </Text>,
    );
  const header = `     ${p.attributes ? 'Permission    UID:GID ' : ''}${p.sizes ? '  Wasted' : '    Size'}  ${p.flat ? `Path (largest first)` : 'Name'}`;
  return (
    <Box
      flexDirection="column"
      borderStyle="round"
      borderColor={p.focused ? p.theme.accent : p.theme.dim}
      width={p.width}
      height={p.height + 4}
      flexShrink={0}
    >
      <Text wrap="truncate" bold>
        {p.title}
      </Text>
      <Text wrap="truncate" {...fg(p.theme.dim)} dimColor={!p.theme.color}>
        {header}
      </Text>
      {lines}
    </Box>
  );
}
