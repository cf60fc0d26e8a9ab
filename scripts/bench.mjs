// npm run bench: the engine benchmark (issue 8). Builds its images once into .cache/bench
// (scripts/make-bench-image.mjs), then measures each figure against a baseline run beside it in the same run,
// A B A B …, and prints medians, ratios against the targets, and the machine's load with each figure:
//   (a) real.tar (two layers of this machine's /usr and /etc): `--json` (everything on) vs the read floor
//       `tar -xOf | wc -c` (≤ 1.5×) and vs dive-oracle, dive v0.13.1's analysis (≤ 1.0×); peak RSS vs dive-oracle's;
//   (b) real-oci (its gzip OCI twin): `--json` vs libdeflate-gunzip of its layers one after another (≤ 0.7×);
//   (c) many.tar (1,000,000 entries): `--json --no-elf` vs the read floor (≤ 3×); peak RSS per entry (≤ 400 B);
//   (d) many5m.tar (5,000,000 entries, only with BENCH_5M=1): peak RSS (≤ 4 GB).
// Peak RSS is the kernel's figure for the whole process (GNU time's %M, Debian package `time`).
// BENCH_RUNS (default 3) sets the runs per figure; BENCH_ONLY=a,b,c,d picks figures; BENCH_ENGINE_ONLY=1 skips
// the other benchmarks (TUI, ELF, plan) that this script runs after its own.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, '.cache', 'bench');
// dive-oracle beside the checkout (../shared from /work/main, ../../shared from a worktree), or DIVE_ORACLE.
const oracle =
  process.env.DIVE_ORACLE ??
  [
    ...(process.env.SLIMTUI_SHARED ? [process.env.SLIMTUI_SHARED] : []),
    join(root, '..', 'shared'),
    join(root, '..', '..', 'shared'),
  ]
    .map((d) => join(d, 'tools', 'dive', 'dive-oracle'))
    .find((p) => existsSync(p)) ??
  join(root, '..', 'shared', 'tools', 'dive', 'dive-oracle');
const runs = Number(process.env.BENCH_RUNS ?? 3);
const only = new Set((process.env.BENCH_ONLY ?? 'a,b,c' + (process.env.BENCH_5M ? ',d' : '')).split(','));
const tmp = mkdtempSync(join(tmpdir(), 'slimtui-bench-'));
const slimtui = join(root, 'bin', 'slimtui');

const images = [
  ...(only.has('a') || only.has('b') ? ['real', 'oci'] : []),
  ...(only.has('c') ? ['many'] : []),
  ...(only.has('d') ? ['many5m'] : []),
];
const build = spawnSync(process.execPath, [join(root, 'scripts', 'make-bench-image.mjs'), cache, ...images], {
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(1);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => loadavg()[0].toFixed(1);
const fmt = (xs, unit = 'ms') => `median ${median(xs).toFixed(0)} ${unit} (${xs.map((x) => x.toFixed(0)).join(', ')})`;

/** Runs a command (through bash when given a string) under GNU time: wall ms, peak RSS KiB, stdout. */
function run(cmd, env = {}) {
  const out = join(tmp, 'time.txt');
  const args = typeof cmd === 'string' ? ['bash', '-c', cmd] : cmd;
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', out, ...args], {
    env: { ...process.env, CI: '', ...env },
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { ms, rssKiB: Number(readFileSync(out, 'utf8').trim().split('\n').pop()), stdout: r.stdout };
}

/** A B A B …: the ratio of each pair, so drift in the machine's speed cancels. */
function pairs(a, b) {
  const A = [];
  const B = [];
  const ratio = [];
  for (let i = 0; i < runs; i++) {
    const x = a();
    const y = b();
    A.push(x);
    B.push(y);
    ratio.push(x.ms / y.ms);
  }
  return { A, B, ratio: median(ratio) };
}

const verdict = (x, target) => `${x.toFixed(2)} (target ≤ ${target}${x <= target ? '' : ', missed'})`;
const warm = (p) => run(`cat '${p}'/* '${p}' > /dev/null 2>&1; true`);

if (only.has('a')) {
  const archive = join(cache, 'real.tar');
  warm(archive);
  console.log(`\n(a) ${archive}: --json with everything on  [load ${load()}]`);
  const floor = pairs(
    () => run(`${slimtui} '${archive}' --json > /dev/null`),
    () => run(`tar -xOf '${archive}' | wc -c > /dev/null`),
  );
  console.log(`  slimtui --json                 ${fmt(floor.A.map((r) => r.ms))}`);
  console.log(`  read floor tar -xOf | wc -c    ${fmt(floor.B.map((r) => r.ms))}`);
  console.log(`  ratio to the read floor        ${verdict(floor.ratio, 1.5)}  [load ${load()}]`);
  if (existsSync(oracle)) {
    const dive = pairs(
      () => run(`${slimtui} '${archive}' --json > /dev/null`),
      () => run([oracle, archive]),
    );
    const startup = dive.B.map((r) => JSON.parse(r.stdout).timingsMs.startup);
    console.log(
      `  dive-oracle (whole process)    ${fmt(dive.B.map((r) => r.ms))}; its own startup timing ${fmt(startup)}`,
    );
    console.log(`  ratio to dive-oracle           ${verdict(dive.ratio, 1.0)}  [load ${load()}]`);
    const ours = median(dive.A.map((r) => r.rssKiB));
    const theirs = median(dive.B.map((r) => JSON.parse(r.stdout).memory.maxRssKiB));
    console.log(
      `  peak RSS slimtui ${(ours / 1024).toFixed(0)} MiB vs dive-oracle ${(theirs / 1024).toFixed(0)} MiB: ratio ${verdict(ours / theirs, 1.0)}`,
    );
  } else console.log(`  (dive-oracle not found at ${oracle}: that comparison is skipped)`);
}

if (only.has('b')) {
  const layout = join(cache, 'real-oci');
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
  const blob = (d) => join(layout, 'blobs', ...d.split(':'));
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0].digest), 'utf8'));
  const layers = manifest.layers.map((l) => blob(l.digest));
  for (const l of layers) warm(l);
  console.log(`\n(b) oci:${layout} (${layers.length} gzip layers): --json  [load ${load()}]`);
  const gunzip = layers.map((l) => `libdeflate-gunzip -c < '${l}' > /dev/null`).join(' && ');
  const r = pairs(
    () => run(`${slimtui} 'oci:${layout}' --json > /dev/null`),
    () => run(gunzip),
  );
  console.log(`  slimtui --json                 ${fmt(r.A.map((x) => x.ms))}`);
  console.log(`  libdeflate-gunzip, one by one  ${fmt(r.B.map((x) => x.ms))}`);
  console.log(`  ratio                          ${verdict(r.ratio, 0.7)}  [load ${load()}]`);
}

function many(name, label) {
  const archive = join(cache, name);
  warm(archive);
  console.log(`\n(${label}) ${archive}: --json --no-elf  [load ${load()}]`);
  let entries = 0;
  const r = pairs(
    () => {
      const x = run([process.execPath, slimtui, archive, '--json', '--no-elf']);
      entries = JSON.parse(x.stdout).layers.reduce((s, l) => s + l.entryCount, 0);
      x.stdout = '';
      return x;
    },
    () => run(`tar -xOf '${archive}' | wc -c > /dev/null`),
  );
  const rss = median(r.A.map((x) => x.rssKiB)) * 1024;
  console.log(`  slimtui --json --no-elf        ${fmt(r.A.map((x) => x.ms))}, ${entries} entries`);
  console.log(`  read floor tar -xOf | wc -c    ${fmt(r.B.map((x) => x.ms))}`);
  console.log(`  ratio to the read floor        ${verdict(r.ratio, 3.0)}  [load ${load()}]`);
  console.log(
    `  peak RSS ${(rss / 1048576).toFixed(0)} MiB, ${(rss / entries).toFixed(0)} bytes per entry (target ≤ 400; ≤ 4 GB at 5M)`,
  );
}
if (only.has('c')) many('many.tar', 'c');
if (only.has('d')) many('many5m.tar', 'd');
rmSync(tmp, { recursive: true, force: true });

for (const extra of process.env.BENCH_ENGINE_ONLY
  ? []
  : ['bench-elf.mjs', 'bench-resolve.mjs', 'bench-tui.mjs', 'bench-plan.mjs', 'bench-diff.mjs', 'bench-registry.mjs']) {
  const p = join(root, 'scripts', extra);
  if (existsSync(p)) {
    console.log(`\n${extra}:`);
    spawnSync(process.execPath, [p], { stdio: 'inherit' });
  }
}
