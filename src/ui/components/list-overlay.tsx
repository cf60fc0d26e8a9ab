import { Box, Text } from 'ink';
import type { DetailLine, Tone } from '../../state/elf-details.js';
import { windowTop } from '../../state/viewport.js';
import { fg, type Theme } from '../theme.js';

export interface ListOverlayProps {
  readonly title: string;
  /** A dim line under the title (column headings, or what the keys do). */
  readonly header?: string;
  readonly items: readonly DetailLine[];
  readonly cursor: number;
  /** What to say when there are no items. */
  readonly empty: string;
  /** Lines about the selected item, under the list. */
  readonly footer: readonly DetailLine[];
  /** Rows inside the box (title and header included). */
  readonly height: number;
  readonly width: number;
  readonly theme: Theme;
}

export const toneColor = (t: Theme, tone: Tone | undefined): string | undefined =>
  tone === 'error'
    ? t.removed
    : tone === 'warn'
      ? t.modified
      : tone === 'ok'
        ? t.added
        : tone === 'dim'
          ? t.dim
          : undefined;

const textOf = (l: DetailLine): string => (typeof l === 'string' ? l : l.text);
const toneOf = (l: DetailLine): Tone | undefined => (typeof l === 'string' ? undefined : l.tone);

/** A scrolling list with a cursor (findings, waste classes, plan actions) and details of the selected item. */
export function ListOverlay(p: ListOverlayProps) {
  const footer = p.footer.slice(0, Math.max(0, Math.floor((p.height - 2) / 2)));
  const listH = Math.max(1, p.height - 2 - (footer.length > 0 ? footer.length + 1 : 0));
  const top = windowTop(Math.max(0, p.cursor - listH + 1), p.cursor, p.items.length, listH);
  const shown = p.items.slice(top, top + listH);
  return (
    <Box
      flexDirection="column"
      borderStyle="round"
      borderColor={p.theme.accent}
      width={p.width}
      height={p.height + 2}
      flexShrink={0}
    >
      <Text wrap="truncate" bold>
        {p.title}
      </Text>
      <Text wrap="truncate" {...fg(p.theme.dim)} dimColor={!p.theme.color}>
        {p.header ?? ' '}
      </Text>
      {p.items.length === 0 ? <Text {...fg(p.theme.dim)}>{`  ${p.empty}`}</Text> : null}
      {shown.map((l, i) => {
        const selected = top + i === p.cursor;
        return (
          <Text key={top + i} wrap="truncate" inverse={selected} {...fg(toneColor(p.theme, toneOf(l)))}>
            {selected ? '>' : ' '} {textOf(l)}
          </Text>
        );
      })}
      <Box flexGrow={1} />
      {footer.length > 0 ? <Text {...fg(p.theme.dim)}>{'─'.repeat(Math.max(1, p.width - 2))}</Text> : null}
      {footer.map((l, i) => (
        <Text key={`f${i}`} wrap="truncate" {...fg(toneColor(p.theme, toneOf(l)))}>
          {textOf(l) === '' ? ' ' : textOf(l)}
        </Text>
      ))}
    </Box>
  );
}
