import { Box, Text } from 'ink';
import type { DetailLine, Tone } from '../../state/elf-details.js';
import { fg, type Theme } from '../theme.js';
import { toneColor } from './list-overlay.js';

export interface DetailsPaneProps {
  readonly sections: readonly (readonly DetailLine[])[];
  readonly height: number;
  readonly width: number;
  readonly theme: Theme;
}

/** Image summary, the selected layer and the selected node, as pre-built lines, cut to the pane's height. */
export function DetailsPane(p: DetailsPaneProps) {
  const lines: { text: string; head: boolean; tone?: Tone }[] = [];
  p.sections.forEach((s, i) => {
    if (s.length === 0) return;
    if (i > 0 && lines.length > 0) lines.push({ text: '', head: false });
    s.forEach((l, k) =>
      lines.push(typeof l === 'string' ? { text: l, head: k === 0 } : { text: l.text, head: k === 0, tone: l.tone }),
    );
  });
  return (
    <Box
      flexDirection="column"
      borderStyle="round"
      borderColor={p.theme.dim}
      width={p.width}
      height={p.height + 2}
      flexShrink={0}
    >
      {lines.slice(0, p.height).map((l, i) => (
        <Text
          key={i}
          wrap="truncate"
          bold={l.head}
          {...fg(l.tone ? toneColor(p.theme, l.tone) : l.text.startsWith('!') ? p.theme.wasted : undefined)}
        >
          {l.text === '' ? ' ' : l.text}
        </Text>
      ))}
    </Box>
  );
}
