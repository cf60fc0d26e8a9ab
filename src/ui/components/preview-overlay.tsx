import { Box, Text } from 'ink';
import { fg, type Theme } from '../theme.js';

export interface PreviewOverlayProps {
  readonly title: string;
  /** Lines to show, or a status line while loading / on error. */
  readonly lines: readonly string[];
  readonly status?: string;
  readonly top: number;
  readonly height: number;
  readonly width: number;
  readonly theme: Theme;
}

export function PreviewOverlay(p: PreviewOverlayProps) {
  return (
    <Box
      flexDirection="column"
      borderStyle="round"
      borderColor={p.theme.accent}
      width={p.width}
      height={p.height + 3}
      flexShrink={0}
    >
      <Text wrap="truncate" bold>
        {p.title}
      </Text>
      {p.status ? (
        <Text wrap="truncate" {...fg(p.theme.dim)}>
          {p.status}
        </Text>
      ) : null}
      {p.lines.slice(p.top, p.top + p.height - (p.status ? 1 : 0)).map((l, i) => (
        <Text key={i} wrap="truncate">
          {l === '' ? ' ' : l}
        </Text>
      ))}
    </Box>
  );
}
