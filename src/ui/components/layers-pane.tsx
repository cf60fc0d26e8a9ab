import { Box, Text } from 'ink';
import type { LayerRow } from '../../state/details.js';
import { fg, type Theme } from '../theme.js';

export interface LayersPaneProps {
  readonly rows: readonly LayerRow[];
  readonly selected: number;
  readonly top: number;
  readonly height: number;
  readonly width: number;
  readonly focused: boolean;
  readonly compare: 'layer' | 'aggregated';
  readonly theme: Theme;
}

export const layerRowText = (r: LayerRow, selected: boolean): string =>
  `${selected ? '>' : ' '}${String(r.index).padStart(3)} ${r.size.padStart(8)} ${r.share.padStart(4)} ${r.wasted ? '!' : ' '} ${r.command}`;

export function LayersPane(p: LayersPaneProps) {
  const visible = p.rows.slice(p.top, p.top + p.height);
  return (
    <Box
      flexDirection="column"
      borderStyle="round"
      borderColor={p.focused ? p.theme.accent : p.theme.dim}
      width={p.width}
      height={p.height + 3}
      flexShrink={0}
    >
      <Text wrap="truncate" bold>
        Layers <Text {...fg(p.theme.dim)}>({p.compare === 'aggregated' ? 'aggregated' : 'layer changes'}; ^A/^L)</Text>
      </Text>
      {visible.map((r) => (
        <Text
          key={r.index}
          wrap="truncate"
          inverse={r.index === p.selected && p.focused}
          bold={r.index === p.selected && !p.focused}
        >
          {layerRowText(r, r.index === p.selected)}
        </Text>
      ))}
    </Box>
  );
}
