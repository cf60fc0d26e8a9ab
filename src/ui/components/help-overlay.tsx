import { Box, Text } from 'ink';
import { fg, type Theme } from '../theme.js';

export interface HelpOverlayProps {
  readonly lines: readonly string[];
  readonly top: number;
  readonly height: number;
  readonly width: number;
  readonly theme: Theme;
}

/** Every key, from the key table (state/keymap.ts `helpLines`). Scrolls when the terminal is short. */
export function HelpOverlay(p: HelpOverlayProps) {
  const more = p.lines.length > p.top + p.height;
  return (
    <Box
      flexDirection="column"
      borderStyle="double"
      borderColor={p.theme.accent}
      width={p.width}
      height={p.height + 3}
      flexShrink={0}
    >
      <Text bold wrap="truncate">
        Keys — Esc or ? closes{more || p.top > 0 ? ' · j/k scroll' : ''}
      </Text>
      {p.lines.slice(p.top, p.top + p.height).map((l, i) => (
        <Text
          key={i}
          wrap="truncate"
          bold={!l.startsWith(' ') && l !== ''}
          {...fg(!l.startsWith(' ') && l !== '' ? p.theme.accent : undefined)}
        >
          {l === '' ? ' ' : l}
        </Text>
      ))}
    </Box>
  );
}
