// The explorer's benchmark (issue 8), against what runs beside it in the same run:
//   1. first frame as a person sees it: `slimtui --tui X` in tmux (120x40), from the keystroke that starts it to
//      the screen showing the layers and the tree; beside it real dive's TUI (`dive --source docker-archive X`,
//      to its layer pane) and the read floor (`tar -xOf X | wc -c`). Several runs, medians, as ratios.
//   2. keystrokes in-process (ink render on a fake 120x40 terminal, debug mode: each frame written at once):
//      cursor down, expand/collapse, page down, a search keystroke — timed to the frame showing the effect,
//      while the analyses after the first frame still run and after they finished; median and p95.
// Images: the arguments, else every .tar in .cache/bench (make-bench-image.mjs builds them).
// Targets: first frame ≤ 0.5× dive's and ≤ 1.5× the read floor on the realistic image, ≤ 4× the floor on the
// 1M-file image; keystroke p95 ≤ 16 ms, also while analyses run. Env: BENCH_RUNS (3), BENCH_DIVE_TIMEOUT_S (180),
// BENCH_KEYS (40), BENCH_TUI_NO_DIVE=1, BENCH_TUI_KEYS_ONLY=1, BENCH_TUI_NO_KEYS=1.
import { execFileSync, spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

process.env.NODE_ENV = 'production';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIVE =
  process.env.BENCH_DIVE ?? join(process.env.SLIMTUI_SHARED ?? join(root, '..', 'shared'), 'tools', 'dive', 'dive');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DIVE_TIMEOUT = Number(process.env.BENCH_DIVE_TIMEOUT_S ?? 180) * 1000;
/** Seconds to wait after each dive run (BENCH_SETTLE_S). */
const SETTLE = Number(process.env.BENCH_SETTLE_S ?? 5) * 1000;
const benchDir = join(root, '.cache', 'bench');
let images = process.argv.slice(2);
if (images.length === 0) {
  if (!existsSync(join(benchDir, 'bench-image.tar')))
    spawnSync(process.execPath, [join(root, 'scripts', 'make-bench-image.mjs'), join(benchDir, 'bench-image.tar')], {
      stdio: 'inherit',
    });
  images = readdirSync(benchDir)
    .filter((f) => f.endsWith('.tar'))
    .map((f) => join(benchDir, f));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { n: s.length, median: q(0.5), p95: q(0.95), max: s[s.length - 1] };
};
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A tmux server on a private socket in a temp dir (removed at the end). */
function term() {
  const dir = mkdtempSync(join(tmpdir(), 'slimtui-bench-'));
  const sock = join(dir, 's');
  const tmux = (...a) =>
    execFileSync('tmux', ['-S', sock, ...a], { encoding: 'utf8', env: { ...process.env, TMUX: '' } });
  tmux('new-session', '-d', '-x', '120', '-y', '40', '-s', 'b', 'env PS1="$ " sh');
  return {
    dir,
    tmux,
    screen: () => tmux('capture-pane', '-p', '-t', 'b'),
    /** Types `cmd`, returns ms until `ready(screen)`, or undefined after `timeout`. Then `stop` keys. */
    async time(cmd, ready, timeout, stop) {
      tmux('send-keys', '-t', 'b', 'clear', 'Enter');
      await sleep(300);
      const t0 = performance.now();
      tmux('send-keys', '-t', 'b', cmd, 'Enter');
      let ms;
      while (performance.now() - t0 < timeout) {
        if (ready(tmux('capture-pane', '-p', '-t', 'b'))) {
          ms = performance.now() - t0;
          break;
        }
        await sleep(10);
      }
      for (const k of stop) tmux('send-keys', '-t', 'b', k);
      for (let i = 0; i < 200 && !/DONE\s*\n?\$?\s*$/.test(tmux('capture-pane', '-p', '-t', 'b').trimEnd()); i++)
        await sleep(50);
      return ms;
    },
    close() {
      try {
        tmux('kill-server');
      } catch {
        /* gone */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function readFloor(x) {
  const t0 = performance.now();
  spawnSync('sh', ['-c', `tar -xOf '${x}' | wc -c`], { stdio: 'ignore' });
  return performance.now() - t0;
}

const slimReady = (s) => s.includes('Files · layer') && s.includes('├──');
const diveReady = (s) => s.includes('Cmp   Size  Command') && s.includes('├──');

const lines = [];
for (const x of process.env.BENCH_TUI_KEYS_ONLY ? [] : images) {
  console.log(`\n${x}  (load ${load()})`);
  const t = term();
  const slim = [],
    dive = [],
    floor = [];
  try {
    for (let r = 0; r < RUNS; r++) {
      floor.push(readFloor(x));
      // The explorer's own phase marks (src/cli/trace.ts), in seconds since its process started.
      const trace = join(t.dir, `trace-${r}.txt`);
      slim.push(
        await t.time(
          `CI=false SLIMTUI_TRACE='${trace}' node ${join(root, 'bin', 'slimtui')} --tui '${x}'; echo DONE`,
          slimReady,
          600_000,
          ['q'],
        ),
      );
      const marks = existsSync(trace)
        ? readFileSync(trace, 'utf8')
            .trim()
            .split('\n')
            .map((l) => l.split(' '))
            .map(([ms, name]) => `${name} ${(Number(ms) / 1000).toFixed(2)}`)
            .join(', ')
        : 'none';
      if (!process.env.BENCH_TUI_NO_DIVE && existsSync(DIVE)) {
        dive.push(
          await t.time(`${DIVE} --source docker-archive '${x}'; echo DONE`, diveReady, DIVE_TIMEOUT, ['q', 'C-c']),
        );
        // dive, stopped after a minute on the 1M-entry image, leaves the machine busy giving its memory back:
        // the next run (the floor, then slimtui) waits, as the first one did not have to.
        await sleep(SETTLE);
      }
      console.log(
        `  run ${r + 1}: read floor ${(floor.at(-1) / 1000).toFixed(2)} s, slimtui first frame ${slim.at(-1) ? (slim.at(-1) / 1000).toFixed(2) + ' s' : 'timeout'}, dive ${dive.length ? (dive.at(-1) ? (dive.at(-1) / 1000).toFixed(2) + ' s' : `> ${DIVE_TIMEOUT / 1000} s`) : '-'}  (load ${load()})`,
      );
      console.log(`    explorer phases (s since its process began): ${marks}`);
    }
  } finally {
    t.close();
  }
  const s = median(slim.filter(Boolean)),
    f = median(floor),
    d = dive.length && dive.every(Boolean) ? median(dive) : undefined;
  lines.push(
    `${x.split('/').pop()}: first frame ${(s / 1000).toFixed(2)} s = ${(s / f).toFixed(2)}× the read floor (${(f / 1000).toFixed(2)} s)${d ? `, ${(s / d).toFixed(2)}× dive's first frame (${(d / 1000).toFixed(2)} s)` : dive.length ? `; dive did not draw within ${DIVE_TIMEOUT / 1000} s` : ''}`,
  );
}

if (process.env.BENCH_TUI_NO_KEYS) {
  console.log(`\n${lines.join('\n')}`);
  process.exit(0);
}

// Keystrokes in-process, while the analyses after the first frame run, and after.
const { createElement } = await import('react');
const { render } = await import('ink');
const { openImage } = await import('../dist/io/load-image.js');
const { afterContent } = await import('../dist/cli/explorer-content.js');
const { createSha256Analyser } = await import('../dist/io/sha256-analyser.js');
const { elfAnalyser } = await import('../dist/io/elf-analyser.js');
const { textAnalyser } = await import('../dist/io/text-analyser.js');
const { gzipEstimateTap } = await import('../dist/io/gzip-estimate-tap.js');
const { treeAnalysis } = await import('../dist/state/later-analyses.js');
const { App } = await import('../dist/ui/app.js');

class FakeStdout extends EventEmitter {
  columns = 120;
  rows = 40;
  isTTY = true;
  frame = '';
  waiters = [];
  write = (s) => {
    this.frame = s;
    const now = performance.now();
    this.waiters = this.waiters.filter((w) => (w.until(s) ? (w.resolve(now), false) : true));
    return true;
  };
  next(until) {
    return new Promise((resolve) => this.waiters.push({ until, resolve }));
  }
}
class FakeStdin extends EventEmitter {
  isTTY = true;
  data = null;
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = () => {
    const d = this.data;
    this.data = null;
    return d;
  };
  send(s) {
    this.data = s;
    this.emit('readable');
    this.emit('data', s);
  }
}
const N = Number(process.env.BENCH_KEYS ?? 40);
for (const x of images) {
  // As the explorer opens it: from the headers where it can, with the content pass after the first frame.
  const loaded = await openImage(
    { kind: 'docker-archive', location: x },
    {
      analysers: [createSha256Analyser(), elfAnalyser, textAnalyser],
      taps: [gzipEstimateTap()],
      platform: { os: 'linux', architecture: 'amd64' },
      platformExplicit: false,
      skim: true,
    },
  );
  const analysis = treeAnalysis(loaded.image);
  const pass = loaded.content;
  const content = pass && (() => pass().then((c) => afterContent(analysis, c, (i) => i, {})));
  const stdout = new FakeStdout(),
    stdin = new FakeStdin();
  const first = stdout.next((f) => f.includes('Files ·') && f.includes('├──'));
  const inst = render(createElement(App, { analysis, color: true, ...(content ? { content } : {}) }), {
    stdout,
    stdin,
    stderr: stdout,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  // A promise nobody settles does not keep node alive: without this timer a frame that never matches would end
  // the script silently with exit 0.
  const keepAlive = setInterval(() => {}, 1000);
  const noFrame = new Promise((_, reject) =>
    setTimeout(
      () => reject(new Error(`no first frame within 120 s; last frame starts: ${stdout.frame.slice(0, 400)}`)),
      120_000,
    ).unref(),
  );
  await Promise.race([first, noFrame]);
  // A key whose frame does not change (page up at the top) would wait for ever: after 2 s it counts as unchanged
  // and is left out of the figures (counted, and said).
  let unchanged = 0;
  const byKey = new Map();
  const key = async (k, check = () => true) => {
    const before = stdout.frame;
    const done = stdout.next((f) => f !== before && check(f));
    const t0 = performance.now();
    stdin.send(k);
    const t1 = await Promise.race([done, sleep(2000).then(() => undefined)]);
    await new Promise((r) => setImmediate(r));
    if (t1 === undefined) unchanged++;
    else byKey.set(JSON.stringify(k), [...(byKey.get(JSON.stringify(k)) ?? []), t1 - t0]);
    return t1 === undefined ? undefined : t1 - t0;
  };
  const running = () => stdout.frame.includes('analysing:');
  const round = async () => {
    const down = [],
      during = [];
    for (let i = 0; i < N; i++) {
      const r = running();
      const ms = await key(i % 2 ? 'j' : 'k');
      if (ms !== undefined) (r ? during : down).push(ms);
    }
    await key('\x1b[H');
    for (let i = 0; i < N; i++) {
      const r = running();
      const ms = await key('\r');
      if (ms !== undefined) (r ? during : down).push(ms);
    }
    for (let i = 0; i < N / 2; i++) {
      const r = running();
      const ms = await key(i % 2 ? '\x1b[5~' : '\x1b[6~');
      if (ms !== undefined) (r ? during : down).push(ms);
    }
    return { down, during };
  };
  const a = await round();
  // After the analyses: wait for them, then the same keys again, and the search.
  for (let i = 0; i < 6000 && running(); i++) await sleep(20);
  const b = await round();
  await key('/', (f) => f.includes('Search:'));
  const search = [];
  for (const ch of 'libc.so') {
    const ms = await key(ch);
    if (ms !== undefined) search.push(ms);
  }
  inst.unmount();
  clearInterval(keepAlive);
  const during = stats(a.during),
    after = stats([...a.down, ...b.down, ...b.during]),
    srch = stats(search);
  const fmt = (s) => (s.n ? `median ${s.median.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms (n=${s.n})` : 'n=0');
  const perKey = [...byKey].map(([k, ms]) => `${k} ${fmt(stats(ms))}`).join('; ');
  lines.push(
    `${x.split('/').pop()}: keystrokes while analyses run: ${fmt(during)}; after: ${fmt(after)}; search keystroke (to the first frame with it): ${fmt(srch)}${unchanged ? `; ${unchanged} keys left the frame unchanged (not counted)` : ''}\n    by key: ${perKey}`,
  );
}
console.log(`\nslimtui explorer (load ${load()}):`);
for (const l of lines) console.log(`  ${l}`);
process.exit(0);
