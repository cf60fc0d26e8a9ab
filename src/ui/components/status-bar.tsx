import { Text } from 'ink';
import type { Theme } from '../theme.js';

export interface StatusBarProps {
  readonly hints: readonly { keys: string; label: string }[];
  readonly message?: string;
  /** Room for the slimming planner: e.g. "projected 41 MB". */
  readonly projectedSize?: string;
  readonly width: number;
  readonly theme: Theme;
}

export function StatusBar(p: StatusBarProps) {
  const right = [p.message, p.projectedSize ? `projected ${p.projectedSize}` : undefined].filter(Boolean).join('  ');
  return (
    <Text wrap="truncate">
      {right ? <Text color={p.theme.modified} bold>{right}  </Text> : null}
      {p.hints.map((h, i) => (
        <Text key={i}>
          <Text bold color={p.theme.accent}>{h.keys}</Text> {h.label}{'  '}
        </Text>
      ))}
    </Text>
  );
}
