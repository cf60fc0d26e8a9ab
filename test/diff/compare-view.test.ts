// The compare view of `slimtui diff A B`, driven from the keyboard in a real terminal (tmux on a private socket
// in a temp dir, 140x40): dive's kaniko test image (A) against the bundled demo image (B). Expected rows come
// from the archives' `tar -tvf` listings (tar-oracle.ts), not from slimtui.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedPath } from '../helpers/shared.js';
import { ensureBuilt } from '../helpers/cli.js';
import { oracleDiff, oracleImage, type OracleImage } from './tar-oracle.js';

const ROOT = process.cwd();
const A = sharedPath('fixtures/third-party-dive/test-kaniko-image.tar');
const B = join(ROOT, 'demo', 'demo-image.tar');
let tmp: string;
let oa: OracleImage;
let ob: OracleImage;

before(async () => {
  ensureBuilt();
  tmp = await mkdtemp(join(tmpdir(), 'slimtui-compare-'));
  oa = await oracleImage(A, tmp);
  ob = await oracleImage(B, tmp);
});

after(async () => {
  await oa?.cleanup();
  await ob?.cleanup();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

class Term {
  readonly socket: string;
  constructor(dir: string) {
    this.socket = join(dir, 'tmux.sock');
    this.tmux('new-session', '-d', '-x', '140', '-y', '40', '-s', 'main', 'env PS1="$ " sh');
  }
  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, TMUX: '' },
    });
  }
  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', 'main');
  }
  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'main', ...keys);
  }
  async waitFor(check: (s: string) => boolean, what: string, timeoutMs = 30000): Promise<string> {
    const t0 = Date.now();
    for (;;) {
      const s = this.screen();
      if (check(s)) return s;
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // gone
    }
  }
}

/** The rows of the differences pane (the left box under its title), without the box border. */
function treeRows(screen: string): string[] {
  const lines = screen.split('\n');
  const start = lines.findIndex((l) => l.includes('Differences ·'));
  if (start < 0) return [];
  const out: string[] = [];
  for (const l of lines.slice(start + 2)) {
    if (l.startsWith('╰')) break;
    out.push(l.slice(1).split('││')[0]!.replace(/│$/, ''));
  }
  return out;
}
const cursorRow = (screen: string): string => treeRows(screen).find((r) => r.startsWith('>')) ?? '';
const si = (n: number): string =>
  Math.abs(n) < 1000 ? `${n} B` : `${(n / 1e6 >= 1 ? n / 1e6 : n / 1e3).toFixed(1)} ${n / 1e6 >= 1 ? 'MB' : 'kB'}`;

test('compare view: largest growth first, search and jump, filters, the path in A, flat list, help, quit', async () => {
  const want = oracleDiff(oa, ob);
  // The file that grew most (the oracle's sizes), which the view selects first.
  let top = '';
  let topDelta = -Infinity;
  for (const p of [...want.added, ...want.changed.keys()]) {
    const e = ob.fs.get(p)!;
    if (e.type === 'd') continue;
    const delta = e.size - (oa.fs.get(p)?.size ?? 0);
    if (delta > topDelta) [top, topDelta] = [p, delta];
  }
  assert.equal(top, 'bin/busybox');
  const t = new Term(tmp);
  try {
    t.keys(`cd ${ROOT} && CI=false node bin/slimtui diff --tui ${A} ${B}; echo "EXIT=$?"`, 'Enter');
    let s = await t.waitFor((x) => x.includes('Differences ·'), 'the compare view');
    assert.match(s, /Layers · A dive-test:kaniko-latest │ B slimtui\/demo:latest/);
    assert.ok(cursorRow(s).includes('busybox') && cursorRow(s).includes(`+${si(topDelta)}`), cursorRow(s));
    // Rows are ordered by delta: siblings under /bin come largest growth first, so busybox is /bin's first child.
    const rows = treeRows(s);
    assert.ok(rows.findIndex((r) => /bin\/$/.test(r.trim())) < rows.findIndex((r) => r.startsWith('>')));

    // Search a path only B has, jump to it; the details say which layer of B wrote it.
    const only = 'usr/local/bin/legacy-tool';
    assert.ok(want.added.has(only) && !oa.fs.has(only));
    t.keys('/');
    await t.waitFor((x) => x.includes('Search:'), 'search');
    t.keys('-l', 'legacy-tool');
    await t.waitFor((x) => x.includes(`/${only}`), 'search hit');
    t.keys('Enter');
    s = await t.waitFor((x) => !x.includes('Search:') && cursorRow(x).includes('legacy-tool'), 'jumped to legacy-tool');
    assert.ok(s.includes(`caused by B's layer ${ob.fs.get(only)!.layer}`), s);
    t.keys('a');
    s = await t.waitFor((x) => x.includes(`/${only} is not in image A`), 'the path in A');

    // Filters: hide added; then only what shrank (every row's delta is negative), then clear.
    t.keys('A');
    s = await t.waitFor((x) => x.includes('no added'), 'added hidden');
    assert.ok(!treeRows(s).some((r) => r.includes('legacy-tool')));
    t.keys('A', '-');
    s = await t.waitFor((x) => x.includes('only shrank') && !x.includes('no added'), 'only shrank');
    // Files (directories show their subtree's delta: they are listed because they hold what shrank).
    const files = treeRows(s).filter((r) => r.trim() !== '' && !/\/( …)?(\s+\[[a-z,]+\])?\s*$/.test(r));
    const deltas = files.map((r) => /^[> ][+~\- ]\s+([+-]?[\d.]+ [kM]?B)/.exec(r)?.[1]);
    assert.ok(deltas.length > 0 && deltas.every((x) => x !== undefined && x.startsWith('-')), files.join('\n'));
    t.keys('0', 'f');
    s = await t.waitFor((x) => x.includes('flat, largest growth first'), 'flat list');
    assert.match(treeRows(s)[0]!, new RegExp(`/${top}\\b`));

    t.keys('?');
    s = await t.waitFor((x) => x.includes('Keys — Esc or ? closes'), 'help');
    assert.match(s, /only paths that grew/);
    t.keys('Escape');
    await t.waitFor((x) => x.includes('Differences ·'), 'help closed');
    t.keys('q');
    s = await t.waitFor((x) => x.includes('EXIT=0'), 'exit');
    assert.doesNotMatch(s, /Differences ·/, 'the alternate screen is gone');
  } finally {
    t.kill();
  }
});
