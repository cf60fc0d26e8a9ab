import { test, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createElement } from 'react';
import { render, cleanup } from 'ink-testing-library';
import { App, type AppProps } from '../../src/ui/app.js';
import { analyze, type Analysis } from '../../src/model/analysis.js';
import { loadSpec } from '../helpers/load.js';
import { KEY, smallImage, stripAnsi, waitFor } from '../helpers/ink.js';

let small: Analysis;
let demo: Analysis;

before(async () => {
  small = await smallImage();
  demo = analyze(await loadSpec({ kind: 'docker-archive', location: join(process.cwd(), 'demo/demo-image.tar') }));
});
afterEach(() => cleanup());

function mount(analysis: Analysis, extra: Partial<AppProps> = {}) {
  const r = render(createElement(App, { analysis, width: 100, height: 24, color: false, ...extra }));
  const frame = (): string => stripAnsi(r.lastFrame() ?? '');
  /** Writes `keys` one key at a time (a multi-character write is a paste to ink), then waits. */
  const press = async (keys: string, until: (f: string) => boolean, what: string): Promise<string> => {
    if (keys.startsWith('\x1b') || keys.length === 1) r.stdin.write(keys);
    else
      for (const k of keys) {
        r.stdin.write(k);
        await new Promise((res) => setImmediate(res));
      }
    await waitFor(() => until(frame()), what);
    return frame();
  };
  return { ...r, frame, press };
}

/** The tree row for `name` (the line's text after the left column). */
const rowFor = (frame: string, name: string): string | undefined =>
  right(frame)
    .split('\n')
    .find((l) => new RegExp(`(── |/)${name.replace('.', '\\.')}( |$|/)`).test(l));

/** The right-hand pane (the tree) of a 100-column frame: the left column is 40 wide. */
const right = (frame: string): string =>
  frame
    .split('\n')
    .map((l) => l.slice(40))
    .join('\n');

test('first frame: the last layer aggregated, every path, change marks, sizes and attributes', async () => {
  const ui = mount(small);
  await waitFor(() => ui.frame().includes('zlarge.so'), 'first frame');
  const f = ui.frame();
  assert.match(f, /layer 2\/2 aggregated/);
  // app/main.txt was added by layer 2 (12 bytes), tmp/cache.bin removed by it (3000 bytes before).
  assert.match(rowFor(f, 'main.txt')!, />?\+\s+-rw-r--r--\s+0:0\s+12 B/);
  assert.match(rowFor(f, 'cache.bin')!, /-!\s+-rw-r--r--\s+0:0\s+3\.0 kB/);
  // usr/lib/zlarge.so: 6000 bytes live, wasted (dive: 5000 + 6000 in two layers).
  assert.match(rowFor(f, 'zlarge.so')!, /!\s+-rw-r--r--\s+0:0\s+6\.0 kB/);
  // usr/ subtree at layer 2: 10 + 6000.
  assert.match(rowFor(f, 'usr')!, /6\.0 kB/);
  assert.ok(f.indexOf('asmall.so') < f.indexOf('zlarge.so'), 'name order');
  assert.match(f, /small\/test:1/);
});

test('layer switching: Tab to the layers pane, k selects layer 1; Ctrl+L shows only its changes', async () => {
  const ui = mount(small);
  await waitFor(() => ui.frame().includes('zlarge.so'), 'first frame');
  await ui.press(KEY.tab, (f) => /Ctrl\+A aggregated/.test(f), 'layers pane hints');
  let f = await ui.press('k', (f) => f.includes('layer 1/2'), 'layer 1');
  assert.match(rowFor(f, 'zlarge.so')!, /~/);
  assert.match(rowFor(f, 'cache.bin')!, /\+/);
  assert.equal(rowFor(f, 'main.txt'), undefined, 'app/main.txt does not exist yet');
  f = await ui.press(KEY.ctrlL, (f) => f.includes('changes only'), 'changes only');
  assert.equal(rowFor(f, 'a.conf'), undefined, 'etc/a.conf is not a change of layer 1');
  assert.ok(rowFor(f, 'cache.bin') && rowFor(f, 'zlarge.so'));
  f = await ui.press(KEY.ctrlA, (f) => f.includes('layer 1/2 aggregated'), 'aggregated again');
  assert.ok(rowFor(f, 'a.conf'));
});

test('collapse and expand: Enter on app/ hides main.txt, → shows it again; e collapses all', async () => {
  const ui = mount(small);
  await waitFor(() => ui.frame().includes('main.txt'), 'first frame');
  let f = await ui.press(KEY.enter, (f) => !f.includes('main.txt'), 'app/ collapsed');
  assert.match(rowFor(f, 'app')!, /app\/ …/);
  f = await ui.press(KEY.right, (f) => f.includes('main.txt'), 'app/ expanded');
  f = await ui.press('e', (f) => !f.includes('zlarge.so') && !f.includes('main.txt'), 'all collapsed');
  assert.ok(rowFor(f, 'usr') && rowFor(f, 'etc'));
  f = await ui.press(KEY.ctrlSpace, (f) => f.includes('zlarge.so'), 'all expanded (Ctrl+Space)');
});

test('filters: hide unchanged, wasted only, size threshold, Ctrl+F path regex', async () => {
  const ui = mount(small);
  await waitFor(() => ui.frame().includes('a.conf'), 'first frame');
  let f = await ui.press('U', (f) => !f.includes('a.conf'), 'unchanged hidden');
  assert.match(f, /hiding unchanged/);
  assert.ok(rowFor(f, 'main.txt') && rowFor(f, 'cache.bin'));
  f = await ui.press('U', (f) => f.includes('a.conf'), 'unchanged shown');
  f = await ui.press('w', (f) => f.includes('wasted only') && !f.includes('a.conf'), 'wasted only');
  assert.ok(rowFor(f, 'zlarge.so'));
  assert.ok(rowFor(f, 'cache.bin'), 'tmp/cache.bin: 3000 bytes reclaimable from layer 1');
  assert.equal(rowFor(f, 'asmall.so'), undefined);
  f = await ui.press('w', (f) => !f.includes('wasted only'), 'wasted off');
  f = await ui.press('tt', (f) => f.includes('≥ 100 kB'), 'threshold 100 kB');
  assert.match(f, /0 rows/);
  f = await ui.press('tttt', (f) => !f.includes('≥'), 'threshold off again');
  f = await ui.press(KEY.ctrlF, (f) => f.includes('filter /▏/'), 'filter open');
  f = await ui.press('la', (f) => f.includes('filter /la'), 'typed');
  f = await ui.press(KEY.enter, (f) => f.includes('filter /la/') && !f.includes('a.conf'), 'filter applied');
  assert.ok(rowFor(f, 'zlarge.so'));
  assert.equal(rowFor(f, 'asmall.so'), undefined);
  f = await ui.press(KEY.ctrlF, (f) => f.includes('filter /la▏/'), 'filter reopened');
  f = await ui.press(KEY.esc, (f) => !f.includes('filter /') && f.includes('a.conf'), 'filter cleared by Esc');
});

test('sort by size puts zlarge.so (6 kB) before asmall.so (10 B); f lists the largest files flat', async () => {
  const ui = mount(small);
  await waitFor(() => ui.frame().includes('zlarge.so'), 'first frame');
  let f = await ui.press('s', (f) => f.includes('by size'), 'size sort');
  assert.ok(f.indexOf('zlarge.so') < f.indexOf('asmall.so'));
  // Top level by subtree size: usr/ 6010 > etc/ 100 > app/ 12 > tmp/ 0.
  assert.ok(f.indexOf('usr/') < f.indexOf('etc/') && f.indexOf('etc/') < f.indexOf('app/'));
  f = await ui.press('f', (f) => f.includes('Largest files'), 'flat list');
  const order = ['/usr/lib/zlarge.so', '/tmp/cache.bin', '/etc/a.conf', '/app/main.txt', '/usr/lib/asmall.so'].map(
    (p) => f.indexOf(p),
  );
  assert.ok(
    order.every((i) => i >= 0),
    `all listed: ${order}`,
  );
  assert.deepEqual(
    [...order].sort((a, b) => a - b),
    order,
  );
});

test('search: / finds a path, Enter jumps to it and expands its parents', async () => {
  const ui = mount(small);
  await waitFor(() => ui.frame().includes('zlarge.so'), 'first frame');
  await ui.press('e', (f) => !f.includes('zlarge.so'), 'collapsed');
  let f = await ui.press('/', (f) => f.includes('Search:'), 'search open');
  f = await ui.press('zlar', (f) => f.includes('/usr/lib/zlarge.so') && /1 match\b/.test(f), 'search hit');
  f = await ui.press(KEY.enter, (f) => !f.includes('Search:') && f.includes('zlarge.so'), 'jumped');
  assert.match(rowFor(f, 'zlarge.so')!, /^│>/);
  assert.equal(rowFor(f, 'a.conf'), undefined, 'etc/ stays collapsed');
  // The details pane describes the node.
  assert.match(f, /\/usr\/lib\/zlarge\.so/);
  assert.match(f, /added in layer 0; layers: 0 added, 1 /);
  assert.match(f, /! dive: 2 copies, 11\.0 kB in layers 0/);
});

test('search for a deleted file jumps to the last layer where it exists', async () => {
  const ui = mount(small);
  await waitFor(() => ui.frame().includes('zlarge.so'), 'first frame');
  await ui.press('U', (f) => f.includes('hiding unchanged'), 'a filter that the jump clears');
  await ui.press('/', (f) => f.includes('Search:'), 'search open');
  await ui.press('cache', (f) => f.includes('/tmp/cache.bin'), 'hit');
  const f = await ui.press(KEY.enter, (f) => f.includes('layer 1/2'), 'layer 1');
  assert.doesNotMatch(f, /hiding/);
  assert.match(rowFor(f, 'cache.bin')!, /^│>\+/);
});

test('help overlay lists the keys from the table; Esc closes it; q quits', async () => {
  let quit = false;
  const ui = mount(small, { height: 60, onQuit: () => (quit = true) });
  await waitFor(() => ui.frame().includes('zlarge.so'), 'first frame');
  let f = await ui.press('?', (f) => f.includes('Esc or ? closes'), 'help');
  for (const s of ['show / hide added files', 'fuzzy search every path', 'Ctrl+Space', 'PgDn', 'Ctrl+F'])
    assert.ok(f.includes(s), s);
  f = await ui.press(KEY.esc, (f) => f.includes('zlarge.so'), 'help closed');
  ui.stdin.write('q');
  await waitFor(() => quit, 'quit');
});

test('resize: the frame follows the width and height props', async () => {
  const ui = mount(small, { width: 80, height: 16 });
  await waitFor(() => ui.frame().includes('Files'), 'first frame');
  let lines = ui.frame().split('\n');
  assert.equal(lines.length, 16);
  assert.ok(
    lines.every((l) => l.length <= 80),
    'fits 80 columns',
  );
  ui.rerender(createElement(App, { analysis: small, width: 120, height: 30, color: false }));
  await waitFor(() => ui.frame().split('\n').length === 30, '30 rows');
  lines = ui.frame().split('\n');
  assert.ok(lines.some((l) => l.length === 120));
});

test('cursor keys and paging move through the rows', async () => {
  const ui = mount(demo, { height: 20 });
  await waitFor(() => ui.frame().includes('Files'), 'first frame');
  let f = await ui.press('j', (f) => /^│>.*config\.yaml/m.test(right(f)), 'down to config.yaml');
  f = await ui.press(KEY.end, (f) => !right(f).includes('app/') && /^│>/m.test(right(f)), 'end');
  f = await ui.press(KEY.home, (f) => /^│>.*app\//m.test(right(f)), 'home');
  f = await ui.press(KEY.pageDown, (f) => !/^│>.*app\//m.test(right(f)), 'page down');
  assert.ok(!right(f).includes('config.yaml'), 'the window moved');
});

test('demo image: wasted-only view shows /app/data/big.bin (deleted in layer 3), and preview reads a file', async () => {
  const reads: [number, string][] = [];
  const ui = mount(demo, {
    height: 30,
    readFile: async (layer, path) => {
      reads.push([layer, path]);
      return new TextEncoder().encode('line one\nline two\n');
    },
  });
  await waitFor(() => ui.frame().includes('Files'), 'first frame');
  let f = await ui.press('w', (f) => f.includes('wasted only'), 'wasted only');
  assert.ok(rowFor(f, 'big.bin'), 'big.bin listed');
  assert.match(rowFor(f, 'big.bin')!, /-!.*614 kB/);
  f = await ui.press('/', (f) => f.includes('Search:'), 'search');
  f = await ui.press('README', (f) => f.includes('/app/data/README.txt'), 'hit');
  f = await ui.press(KEY.enter, (f) => /^│>.*README\.txt/m.test(right(f)), 'jump');
  f = await ui
    .press('p', (f) => f.includes('Preview /app/data/README.txt'), 'preview open')
    .catch((e) => {
      throw new Error(`${(e as Error).message}\n${ui.frame()}`);
    });
  f = await ui
    .press('', (f) => f.includes('1 │ line one'), 'preview text')
    .catch((e) => {
      throw new Error(`${(e as Error).message}\n${ui.frame()}`);
    });
  assert.match(f, /2 │ line two/);
  assert.equal(reads.length, 1);
  assert.equal(reads[0]![1], 'app/data/README.txt');
  f = await ui.press(KEY.esc, (f) => !f.includes('1 │ line one'), 'preview closed');
});
