import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BINDINGS, hintsFor, keyLabel, keysMarkdown, matchCommand, type Scope } from '../../src/state/keymap.js';

const NONE = {};

test('keys map to commands per scope, dive-style', () => {
  assert.equal(matchCommand('tree', 'j', NONE), 'down');
  assert.equal(matchCommand('tree', '', { downArrow: true }), 'down');
  assert.equal(matchCommand('tree', 'a', { ctrl: true }), 'showAdded');
  assert.equal(matchCommand('layers', 'a', { ctrl: true }), 'compareAggregated');
  assert.equal(matchCommand('layers', 'l', { ctrl: true }), 'compareLayer');
  assert.equal(matchCommand('tree', '`', { ctrl: true }), 'toggleAll', 'Ctrl+Space arrives as NUL');
  assert.equal(matchCommand('tree', 'f', { ctrl: true }), 'filter');
  assert.equal(matchCommand('tree', 'q', NONE), 'quit');
  assert.equal(matchCommand('search', 'q', NONE), undefined, 'q is text in the search line');
  assert.equal(matchCommand('search', '', { escape: true }), 'close');
  assert.equal(matchCommand('help', '?', NONE), 'close');
  // The planner and the findings (issue 4/5): keys that do not clash with dive's (u pages up, U is "unchanged").
  assert.equal(matchCommand('tree', 'x', NONE), 'markRemove');
  assert.equal(matchCommand('tree', 'S', NONE), 'toggleStrip');
  assert.equal(matchCommand('tree', 'P', NONE), 'toggleUpx');
  assert.equal(matchCommand('tree', 'z', NONE), 'undo');
  assert.equal(matchCommand('tree', 'u', NONE), 'pageUp');
  assert.equal(matchCommand('tree', 'U', NONE), 'showUnchanged');
  assert.equal(matchCommand('layers', 'F', NONE), 'findings');
  assert.equal(matchCommand('tree', 'W', NONE), 'classes');
  assert.equal(matchCommand('tree', 'v', NONE), 'planView');
  assert.equal(matchCommand('tree', 'E', NONE), 'export');
  assert.equal(matchCommand('plan', 'x', NONE), 'removeAction');
  assert.equal(matchCommand('plan', '', { delete: true }), 'removeAction');
  assert.equal(matchCommand('classes', '', { return: true }), 'markClass');
  assert.equal(matchCommand('findings', '', { return: true }), 'accept');
});

test('guard: no key means two things in one scope (own scope + global)', () => {
  const scopes: Scope[] = ['layers', 'tree', 'search', 'filter', 'help', 'preview', 'findings', 'classes', 'plan'];
  for (const scope of scopes) {
    const chain = scope === 'layers' || scope === 'tree' ? [scope, 'global'] : [scope];
    const seen = new Map<string, string>();
    for (const b of BINDINGS.filter((b) => chain.includes(b.scope))) {
      for (const k of b.keys) {
        const label = keyLabel(k);
        const prev = seen.get(label);
        assert.ok(prev === undefined, `${scope}: ${label} is bound to ${prev} and ${b.command}`);
        seen.set(label, b.command);
      }
    }
  }
});

test('every binding is described; the status line shows hints for the focused pane', () => {
  for (const b of BINDINGS) assert.ok(b.description.length > 3, b.command);
  const tree = hintsFor('tree').map((h) => `${h.keys} ${h.label}`);
  assert.ok(tree.includes('p preview') && tree.includes('q quit') && tree.includes('/ search'));
  assert.ok(!tree.some((h) => h.includes('aggregated')), 'layer-pane keys are not hinted in the tree');
  assert.deepEqual(
    hintsFor('search').map((h) => h.label),
    ['jump', 'close'],
  );
});

test('docs/KEYS.md is generated from the table (run node scripts/keys-doc.mjs after changing keys)', () => {
  assert.equal(readFileSync('docs/KEYS.md', 'utf8'), keysMarkdown());
});

test('README.md lists the same keys (its keys section is generated with docs/KEYS.md)', () => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(
    readme.indexOf('<!-- keys:start -->') + '<!-- keys:start -->'.length,
    readme.indexOf('<!-- keys:end -->'),
  );
  assert.equal(section.trim(), keysMarkdown().trim());
});
