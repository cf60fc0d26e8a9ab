// The explorer's benchmark (issue 3), in-process against dist/ (run `npm run build` first).
// Loads .cache/bench/bench-image.tar (>= 200,000 entries; built by make-bench-image.mjs if missing), then
// renders the real <App> with ink's render() on a fake 120x40 terminal (debug mode: every frame is written
// at once, no throttle) and measures, with the clock stopped at the write of the frame showing the effect:
//   - first frame: from "analysis complete" to the first full frame;
//   - keystrokes: cursor down (j), expand/collapse (Enter on a directory), page down (PgDn), and a search
//     keystroke (typing a query in the / finder): median and p95.
// Targets (issue 3): first frame <= 500 ms, keystroke p95 <= 50 ms, search keystroke p95 <= 100 ms.
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// React's development build inspects every prop of every render (React 19 performance tracks), which on a
// 200,000-path Analysis prop costs minutes; the CLI runs the production build, and so does this benchmark.
process.env.NODE_ENV = 'production';
const { createElement } = await import('react');
const { render } = await import('ink');
const { loadImage } = await import('../dist/io/load-image.js');
const { analyze } = await import('../dist/model/analysis.js');
const { App } = await import('../dist/ui/app.js');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const archive = process.argv[2] ?? join(root, '.cache', 'bench', 'bench-image.tar');
if (!existsSync(archive)) {
  mkdirSync(dirname(archive), { recursive: true });
  console.log('building the benchmark archive (once) …');
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'make-bench-image.mjs'), archive], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}

const WIDTH = 120;
const HEIGHT = 40;

class FakeStdout extends EventEmitter {
  columns = WIDTH;
  rows = HEIGHT;
  isTTY = true;
  frame = '';
  waiters = [];
  write = (s) => {
    this.frame = s;
    const now = performance.now();
    this.waiters = this.waiters.filter((w) => {
      if (!w.until(s)) return true;
      w.resolve(now);
      return false;
    });
    return true;
  };
  /** Resolves with the time of the first write for which `until(frame)` holds. */
  next(until) {
    return new Promise((resolve) => {
      this.waiters.push({ until, resolve });
    });
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

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { n: s.length, median: q(0.5), p95: q(0.95), max: s[s.length - 1] };
};
const fmt = (x) => `${x.toFixed(1)} ms`;

console.log(`loading ${archive} …`);
let t = performance.now();
const image = await loadImage({ kind: 'docker-archive', location: archive }, { analysers: [], platform: { os: 'linux', architecture: 'amd64' }, platformExplicit: false });
const loadMs = performance.now() - t;
t = performance.now();
const analysis = analyze(image);
const analyseMs = performance.now() - t;
const entries = image.layers.reduce((s, l) => s + l.entries.length, 0);
console.log(`${entries} entries, ${analysis.tree.nodes.length} paths, ${image.layers.length} layers (load ${(loadMs / 1000).toFixed(1)} s, analyse ${(analyseMs / 1000).toFixed(1)} s)`);

const stdout = new FakeStdout();
const stdin = new FakeStdin();
const firstFrame = stdout.next((f) => f.includes('Files ·') && f.includes('├──'));
t = performance.now();
const instance = render(createElement(App, { analysis, color: true }), { stdout, stdin, stderr: stdout, debug: true, exitOnCtrlC: false, patchConsole: false });
const firstMs = (await firstFrame) - t;

/** Sends a key and times it to the first frame that differs from the one before (and passes `check`). */
async function key(k, check = () => true) {
  const before = stdout.frame;
  const done = stdout.next((f) => f !== before && check(f));
  const t0 = performance.now();
  stdin.send(k);
  const t1 = await done;
  await new Promise((r) => setImmediate(r));
  return t1 - t0;
}

const N = Number(process.env.BENCH_KEYS ?? 60);
const down = [];
for (let i = 0; i < N; i++) down.push(await key('j'));
await key('\x1b[H'); // Home: the first row is a top-level directory
const expand = [];
for (let i = 0; i < N; i++) expand.push(await key('\r'));
const page = [];
for (let i = 0; i < N; i++) page.push(await key('\x1b[6~'));
await key('/', (f) => f.includes('Search:'));
const search = [];
const query = 'node_modules/index.js';
for (let round = 0; search.length < N; round++) {
  for (const ch of query) search.push(await key(ch, (f) => f.includes('match')));
  for (let i = 0; i < query.length; i++) await key('\x7f');
}
await key('\x1b', (f) => !f.includes('Search:'));
// The planner: x marks the row under the cursor for removal (and again unmarks it). Timed twice: to the
// frame that shows the keystroke's effect (the status message; the sizes say "planning…" until projected),
// and to the frame with the projected sizes (the projection runs after that first frame; memoised by plan).
const markFrame = [];
const markProjected = [];
const M = Math.min(N, 20);
for (let i = 0; i < M; i++) {
  await key('j');
  const before = stdout.frame;
  const projected = stdout.next((f) => f !== before && f.includes('plan:') && !f.includes('planning'));
  const t0 = performance.now();
  const first = await key('x', (f) => f.includes('plan: '));
  markFrame.push(first);
  markProjected.push((await projected) - t0);
}
instance.unmount();

const rows = [
  ['first frame after analysis', { n: 1, median: firstMs, p95: firstMs, max: firstMs }, 500],
  ['cursor down (j)', stats(down), 50],
  ['expand/collapse (Enter)', stats(expand), 50],
  ['page down (PgDn)', stats(page), 50],
  ['search keystroke (/ finder)', stats(search.slice(0, N)), 100],
  ['plan mark (x), frame', stats(markFrame), 50],
  ['plan mark (x), projected sizes', stats(markProjected), 1000],
];
console.log(`\nslimtui explorer on ${analysis.tree.nodes.length} paths, ${WIDTH}x${HEIGHT}:`);
for (const [name, s, target] of rows) {
  const ok = s.p95 <= target ? 'ok' : 'OVER';
  console.log(`  ${name.padEnd(30)} median ${fmt(s.median).padStart(9)}  p95 ${fmt(s.p95).padStart(9)}  max ${fmt(s.max).padStart(9)}  (n=${s.n}; target p95 <= ${target} ms: ${ok})`);
}
process.exit(0);
