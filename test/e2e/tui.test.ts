// End to end, as a person would: the real `node bin/slimtui --tui` in a real terminal (tmux, 120x40),
// keys typed with send-keys, the screen read with capture-pane; after q / Ctrl+C the alternate screen must be
// gone (the shell's screen is back, with the app's exit code) — the terminal is restored.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDist } from '../helpers/cli.js';
import { sharedPath } from '../helpers/shared.js';
import { Term as TmuxTerm } from '../helpers/tmux-term.js';
import { dockerArchiveLegacy } from '../helpers/make-archive.js';

const ROOT = process.cwd();
const KANIKO = sharedPath('fixtures/third-party-dive/test-kaniko-image.tar');

before(() => {
  // bin/slimtui runs dist/bundle/: build it from the current sources.
  buildDist();
});

/** Every terminal a test opened; each must leave no socket behind (checked after each test). */
class Term extends TmuxTerm {
  constructor() {
    super(ROOT);
  }
  override kill(): void {
    super.kill();
    assert.equal(existsSync(this.dir), false, `tmux socket dir ${this.dir} left behind`);
  }
}

/** The tree pane's cursor row (the right-hand pane starts after the left column). */
const cursorLine = (screen: string): string | undefined => screen.split('\n').find((l) => /││>|[╮╯]│>/.test(l));

test('demo image: open, move, search and jump, quit with q; the terminal is restored', async () => {
  const t = new Term();
  try {
    t.keys('cd ' + ROOT + ' && CI=false node bin/slimtui --tui demo/demo-image.tar; echo "EXIT=$?"', 'Enter');
    let s = await t.waitFor((s) => s.includes('Files · layer 4/4 aggregated'), 'the explorer');
    assert.match(s, /slimtui\/demo:latest/);
    assert.doesNotMatch(s, /EXIT=/);
    t.keys('j');
    s = await t.waitFor((s) => /config\.yaml/.test(cursorLine(s) ?? ''), 'cursor on config.yaml');
    t.keys('/');
    await t.waitFor((s) => s.includes('Search:'), 'search');
    t.keys('-l', 'busybox');
    await t.waitFor((s) => s.includes('/bin/busybox'), 'search results');
    t.keys('Enter');
    s = await t.waitFor(
      (s) => !s.includes('Search:') && /── busybox/.test(cursorLine(s) ?? ''),
      'jumped to /bin/busybox',
    );
    assert.match(s, /\/bin\/busybox/);
    t.keys('q');
    s = await t.waitFor((s) => s.includes('EXIT=0'), 'exit');
    assert.doesNotMatch(s, /Files · layer/, 'the alternate screen is gone');
    assert.match(s, /node bin\/slimtui --tui demo\/demo-image\.tar/, "the shell's screen is back");
  } finally {
    t.kill();
  }
});

test('third-party kaniko image: layers, wasted-only view, search, Ctrl+C restores the terminal', async () => {
  const t = new Term();
  try {
    t.keys(`cd ${ROOT} && CI=false node bin/slimtui --tui ${KANIKO}; echo "EXIT=$?"`, 'Enter');
    let s = await t.waitFor((s) => s.includes('Files · layer 13/13 aggregated'), 'the explorer');
    t.keys('Tab');
    await t.waitFor((s) => s.includes('Ctrl+A aggregated'), 'layers pane');
    t.keys('-l', 'gggg');
    s = await t.waitFor((s) => s.includes('Files · layer 0/13'), 'layer 0');
    t.keys('Tab', 'w');
    s = await t.waitFor((s) => s.includes('wasted only'), 'wasted only');
    t.keys('/');
    await t.waitFor((s) => s.includes('Search:'), 'search');
    t.keys('-l', 'saved.again1');
    await t.waitFor((s) => s.includes('/tmp/saved.again1.txt'), 'search results');
    t.keys('Enter');
    s = await t.waitFor((s) => !s.includes('Search:') && /saved\.again1\.txt/.test(cursorLine(s) ?? ''), 'jumped');
    // Not in layer 0: the jump selects layer 11, the one that wrote it (kaniko's "RUN cp … /tmp/saved.again1.txt").
    assert.match(s, /Files · layer 11\/13 aggregated/);
    t.keys('C-c');
    s = await t.waitFor((s) => s.includes('EXIT=0'), 'exit');
    assert.doesNotMatch(s, /Files · layer/);
  } finally {
    t.kill();
  }
});

test('opened from the headers: the contents follow the first frame; a digest mismatch they find is said on exit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slimtui-e2e-skim-'));
  const t = new Term();
  try {
    const MARK = 'ORIGINAL-PAYLOAD-e2e1';
    const archive = await dockerArchiveLegacy({
      layers: [
        [{ name: 'etc/keep', content: 'keep\n' }],
        [{ name: 'app/data', content: `${'x'.repeat(3000)}${MARK}${'y'.repeat(3000)}` }],
      ],
      compression: 'none',
    });
    archive.write('ALTERED!-PAYLOAD-e2e1', archive.indexOf(Buffer.from(MARK)), 'latin1');
    const path = join(dir, 'altered.tar');
    writeFileSync(path, archive);
    // The layer as stored now, hashed by sha256sum: the digest the warning must name.
    const layer = execFileSync('tar', ['-tf', path], { encoding: 'utf8' })
      .split('\n')
      .find((n) => n.endsWith('layer.tar') && execFileSync('tar', ['-xOf', path, n]).includes('ALTERED!'))!;
    const got = execFileSync('sh', ['-c', `tar -xOf '${path}' '${layer}' | sha256sum`], { encoding: 'utf8' }).split(
      ' ',
    )[0]!;
    // Forced workers: this small archive takes the path a big one takes (headers first, contents after the frame).
    t.keys(`cd ${ROOT} && CI=false SLIMTUI_PARALLEL=force node bin/slimtui --tui '${path}'; echo "EXIT=$?"`, 'Enter');
    await t.waitFor((s) => s.includes('Files · layer 1/1 aggregated'), 'the explorer');
    await t.waitFor((s) => !s.includes('analysing:') && s.includes('Files ·'), 'the contents and analyses');
    t.keys('q');
    const s = await t.waitFor((s) => s.includes('EXIT=0'), 'exit');
    const flat = s.replace(/\n/g, '');
    assert.ok(flat.includes(`slimtui: warning: digest mismatch: layer 1's uncompressed content`), s);
    assert.ok(flat.includes(`sha256:${got}`), s);
  } finally {
    t.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SLIMTUI_TRACE: the first frame opened from the headers, phase by phase, in the order they happen', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slimtui-e2e-trace-'));
  const t = new Term();
  try {
    const trace = join(dir, 'trace.txt');
    // Forced workers: the demo takes the path a big archive takes (headers first, contents after the frame).
    t.keys(
      `cd ${ROOT} && CI=false SLIMTUI_PARALLEL=force SLIMTUI_TRACE='${trace}' node bin/slimtui --tui demo/demo-image.tar; echo "EXIT=$?"`,
      'Enter',
    );
    await t.waitFor((s) => s.includes('Files · layer 4/4 aggregated'), 'the explorer');
    assert.equal(existsSync(trace), false, 'written when the process ends, not before');
    t.keys('q');
    await t.waitFor((s) => s.includes('EXIT=0'), 'exit');
    const marks = readFileSync(trace, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => /^(\d+) (\S+)$/.exec(l));
    assert.ok(
      marks.every((m) => m !== null),
      readFileSync(trace, 'utf8'),
    );
    const names = marks.map((m) => m![2]);
    assert.deepEqual(names, ['open', 'reading', 'skimmed', 'loaded', 'tree', 'frame']);
    const times = marks.map((m) => Number(m![1]));
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! >= times[i - 1]!, `${names[i]} after ${names[i - 1]}`);
  } finally {
    t.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
