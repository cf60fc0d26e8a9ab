// The binaries analysis and the slimming planner in the explorer (issues 4 and 5): ELF marks and details,
// the findings view, marking for removal with the status line's now → planned sizes, undo, the plan and
// waste-classes views, and export through the injected writer (confined to a temp working directory here).
import { test, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup } from 'ink-testing-library';
import type { AppProps } from '../../src/ui/app.js';
import type { Analysis } from '../../src/model/analysis.js';
import { parsePlanFile } from '../../src/model/plan/index.js';
import { cwdExportWriter } from '../../src/cli/tui-export.js';
import { KEY, waitFor } from '../helpers/ink.js';
import { LEFT, cursorRowText, jump, mountApp, status, type MountedApp } from '../helpers/demo-app.js';
import { demoWithElf, storedBytesUnder } from '../helpers/demo-elf.js';

let demo: Analysis;
before(async () => {
  demo = await demoWithElf();
});
afterEach(() => cleanup());

const mount = (extra: Partial<AppProps> = {}): MountedApp => mountApp(demo, extra);
const left = (f: string): string =>
  f
    .split('\n')
    .map((l) => l.slice(0, LEFT))
    .join('\n');
const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;

test('ELF files carry their libc in the tree; legacy-tool (glibc in a musl image) is marked ✗ and its details say why', async () => {
  const ui = mount();
  await waitFor(() => ui.frame().includes('Files ·'), 'first frame');
  const f = await jump(ui, 'legacy-tool', 'legacy-tool');
  assert.match(cursorRowText(f), /legacy-tool glibc ✗/);
  assert.match(f, /demo-app musl/);
  const d = left(f);
  for (const s of [
    'ELF dynamic-exec · x86-64 · 64-bit · needs glibc',
    '✗ interpreter /lib64/ld-linux-x86-64.so.2',
    '✗ will not start',
    'needed libm.so.6, libc.so.6',
    'min GLIBC 2.34',
    '✗ libm.so.6 not found',
    '✗ libc.so.6 not found',
    'ERROR interpreter-missing',
  ]) {
    assert.ok(d.includes(s), `details: ${s}\n${d}`);
  }
  const g = await jump(ui, 'busybox', 'busybox');
  assert.match(cursorRowText(g), /busybox static/);
  assert.match(left(g), /✓ will start: static binary/);
});

test('findings view: F lists every finding, errors first; Enter jumps to the file in the tree', async () => {
  const ui = mount();
  await waitFor(() => ui.frame().includes('Files ·'), 'first frame');
  // Four by hand: legacy-tool's missing interpreter (error); busybox is static glibc with NSS lookups
  // (`strings` shows __nss_hosts_lookup2, getpwnam_r: info); demo-app and legacy-tool are unstripped (info).
  let f = await ui.press('F', (f) => f.includes('Findings (4)'), 'findings view');
  const lines = f.split('\n');
  const i = lines.findIndex((l) => l.includes('> ERROR interpreter-missing /usr/local/bin/legacy-tool'));
  assert.ok(i > 0, f);
  assert.ok(lines[i + 1]!.includes('info  static-glibc-nss /bin/busybox'), f);
  assert.ok(lines[i + 2]!.includes('info  unstripped /usr/local/bin/demo-app'), f);
  assert.match(f, /glibc binary in a musl-only image/);
  assert.match(f, /fix: build it on a musl system/);
  f = await ui.press(KEY.down, (f) => f.includes('> info  static-glibc-nss /bin/busybox'), 'second finding');
  f = await ui.press(KEY.down, (f) => f.includes('> info  unstripped /usr/local/bin/demo-app'), 'third finding');
  f = await ui.press(KEY.enter, (f) => !f.includes('Findings (') && cursorRowText(f).includes('demo-app'), 'jumped');
  assert.match(left(f), /INFO unstripped|info unstripped/);
});

test('x marks a file for removal: the status line shows now → planned, less by the bytes its entries store; z undoes', async () => {
  const ui = mount();
  await waitFor(() => ui.frame().includes('Files ·') && status(ui.frame()).includes('→'), 'first frame with sizes');
  const before = demo.image.layers.reduce((s, l) => s + l.size, 0);
  assert.ok(status(ui.frame()).startsWith(`${mb(before)} → ${mb(before)} · gzip`), status(ui.frame()));
  await jump(ui, 'big.bin', 'big.bin');
  // big.bin: 614,400 bytes stored by layer 2 (deleted in layer 3) — what removing it saves on disk.
  const saved = storedBytesUnder(demo, 'app/data/big.bin');
  assert.equal(saved, 614_400);
  let f = await ui.press(
    'x',
    (f) => status(f).includes('(−614 kB)') && !status(f).includes('planning'),
    'planned size',
  );
  assert.ok(status(f).includes(`plan: remove /app/data/big.bin`));
  assert.ok(status(f).includes(`${mb(before)} → ${mb(before - saved)} (−614 kB) · gzip`), status(f));
  assert.match(cursorRowText(f), /^│>.!x -rw-r--r--/, 'the x mark in the tree');
  f = await ui.press('v', (f) => f.includes('Plan · 1 action'), 'plan view');
  assert.match(f, /−614 kB .*remove \/app\/data\/big\.bin/);
  assert.ok(
    f.includes(`exact: ${before.toLocaleString('en-US')} → ${(before - saved).toLocaleString('en-US')} bytes on disk`),
    f,
  );
  f = await ui.press('z', (f) => f.includes('Plan · 0 actions') && !status(f).includes('(−'), 'undone');
  f = await ui.press('z', (f) => status(f).includes('nothing to undo'), 'nothing more to undo');
  // Redo by hand, then drop it from the plan view.
  f = await ui.press(KEY.esc, (f) => !f.includes('Plan ·'), 'plan closed');
  f = await ui.press('x', (f) => status(f).includes('(−614 kB)'), 'marked again');
  f = await ui.press('v', (f) => f.includes('Plan · 1 action'), 'plan view');
  f = await ui.press('x', (f) => f.includes('Plan · 0 actions') && status(f).includes('action dropped'), 'dropped');
});

test('waste classes: W lists the classes; x on a class puts it in the plan; the plan view lists it with its saving', async () => {
  const ui = mount();
  await waitFor(() => ui.frame().includes('Files ·'), 'first frame');
  let f = await ui.press('W', (f) => f.includes('deleted: deleted in a later layer'), 'classes');
  assert.match(f, /> \[ \]\s+679 kB\s+0 B\s+22\s+deleted:/);
  f = await ui.press('x', (f) => f.includes('[x]') && status(f).includes('(−679 kB)'), 'class planned');
  f = await ui.press(KEY.esc, (f) => !f.includes('Waste classes'), 'closed');
  f = await ui.press('v', (f) => f.includes('remove class deleted'), 'plan view');
  assert.match(f, /−679 kB .*remove class deleted/);
});

test('E exports the fix list (markdown) and the plan file into the working directory, and the status says where', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'slimtui-export-'));
  try {
    const ui = mount({ writeExport: cwdExportWriter(cwd) });
    await waitFor(() => ui.frame().includes('Files ·'), 'first frame');
    await jump(ui, 'big.bin', 'big.bin');
    await ui.press('x', (f) => status(f).includes('(−614 kB)'), 'planned');
    const md = join(cwd, 'slimtui-fixes.md');
    const f = await ui.press('E', (f) => status(f).includes('fix list written to'), 'exported');
    assert.ok(status(f).includes(`fix list written to ${md}`), status(f));
    assert.ok(existsSync(md));
    const text = readFileSync(md, 'utf8');
    assert.match(text, /^# Slimming fix list for `slimtui\/demo:latest`/);
    assert.match(text, /remove \/app\/data\/big\.bin: −614 kB/);
    const plan = parsePlanFile(JSON.parse(readFileSync(join(cwd, 'slimtui-plan.json'), 'utf8')));
    assert.deepEqual(plan.actions, [{ kind: 'remove-path', path: '/app/data/big.bin' }]);
    assert.equal(existsSync(join(process.cwd(), 'slimtui-fixes.md')), false, 'nothing written in the repo');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('the export writer takes bare names only', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'slimtui-export-'));
  try {
    const w = cwdExportWriter(cwd);
    for (const bad of ['../x.md', '/tmp/x.md', 'a/b.md', '..', '']) assert.throws(() => w(bad, 'x'), /bare file name/);
    assert.equal(w('ok.md', 'x'), join(cwd, 'ok.md'));
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('wasted-only view lists /usr/include (deleted with its directory in layer 3) and shows wasted bytes', async () => {
  const ui = mount({ height: 60 });
  await waitFor(() => ui.frame().includes('Files ·'), 'first frame');
  const f = await ui.press('w', (f) => f.includes('wasted only') && f.includes('include/'), 'wasted only');
  const row = f.split('\n').find((l) => /── include\//.test(l))!;
  // 65.1 kB: the headers of layers 1 and 2 under /usr/include.
  assert.ok(row.includes(`${(storedBytesUnder(demo, 'usr/include') / 1000).toFixed(1)} kB`), row);
  assert.match(f, /Wasted {2}Name/);
  assert.match(f, /── stdio\.h/);
});
