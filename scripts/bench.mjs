// npm run bench: the engine benchmark (issue 2), then the other benchmarks that exist (TUI, ELF, ...).
// Builds the synthetic archive once into .cache/bench, then in one run measures slimtui --json against the
// read floor `tar -xOf ARCHIVE | wc -c` on the same file, and reports the ratio, peak RSS and bytes/entry.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, '.cache', 'bench');
const archive = join(cache, 'bench-image.tar');
mkdirSync(cache, { recursive: true });
if (!existsSync(archive)) {
  console.log('building the benchmark archive (once) …');
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'make-bench-image.mjs'), archive], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}
const runs = Number(process.env.BENCH_RUNS ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeIt(cmd, args, env = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, maxBuffer: 1 << 30, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

// Warm the page cache once so both sides read from memory.
timeIt('bash', ['-c', `cat '${archive}' > /dev/null`]);
const floor = [];
// The default (--json runs the ELF analysis; content digests are for the planner and explorer), the engine
// alone (no content analysers), and with content digests forced on, to show their cost.
const variants = { 'slimtui --json': [], 'slimtui --json --no-elf': [], 'slimtui --json --digests': [] };
let rss = 0;
let entries = 0;
for (let i = 0; i < runs; i++) {
  floor.push(timeIt('bash', ['-c', `tar -xOf '${archive}' | wc -c > /dev/null`]).ms);
  for (const [name, times] of Object.entries(variants)) {
    const args = [join(root, 'bin', 'slimtui'), archive, ...name.split(' ').slice(1)];
    const r = timeIt(process.execPath, args, { SLIMTUI_REPORT_RSS: '1', CI: '' });
    times.push(r.ms);
    const m = /max-rss-bytes=(\d+)/.exec(r.stderr);
    if (m) rss = Math.max(rss, Number(m[1]));
    entries = JSON.parse(r.stdout).layers.reduce((s, l) => s + l.entryCount, 0);
  }
}
const size = statSync(archive).size;
const f = median(floor);
console.log(`engine: ${(size / 1e9).toFixed(2)} GB archive, ${entries} entries, 12 layers, ${runs} runs each`);
console.log(`  tar -xOf | wc -c (read floor)         median ${f.toFixed(0)} ms  (${floor.map((x) => x.toFixed(0)).join(', ')})`);
for (const [name, times] of Object.entries(variants)) {
  console.log(`  ${name.padEnd(37)} median ${median(times).toFixed(0)} ms  (${times.map((x) => x.toFixed(0)).join(', ')})  ratio ${(median(times) / f).toFixed(2)} (target ≤ 2.0)`);
}
const digestCost = median(variants['slimtui --json --digests']) - median(variants['slimtui --json']);
console.log(`  content digests (sha256) cost   ${digestCost.toFixed(0)} ms`);
console.log(`  peak RSS                        ${(rss / 1048576).toFixed(0)} MiB  (target ≤ 400 MiB)`);
console.log(`  bytes per entry                 ${(rss / entries).toFixed(0)} (peak RSS / entries)`);

for (const extra of process.env.BENCH_ENGINE_ONLY ? [] : ['bench-elf.mjs', 'bench-resolve.mjs', 'bench-tui.mjs', 'bench-plan.mjs']) {
  const p = join(root, 'scripts', extra);
  if (existsSync(p)) {
    console.log(`\n${extra}:`);
    spawnSync(process.execPath, [p], { stdio: 'inherit' });
  }
}
