/**
 * Every key of the explorer, described once. The same table drives input dispatch (`matchCommand`), the
 * status-line hints (`hintsFor`), the `?` overlay (`helpLines`) and docs/KEYS.md (scripts/keys-doc.mjs).
 * Keys follow dive where they do not clash (DOMAIN.md §8). Ctrl+M cannot be told from Enter in a terminal,
 * so "modified" also has a letter; Ctrl+Space arrives as NUL, which ink reports as ctrl + "`".
 */

export type Scope =
  'global' | 'layers' | 'tree' | 'search' | 'filter' | 'help' | 'preview' | 'findings' | 'classes' | 'plan';

export type Command =
  | 'quit'
  | 'help'
  | 'switchPane'
  | 'search'
  | 'filter'
  | 'prevLayer'
  | 'nextLayer'
  | 'up'
  | 'down'
  | 'pageUp'
  | 'pageDown'
  | 'home'
  | 'end'
  | 'compareAggregated'
  | 'compareLayer'
  | 'openTree'
  | 'collapse'
  | 'expand'
  | 'toggle'
  | 'toggleAll'
  | 'showAdded'
  | 'showRemoved'
  | 'showModified'
  | 'showUnchanged'
  | 'attributes'
  | 'sort'
  | 'flat'
  | 'threshold'
  | 'wastedOnly'
  | 'preview'
  | 'close'
  | 'accept'
  | 'clearFilter'
  | 'findings'
  | 'classes'
  | 'planView'
  | 'markRemove'
  | 'toggleStrip'
  | 'toggleUpx'
  | 'undo'
  | 'export'
  | 'markClass'
  | 'removeAction'
  | 'stripAll'
  | 'upxAll'
  | 'finalOnly'
  | 'recommended';

/** The subset of ink's `Key` this table reads. */
export interface KeyInfo {
  readonly upArrow?: boolean;
  readonly downArrow?: boolean;
  readonly leftArrow?: boolean;
  readonly rightArrow?: boolean;
  readonly pageUp?: boolean;
  readonly pageDown?: boolean;
  readonly home?: boolean;
  readonly end?: boolean;
  readonly return?: boolean;
  readonly escape?: boolean;
  readonly tab?: boolean;
  readonly ctrl?: boolean;
  readonly backspace?: boolean;
  readonly delete?: boolean;
  readonly meta?: boolean;
  readonly shift?: boolean;
}

type Special =
  | 'upArrow'
  | 'downArrow'
  | 'leftArrow'
  | 'rightArrow'
  | 'pageUp'
  | 'pageDown'
  | 'home'
  | 'end'
  | 'return'
  | 'escape'
  | 'tab'
  | 'backspace'
  | 'delete';

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

/** Key spec builders, shared with the compare view's table (compare-keymap.ts). */
export const sp = (special: Special): KeySpec => ({ special });
export const ch = (char: string): KeySpec => ({ char });
export const ctrl = (c: string): KeySpec => ({ ctrl: c });

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
  {
    command: 'switchPane',
    scope: 'global',
    keys: [sp('tab')],
    description: 'switch between the layers and file tree panes',
    hint: 'pane',
  },
  {
    command: 'search',
    scope: 'global',
    keys: [ch('/')],
    description: 'fuzzy search every path in the image',
    hint: 'search',
  },
  {
    command: 'filter',
    scope: 'global',
    keys: [ctrl('f')],
    description: 'filter the tree by a path regex (like dive)',
    hint: 'filter',
  },
  { command: 'prevLayer', scope: 'global', keys: [ch('[')], description: 'select the previous layer' },
  { command: 'nextLayer', scope: 'global', keys: [ch(']')], description: 'select the next layer' },
  {
    command: 'wastedOnly',
    scope: 'global',
    keys: [ch('w')],
    description: 'show only wasted paths (and the directories holding them)',
    hint: 'wasted',
  },
  {
    command: 'flat',
    scope: 'global',
    keys: [ch('f')],
    description: 'flat list of the largest files / back to the tree',
    hint: 'largest',
  },
  {
    command: 'sort',
    scope: 'global',
    keys: [ch('s')],
    description: 'sort by name / by size (largest first)',
    hint: 'sort',
  },
  {
    command: 'threshold',
    scope: 'global',
    keys: [ch('t')],
    description: 'cycle the size threshold: off, 10 kB, 100 kB, 1 MB, 10 MB, 100 MB',
  },
  {
    command: 'findings',
    scope: 'global',
    keys: [ch('F')],
    description: 'the findings of the binaries analysis (Enter jumps to the file)',
    hint: 'findings',
  },
  {
    command: 'classes',
    scope: 'global',
    keys: [ch('W')],
    description: 'the waste classes (mark a whole class for removal)',
    hint: 'classes',
  },
  {
    command: 'planView',
    scope: 'global',
    keys: [ch('v')],
    description: 'the plan: its actions and what each saves (on disk and compressed)',
    hint: 'plan',
  },
  { command: 'undo', scope: 'global', keys: [ch('z')], description: 'undo the last change to the plan', hint: 'undo' },
  {
    command: 'export',
    scope: 'global',
    keys: [ch('E')],
    description:
      'export the fix list (./slimtui-fixes.md) and the plan file (./slimtui-plan.json) in the current directory',
    hint: 'export',
  },

  ...MOVES('layers'),
  {
    command: 'compareAggregated',
    scope: 'layers',
    keys: [ctrl('a')],
    description: 'show the filesystem aggregated up to the layer',
    hint: 'aggregated',
  },
  {
    command: 'compareLayer',
    scope: 'layers',
    keys: [ctrl('l')],
    description: "show only the layer's own changes",
    hint: 'layer changes',
  },
  {
    command: 'openTree',
    scope: 'layers',
    keys: [sp('return'), sp('rightArrow'), ch('l')],
    description: 'go to the file tree',
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
  {
    command: 'preview',
    scope: 'tree',
    keys: [ch('p')],
    description: "preview the file's content (text or hex)",
    hint: 'preview',
  },
  {
    command: 'markRemove',
    scope: 'tree',
    keys: [ch('x')],
    description: 'plan: remove / keep the selected file or directory (never added: every layer that stored it shrinks)',
    hint: 'remove',
  },
  {
    command: 'toggleStrip',
    scope: 'tree',
    keys: [ch('S')],
    description: 'plan: strip the selected ELF file (a directory: every ELF file below it) / undo that',
    hint: 'strip',
  },
  {
    command: 'toggleUpx',
    scope: 'tree',
    keys: [ch('P')],
    description: 'plan: UPX-pack the selected executable (a directory: every one below it) / undo that',
  },
  { command: 'showAdded', scope: 'tree', keys: [ctrl('a'), ch('A')], description: 'show / hide added files' },
  { command: 'showRemoved', scope: 'tree', keys: [ctrl('r'), ch('R')], description: 'show / hide removed files' },
  {
    command: 'showModified',
    scope: 'tree',
    keys: [ch('M')],
    description: 'show / hide modified files (dive’s Ctrl+M is Enter in a terminal)',
  },
  { command: 'showUnchanged', scope: 'tree', keys: [ctrl('u'), ch('U')], description: 'show / hide unchanged files' },
  {
    command: 'attributes',
    scope: 'tree',
    keys: [ctrl('b'), ch('b')],
    description: 'show / hide file attributes (mode, uid:gid)',
  },

  { command: 'up', scope: 'search', keys: [sp('upArrow'), ctrl('p')], description: 'previous result' },
  { command: 'down', scope: 'search', keys: [sp('downArrow'), ctrl('n')], description: 'next result' },
  {
    command: 'accept',
    scope: 'search',
    keys: [sp('return')],
    description: 'jump to the result in the tree (expands its parents)',
    hint: 'jump',
  },
  { command: 'close', scope: 'search', keys: [sp('escape')], description: 'close the search', hint: 'close' },

  {
    command: 'accept',
    scope: 'filter',
    keys: [sp('return')],
    description: 'keep the filter and go back to the tree',
    hint: 'apply',
  },
  {
    command: 'clearFilter',
    scope: 'filter',
    keys: [sp('escape')],
    description: 'clear the filter and close it',
    hint: 'clear',
  },

  ...MOVES('preview'),
  {
    command: 'close',
    scope: 'preview',
    keys: [sp('escape'), ch('p'), ch('q')],
    description: 'close the preview',
    hint: 'close',
  },

  ...MOVES('findings'),
  {
    command: 'accept',
    scope: 'findings',
    keys: [sp('return')],
    description: 'jump to the file in the tree',
    hint: 'jump',
  },
  {
    command: 'close',
    scope: 'findings',
    keys: [sp('escape'), ch('F'), ch('q')],
    description: 'close the findings',
    hint: 'close',
  },

  ...MOVES('classes'),
  {
    command: 'markClass',
    scope: 'classes',
    keys: [ch('x'), sp('return'), ch(' ')],
    description: 'plan: remove the whole class / take it out of the plan',
    hint: 'mark',
  },
  { command: 'undo', scope: 'classes', keys: [ch('z')], description: 'undo the last change to the plan', hint: 'undo' },
  {
    command: 'export',
    scope: 'classes',
    keys: [ch('E')],
    description: 'export the fix list and the plan file',
    hint: 'export',
  },
  {
    command: 'close',
    scope: 'classes',
    keys: [sp('escape'), ch('W'), ch('q')],
    description: 'close the waste classes',
    hint: 'close',
  },

  ...MOVES('plan'),
  {
    command: 'removeAction',
    scope: 'plan',
    keys: [ch('x'), sp('delete'), sp('backspace')],
    description: 'take the selected action out of the plan',
    hint: 'drop',
  },
  {
    command: 'stripAll',
    scope: 'plan',
    keys: [ch('S')],
    description: 'strip all ELF files / take that out',
    hint: 'strip all',
  },
  {
    command: 'upxAll',
    scope: 'plan',
    keys: [ch('P')],
    description: 'UPX-pack all eligible executables / take that out',
    hint: 'upx all',
  },
  {
    command: 'finalOnly',
    scope: 'plan',
    keys: [ch('o')],
    description: 'keep only the final filesystem (multi-stage build or squash) / take that out',
  },
  {
    command: 'recommended',
    scope: 'plan',
    keys: [ch('r')],
    description: "replace the plan with slimtui's recommended plan",
  },
  { command: 'undo', scope: 'plan', keys: [ch('z')], description: 'undo the last change to the plan', hint: 'undo' },
  {
    command: 'export',
    scope: 'plan',
    keys: [ch('E')],
    description: 'export the fix list and the plan file',
    hint: 'export',
  },
  {
    command: 'close',
    scope: 'plan',
    keys: [sp('escape'), ch('v'), ch('q')],
    description: 'close the plan',
    hint: 'close',
  },

  ...MOVES('help'),
  {
    command: 'close',
    scope: 'help',
    keys: [sp('escape'), ch('?'), ch('q')],
    description: 'close the help',
    hint: 'close',
  },
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
  findings: ['findings'],
  classes: ['classes'],
  plan: ['plan'],
};

/** Whether a key press is this spec (shared with the compare view's table). */
export function keyMatches(spec: KeySpec, input: string, key: KeyInfo): boolean {
  if ('special' in spec) return key[spec.special] === true;
  if ('ctrl' in spec) return key.ctrl === true && input === spec.ctrl;
  // A plain character: not with Ctrl, and not a special key that ink reports with an empty input.
  return key.ctrl !== true && input === spec.char;
}

/** The command a key means in `scope`, or undefined. */
export function matchCommand(scope: Scope, input: string, key: KeyInfo): Command | undefined {
  for (const s of SCOPE_CHAIN[scope]) {
    for (const b of BINDINGS) if (b.scope === s && b.keys.some((k) => keyMatches(k, input, key))) return b.command;
  }
  return undefined;
}

const SPECIAL_LABEL: Record<Special, string> = {
  upArrow: '↑',
  downArrow: '↓',
  leftArrow: '←',
  rightArrow: '→',
  pageUp: 'PgUp',
  pageDown: 'PgDn',
  home: 'Home',
  end: 'End',
  return: 'Enter',
  escape: 'Esc',
  tab: 'Tab',
  backspace: 'Backspace',
  delete: 'Del',
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
  for (const s of SCOPE_CHAIN[scope])
    for (const b of BINDINGS) if (b.scope === s && b.hint) out.push({ keys: keyLabel(b.keys[0]!), label: b.hint });
  return out;
}

export const SCOPE_TITLES: Record<Scope, string> = {
  global: 'Everywhere',
  layers: 'Layers pane',
  tree: 'File tree pane',
  search: 'Search (/)',
  filter: 'Path filter (Ctrl+F)',
  help: 'Help (?)',
  preview: 'Preview (p)',
  findings: 'Findings (F)',
  classes: 'Waste classes (W)',
  plan: 'Plan (v)',
};

const DOC_SCOPES: readonly Scope[] = [
  'global',
  'layers',
  'tree',
  'search',
  'filter',
  'preview',
  'findings',
  'classes',
  'plan',
  'help',
];

/** The help overlay's text: one section per scope, `keys  description` rows. */
export function helpLines(): string[] {
  const lines: string[] = [];
  for (const s of DOC_SCOPES) {
    lines.push(`${SCOPE_TITLES[s]}`);
    for (const b of BINDINGS) if (b.scope === s) lines.push(`  ${keysLabel(b).padEnd(22)} ${b.description}`);
    if (s === 'search' || s === 'filter') lines.push(`  ${'(type)'.padEnd(22)} edit the text; Backspace deletes`);
    lines.push('');
  }
  lines.push('Marks: + added  ~ modified  - removed (in the selected layer)  ! wasted (dive) or reclaimable');
  lines.push('       glibc/musl/static after a name: the libc an ELF file needs  ✗ will not start');
  lines.push('       x s u (4th column): the plan removes / strips / UPX-packs it');
  return lines;
}

/** docs/KEYS.md: the same table as Markdown. */
export function keysMarkdown(): string {
  const out = [
    '## Keys',
    '',
    'Generated from `src/state/keymap.ts` (the table that drives the explorer) by `node scripts/keys-doc.mjs`.',
    '',
  ];
  for (const s of DOC_SCOPES) {
    out.push(`### ${SCOPE_TITLES[s]}`, '', '| Keys | Action |', '|---|---|');
    for (const b of BINDINGS)
      if (b.scope === s) out.push(`| ${b.keys.map((k) => `\`${keyLabel(k)}\``).join(' ')} | ${b.description} |`);
    out.push('');
  }
  out.push(
    "Marks in the tree: `+` added, `~` modified, `-` removed by the selected layer (green, yellow, red); `!` a wasted path (dive's inefficient paths) or bytes reclaimable from a layer. After an ELF file's name: the libc it needs (`glibc`, `musl`, `static`) and a red `✗` when it will not start. In the fourth column, `x`, `s`, `u`: the plan removes, strips or UPX-packs it.",
    '',
  );
  return out.join('\n');
}
