import { CH_ADDED, CH_MODIFIED, CH_REMOVED } from '../state/layer-view.js';

/** Colours in one place; with `color: false` (NO_COLOR, or a terminal without colours) every colour is undefined. */
export interface Theme {
  readonly color: boolean;
  readonly added?: string;
  readonly removed?: string;
  readonly modified?: string;
  readonly wasted?: string;
  readonly accent?: string;
  readonly dim?: string;
  readonly match?: string;
}

export function makeTheme(color: boolean): Theme {
  if (!color) return { color };
  return {
    color,
    added: 'green',
    removed: 'red',
    modified: 'yellow',
    wasted: 'magenta',
    accent: 'cyan',
    dim: 'gray',
    match: 'yellow',
  };
}

export const changeColor = (t: Theme, code: number): string | undefined =>
  code === CH_ADDED ? t.added : code === CH_REMOVED ? t.removed : code === CH_MODIFIED ? t.modified : undefined;

/** Colour is off when NO_COLOR is set (to anything non-empty) or the stream says it has none. */
export function colorEnabled(env: NodeJS.ProcessEnv, stream: { hasColors?: () => boolean; isTTY?: boolean }): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0' && env['FORCE_COLOR'] !== 'false') return true;
  if (typeof stream.hasColors === 'function') return stream.hasColors();
  return stream.isTTY === true;
}

/**
 * Ink's `color` prop as a spread: `<Text {...fg(theme.dim)}>`. The prop is left out when there is no
 * colour (a colourless theme, or no colour for this row), since exactOptionalPropertyTypes forbids
 * passing `color={undefined}`; Ink treats the two the same.
 */
export const fg = (color: string | undefined): { color?: string } => (color === undefined ? {} : { color });
