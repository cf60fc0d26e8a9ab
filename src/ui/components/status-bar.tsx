import { Text } from 'ink';
import { fg, type Theme } from '../theme.js';

export interface StatusBarProps {
  readonly hints: readonly { keys: string; label: string }[];
  readonly message?: string;
  /** The planner's segment: now → planned, on disk and compressed. */
  readonly projectedSize?: string;
  readonly width: number;
  readonly theme: Theme;
}

export function StatusBar(p: StatusBarProps) {
  return (
    <Text wrap="truncate">
      {p.message ? (
        <Text {...fg(p.theme.modified)} bold>
          {`${p.message}  `}
        </Text>
      ) : null}
      {p.projectedSize ? (
        <Text {...fg(p.theme.accent)} bold>
          {`${p.projectedSize}  `}
        </Text>
      ) : null}
      {p.hints.map((h, i) => (
        <Text key={i}>
          <Text bold {...fg(p.theme.accent)}>
            {h.keys}
          </Text>{' '}
          {h.label}
          {'  '}
        </Text>
      ))}
    </Text>
  );
}
