import { Box, Text } from 'ink';
import type { Theme } from '../theme.js';

export interface DetailsPaneProps {
  readonly sections: readonly (readonly string[])[];
  readonly height: number;
  readonly width: number;
  readonly theme: Theme;
}

/** Image summary, the selected layer and the selected node, as pre-built lines, cut to the pane's height. */
export function DetailsPane(p: DetailsPaneProps) {
  const lines: { text: string; head: boolean }[] = [];
  p.sections.forEach((s, i) => {
    if (s.length === 0) return;
    if (i > 0 && lines.length > 0) lines.push({ text: '', head: false });
    s.forEach((text, k) => lines.push({ text, head: k === 0 }));
  });
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={p.theme.dim} width={p.width} height={p.height + 2} flexShrink={0}>
      {lines.slice(0, p.height).map((l, i) => (
        <Text key={i} wrap="truncate" bold={l.head} color={l.text.startsWith('!') ? p.theme.wasted : undefined}>
          {l.text === '' ? ' ' : l.text}
        </Text>
      ))}
    </Box>
  );
}
