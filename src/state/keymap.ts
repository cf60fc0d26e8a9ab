/**
 * Every key of the explorer, described once. The same table drives input dispatch (`matchCommand`), the
 * status-line hints (`hintsFor`), the `?` overlay (`helpLines`) and docs/KEYS.md (scripts/keys-doc.mjs).
 * Keys follow dive where they do not clash (DOMAIN.md §8). Ctrl+M cannot be told from Enter in a terminal,
 * so "modified" also has a letter; Ctrl+Space arrives as NUL, which ink reports as ctrl + "`".
 */

export type Scope = 'global' | 'layers' | 'tree' | 'search' | 'filter' | 'help' | 'preview';

export type Command =
  | 'quit' | 'help' | 'switchPane' | 'search' | 'filter' | 'prevLayer' | 'nextLayer'
  | 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end'
  | 'compareAggregated' | 'compareLayer' | 'openTree'
  | 'collapse' | 'expand' | 'toggle' | 'toggleAll'
  | 'showAdded' | 'showRemoved' | 'showModified' | 'showUnchanged' | 'attributes'
  | 'sort' | 'flat' | 'threshold' | 'wastedOnly' | 'preview'
  | 'close' | 'accept' | 'clearFilter';

/** The subset of ink's `Key` this table reads. */
export interface KeyInfo {
  readonly upArrow?: boolean; readonly downArrow?: boolean; readonly leftArrow?: boolean; readonly rightArrow?: boolean;
  readonly pageUp?: boolean; readonly pageDown?: boolean; readonly home?: boolean; readonly end?: boolean;
  readonly return?: boolean; readonly escape?: boolean; readonly tab?: boolean; readonly ctrl?: boolean;
  readonly backspace?: boolean; readonly delete?: boolean; readonly meta?: boolean; readonly shift?: boolean;
}

type Special = 'upArrow' | 'downArrow' | 'leftArrow' | 'rightArrow' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'return' | 'escape' | 'tab';

/** One key: a special key, a plain character, or Ctrl + a character. */
export type KeySpec = { readonly special: Special } | { readonly char: string } | { readonly ctrl: string };

export interface Binding {
  readonly command: Command;
  readonly scope: Scope;
  readonly keys: readonly KeySpec[];
  /** What it does, for the help overlay and the README. */
  readonly description: string;
  /** Short label for the status line; bindings without one are only in the help. */
  readonly hint?: string;
}

const sp = (special: Special): KeySpec => ({ special });
const ch = (char: string): KeySpec => ({ char });
const ctrl = (c: string): KeySpec => ({ ctrl: c });

const MOVES = (scope: Scope): Binding[] => [
  { command: 'up', scope, keys: [sp('upArrow'), ch('k')], description: 'move up' },
  { command: 'down', scope, keys: [sp('downArrow'), ch('j')], description: 'move down' },
  { command: 'pageUp', scope, keys: [sp('pageUp'), ch('u')], description: 'page up' },
  { command: 'pageDown', scope, keys: [sp('pageDown'), ch('d')], description: 'page down' },
  { command: 'home', scope, keys: [sp('home'), ch('g')], description: 'first row' },
  { command: 'end', scope, keys: [sp('end'), ch('G')], description: 'last row' },
];

export const BINDINGS: readonly Binding[] = [
  { command: 'quit', scope: 'global', keys: [ch('q'), ctrl('c')], description: 'quit', hint: 'quit' },
  { command: 'help', scope: 'global', keys: [ch('?')], description: 'show / hide this help', hint: 'help' },
  { command: 'switchPane', scope: 'global', keys: [sp('tab')], description: 'switch between the layers and file tree panes', hint: 'pane' },
  { command: 'search', scope: 'global', keys: [ch('/')], description: 'fuzzy search every path in the image', hint: 'search' },
  { command: 'filter', scope: 'global', keys: [ctrl('f')], description: 'filter the tree by a path regex (like dive)', hint: 'filter' },
  { command: 'prevLayer', scope: 'global', keys: [ch('[')], description: 'select the previous layer' },
  { command: 'nextLayer', scope: 'global', keys: [ch(']')], description: 'select the next layer' },
  { command: 'wastedOnly', scope: 'global', keys: [ch('w')], description: 'show only wasted paths (and the directories holding them)', hint: 'wasted' },
  { command: 'flat', scope: 'global', keys: [ch('f')], description: 'flat list of the largest files / back to the tree', hint: 'largest' },
  { command: 'sort', scope: 'global', keys: [ch('s')], description: 'sort by name / by size (largest first)', hint: 'sort' },
  { command: 'threshold', scope: 'global', keys: [ch('t')], description: 'cycle the size threshold: off, 10 kB, 100 kB, 1 MB, 10 MB, 100 MB' },

  ...MOVES('layers'),
  { command: 'compareAggregated', scope: 'layers', keys: [ctrl('a')], description: 'show the filesystem aggregated up to the layer', hint: 'aggregated' },
  { command: 'compareLayer', scope: 'layers', keys: [ctrl('l')], description: "show only the layer's own changes", hint: 'layer changes' },
  { command: 'openTree', scope: 'layers', keys: [sp('return'), sp('rightArrow'), ch('l')], description: 'go to the file tree' },

  ...MOVES('tree'),
  { command: 'collapse', scope: 'tree', keys: [sp('leftArrow'), ch('h')], description: 'collapse the directory (or go to its parent)' },
  { command: 'expand', scope: 'tree', keys: [sp('rightArrow'), ch('l')], description: 'expand the directory' },
  { command: 'toggle', scope: 'tree', keys: [sp('return'), ch(' ')], description: 'expand / collapse the directory', hint: 'toggle' },
  { command: 'toggleAll', scope: 'tree', keys: [ctrl('`'), ch('e')], description: 'expand / collapse all directories (Ctrl+Space)', hint: 'all' },
  { command: 'preview', scope: 'tree', keys: [ch('p')], description: "preview the file's content (text or hex)", hint: 'preview' },
  { command: 'showAdded', scope: 'tree', keys: [ctrl('a'), ch('A')], description: 'show / hide added files' },
  { command: 'showRemoved', scope: 'tree', keys: [ctrl('r'), ch('R')], description: 'show / hide removed files' },
  { command: 'showModified', scope: 'tree', keys: [ch('M')], description: 'show / hide modified files (dive’s Ctrl+M is Enter in a terminal)' },
  { command: 'showUnchanged', scope: 'tree', keys: [ctrl('u'), ch('U')], description: 'show / hide unchanged files' },
  { command: 'attributes', scope: 'tree', keys: [ctrl('b'), ch('b')], description: 'show / hide file attributes (mode, uid:gid)' },

  { command: 'up', scope: 'search', keys: [sp('upArrow'), ctrl('p')], description: 'previous result' },
  { command: 'down', scope: 'search', keys: [sp('downArrow'), ctrl('n')], description: 'next result' },
  { command: 'accept', scope: 'search', keys: [sp('return')], description: 'jump to the result in the tree (expands its parents)', hint: 'jump' },
  { command: 'close', scope: 'search', keys: [sp('escape')], description: 'close the search', hint: 'close' },

  { command: 'accept', scope: 'filter', keys: [sp('return')], description: 'keep the filter and go back to the tree', hint: 'apply' },
  { command: 'clearFilter', scope: 'filter', keys: [sp('escape')], description: 'clear the filter and close it', hint: 'clear' },

  ...MOVES('preview'),
  { command: 'close', scope: 'preview', keys: [sp('escape'), ch('p'), ch('q')], description: 'close the preview', hint: 'close' },

  ...MOVES('help'),
  { command: 'close', scope: 'help', keys: [sp('escape'), ch('?'), ch('q')], description: 'close the help', hint: 'close' },
];

/** Overlays take the keyboard: only their own bindings (and typing, for search and filter) apply. */
const SCOPE_CHAIN: Record<Scope, readonly Scope[]> = {
  global: ['global'],
  layers: ['layers', 'global'],
  tree: ['tree', 'global'],
  search: ['search'],
  filter: ['filter'],
  help: ['help'],
  preview: ['preview'],
};

function matches(spec: KeySpec, input: string, key: KeyInfo): boolean {
  if ('special' in spec) return key[spec.special] === true;
  if ('ctrl' in spec) return key.ctrl === true && input === spec.ctrl;
  // A plain character: not with Ctrl, and not a special key that ink reports with an empty input.
  return key.ctrl !== true && input === spec.char;
}

/** The command a key means in `scope`, or undefined. */
export function matchCommand(scope: Scope, input: string, key: KeyInfo): Command | undefined {
  for (const s of SCOPE_CHAIN[scope]) {
    for (const b of BINDINGS) if (b.scope === s && b.keys.some((k) => matches(k, input, key))) return b.command;
  }
  return undefined;
}

const SPECIAL_LABEL: Record<Special, string> = {
  upArrow: '↑', downArrow: '↓', leftArrow: '←', rightArrow: '→', pageUp: 'PgUp', pageDown: 'PgDn', home: 'Home', end: 'End', return: 'Enter', escape: 'Esc', tab: 'Tab',
};

export function keyLabel(spec: KeySpec): string {
  if ('special' in spec) return SPECIAL_LABEL[spec.special];
  if ('ctrl' in spec) return spec.ctrl === '`' ? 'Ctrl+Space' : `Ctrl+${spec.ctrl.toUpperCase()}`;
  return spec.char === ' ' ? 'Space' : spec.char;
}

export const keysLabel = (b: Binding): string => b.keys.map(keyLabel).join(' ');

/** Status-line hints for the keys valid in `scope`: `[{keys, label}]`, own scope first. */
export function hintsFor(scope: Scope): { keys: string; label: string }[] {
  const out: { keys: string; label: string }[] = [];
  for (const s of SCOPE_CHAIN[scope]) for (const b of BINDINGS) if (b.scope === s && b.hint) out.push({ keys: keyLabel(b.keys[0]!), label: b.hint });
  return out;
}

export const SCOPE_TITLES: Record<Scope, string> = {
  global: 'Everywhere', layers: 'Layers pane', tree: 'File tree pane', search: 'Search (/)', filter: 'Path filter (Ctrl+F)', help: 'Help (?)', preview: 'Preview (p)',
};

/** The help overlay's text: one section per scope, `keys  description` rows. */
export function helpLines(): string[] {
  const lines: string[] = [];
  const scopes: Scope[] = ['global', 'layers', 'tree', 'search', 'filter', 'preview', 'help'];
  for (const s of scopes) {
    lines.push(`${SCOPE_TITLES[s]}`);
    for (const b of BINDINGS) if (b.scope === s) lines.push(`  ${keysLabel(b).padEnd(22)} ${b.description}`);
    if (s === 'search' || s === 'filter') lines.push(`  ${'(type)'.padEnd(22)} edit the text; Backspace deletes`);
    lines.push('');
  }
  lines.push('Marks: + added  ~ modified  - removed (in the selected layer)  ! wasted (dive) or reclaimable');
  return lines;
}

/** docs/KEYS.md: the same table as Markdown. */
export function keysMarkdown(): string {
  const out = ['## Keys', '', 'Generated from `src/state/keymap.ts` (the table that drives the explorer) by `node scripts/keys-doc.mjs`.', ''];
  const scopes: Scope[] = ['global', 'layers', 'tree', 'search', 'filter', 'preview', 'help'];
  for (const s of scopes) {
    out.push(`### ${SCOPE_TITLES[s]}`, '', '| Keys | Action |', '|---|---|');
    for (const b of BINDINGS) if (b.scope === s) out.push(`| ${b.keys.map((k) => `\`${keyLabel(k)}\``).join(' ')} | ${b.description} |`);
    out.push('');
  }
  out.push('Marks in the tree: `+` added, `~` modified, `-` removed by the selected layer (green, yellow, red); `!` a wasted path (dive\'s inefficient paths) or bytes reclaimable from a layer.', '');
  return out.join('\n');
}
