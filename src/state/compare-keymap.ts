/**
 * Every key of the compare view (`slimtui diff A B`), described once, in the pattern of keymap.ts: the same
 * table drives input dispatch, the status-line hints and the help overlay. Moves, search, Tab, h/l, e and
 * A/R/M are the explorer's keys.
 */
import { ch, ctrl, keyLabel, keyMatches, sp, type KeyInfo, type KeySpec } from './keymap.js';

export type CompareScope = 'global' | 'layers' | 'tree' | 'search' | 'help';

export type CompareCommand =
  | 'quit'
  | 'help'
  | 'switchPane'
  | 'search'
  | 'up'
  | 'down'
  | 'pageUp'
  | 'pageDown'
  | 'home'
  | 'end'
  | 'collapse'
  | 'expand'
  | 'toggle'
  | 'toggleAll'
  | 'flat'
  | 'showAdded'
  | 'showRemoved'
  | 'showChanged'
  | 'onlyGrew'
  | 'onlyShrank'
  | 'clearFilters'
  | 'inA'
  | 'inB'
  | 'accept'
  | 'close';

export interface CompareBinding {
  readonly command: CompareCommand;
  readonly scope: CompareScope;
  readonly keys: readonly KeySpec[];
  readonly description: string;
  readonly hint?: string;
}

const MOVES = (scope: CompareScope): CompareBinding[] => [
  { command: 'up', scope, keys: [sp('upArrow'), ch('k')], description: 'move up' },
  { command: 'down', scope, keys: [sp('downArrow'), ch('j')], description: 'move down' },
  { command: 'pageUp', scope, keys: [sp('pageUp'), ch('u')], description: 'page up' },
  { command: 'pageDown', scope, keys: [sp('pageDown'), ch('d')], description: 'page down' },
  { command: 'home', scope, keys: [sp('home'), ch('g')], description: 'first row' },
  { command: 'end', scope, keys: [sp('end'), ch('G')], description: 'last row' },
];

export const COMPARE_BINDINGS: readonly CompareBinding[] = [
  { command: 'quit', scope: 'global', keys: [ch('q'), ctrl('c')], description: 'quit', hint: 'quit' },
  { command: 'help', scope: 'global', keys: [ch('?')], description: 'show / hide this help', hint: 'help' },
  {
    command: 'switchPane',
    scope: 'global',
    keys: [sp('tab')],
    description: 'switch between the layers and the differences',
    hint: 'pane',
  },
  {
    command: 'search',
    scope: 'global',
    keys: [ch('/')],
    description: 'fuzzy search every changed path',
    hint: 'search',
  },
  {
    command: 'showAdded',
    scope: 'global',
    keys: [ch('A'), ctrl('a')],
    description: 'show / hide added paths',
    hint: 'added',
  },
  {
    command: 'showRemoved',
    scope: 'global',
    keys: [ch('R'), ctrl('r')],
    description: 'show / hide removed paths',
    hint: 'removed',
  },
  {
    command: 'showChanged',
    scope: 'global',
    keys: [ch('M')],
    description: 'show / hide changed paths',
    hint: 'changed',
  },
  {
    command: 'onlyGrew',
    scope: 'global',
    keys: [ch('+')],
    description: 'only paths that grew (again: all sizes)',
    hint: 'grew',
  },
  {
    command: 'onlyShrank',
    scope: 'global',
    keys: [ch('-')],
    description: 'only paths that shrank (again: all sizes)',
    hint: 'shrank',
  },
  { command: 'clearFilters', scope: 'global', keys: [ch('0')], description: 'clear every filter' },
  {
    command: 'flat',
    scope: 'global',
    keys: [ch('f')],
    description: 'flat list of the changed paths, largest growth first / back to the tree',
  },
  {
    command: 'inA',
    scope: 'global',
    keys: [ch('a')],
    description: 'the selected path in image A: its layer there, its history in the details',
    hint: 'in A',
  },
  {
    command: 'inB',
    scope: 'global',
    keys: [ch('b')],
    description: 'the selected path in image B: its layer there, its history in the details',
    hint: 'in B',
  },

  ...MOVES('layers'),
  {
    command: 'accept',
    scope: 'layers',
    keys: [sp('return'), sp('rightArrow'), ch('l')],
    description: 'go to the differences',
  },

  ...MOVES('tree'),
  {
    command: 'collapse',
    scope: 'tree',
    keys: [sp('leftArrow'), ch('h')],
    description: 'collapse the directory (or go to its parent)',
  },
  { command: 'expand', scope: 'tree', keys: [sp('rightArrow'), ch('l')], description: 'expand the directory' },
  {
    command: 'toggle',
    scope: 'tree',
    keys: [sp('return'), ch(' ')],
    description: 'expand / collapse the directory',
    hint: 'toggle',
  },
  {
    command: 'toggleAll',
    scope: 'tree',
    keys: [ctrl('`'), ch('e')],
    description: 'expand / collapse all directories (Ctrl+Space)',
    hint: 'all',
  },

  { command: 'up', scope: 'search', keys: [sp('upArrow'), ctrl('p')], description: 'previous result' },
  { command: 'down', scope: 'search', keys: [sp('downArrow'), ctrl('n')], description: 'next result' },
  {
    command: 'accept',
    scope: 'search',
    keys: [sp('return')],
    description: 'jump to the result in the differences (expands its parents)',
    hint: 'jump',
  },
  { command: 'close', scope: 'search', keys: [sp('escape')], description: 'close the search', hint: 'close' },

  ...MOVES('help'),
  {
    command: 'close',
    scope: 'help',
    keys: [sp('escape'), ch('?'), ch('q')],
    description: 'close the help',
    hint: 'close',
  },
];

const CHAIN: Record<CompareScope, readonly CompareScope[]> = {
  global: ['global'],
  layers: ['layers', 'global'],
  tree: ['tree', 'global'],
  search: ['search'],
  help: ['help'],
};

export function matchCompareCommand(scope: CompareScope, input: string, key: KeyInfo): CompareCommand | undefined {
  for (const s of CHAIN[scope])
    for (const b of COMPARE_BINDINGS)
      if (b.scope === s && b.keys.some((k) => keyMatches(k, input, key))) return b.command;
  return undefined;
}

export function compareHints(scope: CompareScope): { keys: string; label: string }[] {
  const out: { keys: string; label: string }[] = [];
  for (const s of CHAIN[scope])
    for (const b of COMPARE_BINDINGS)
      if (b.scope === s && b.hint) out.push({ keys: keyLabel(b.keys[0]!), label: b.hint });
  return out;
}

const TITLES: Record<CompareScope, string> = {
  global: 'Everywhere',
  layers: 'Layers (A | B)',
  tree: 'Differences',
  search: 'Search (/)',
  help: 'Help (?)',
};

export function compareHelpLines(): string[] {
  const lines: string[] = [];
  for (const s of ['global', 'layers', 'tree', 'search', 'help'] as const) {
    lines.push(TITLES[s]);
    for (const b of COMPARE_BINDINGS)
      if (b.scope === s) lines.push(`  ${b.keys.map(keyLabel).join(' ').padEnd(22)} ${b.description}`);
    if (s === 'search') lines.push(`  ${'(type)'.padEnd(22)} edit the text; Backspace deletes`);
    lines.push('');
  }
  lines.push('Marks: + added  - removed  ~ changed (in B compared with A); sizes are B − A, largest growth first');
  lines.push('Layers: = shared base (same diff_id, same place: skipped by the path diff)  ≈ same diff_id elsewhere');
  lines.push('        + only in B  - only in A;  ▸ the layer holding the selected path');
  return lines;
}
