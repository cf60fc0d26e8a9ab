// The ELF analysis benchmark (issue 4): a single-layer docker-archive of this machine's
// /usr/lib/x86_64-linux-gnu + /usr/bin (thousands of ELF files), built once with the tar CLI into
// .cache/bench-elf/. Measures, in this process, loadImage without content analysers and with the 'elf' +
// 'text' analysers (alternating runs, page cache warm), then analyze() (libc inventory, resolution of
// every ELF file, findings). Target: load with ELF ≤ 1.3 × load without. Needs `npm run build` (dist/).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

v8.setFlagsFromString('--max-semi-space-size=32');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, '.cache', 'bench-elf');
const archive = join(cache, 'elf-image.tar');
// lib, lib64 and usr/lib64 are symlinks on a merged-/usr Debian: they give the binaries their loader path.
const dirs = (process.env.BENCH_ELF_DIRS ?? 'usr/lib/x86_64-linux-gnu usr/bin lib lib64 usr/lib64').split(' ');

async function sha256File(p) {
  const h = createHash('sha256');
  for await (const c of createReadStream(p)) h.update(c);
  return h.digest('hex');
}

if (!existsSync(archive)) {
  console.log(`building ${archive} from /${dirs.join(' /')} (once) …`);
  const work = join(cache, 'work');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'layer'), { recursive: true });
  const layer = join(work, 'layer', 'layer.tar');
  // Unreadable files are skipped by tar with a warning (exit 1 is "some files differ/changed"; 2 is fatal).
  try {
    execFileSync('tar', ['--create', '--file', layer, '--directory', '/', '--ignore-failed-read', ...dirs], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } catch (e) {
    if (e.status !== 1) throw e;
  }
  const diffId = `sha256:${await sha256File(layer)}`;
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    created: '2024-01-01T00:00:00Z',
    config: { Env: ['PATH=/usr/bin:/bin'] },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created: '2024-01-01T00:00:00Z', created_by: `tar -c ${dirs.join(' ')}` }],
  });
  const cfgHex = createHash('sha256').update(config).digest('hex');
  writeFileSync(join(work, `${cfgHex}.json`), config);
  writeFileSync(
    join(work, 'manifest.json'),
    JSON.stringify([{ Config: `${cfgHex}.json`, RepoTags: ['bench/elf:latest'], Layers: ['layer/layer.tar'] }]),
  );
  execFileSync('tar', ['--create', '--file', archive, '--directory', work, 'layer', `${cfgHex}.json`, 'manifest.json']);
  rmSync(work, { recursive: true, force: true });
}

const { loadImage } = await import(join(root, 'dist', 'io', 'load-image.js'));
const { elfAnalyser } = await import(join(root, 'dist', 'io', 'elf-analyser.js'));
const { textAnalyser } = await import(join(root, 'dist', 'io', 'text-analyser.js'));
const { analyze } = await import(join(root, 'dist', 'model', 'analysis.js'));
const { createSha256Analyser } = await import(join(root, 'dist', 'io', 'sha256-analyser.js'));

const runs = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const platform = { os: 'linux', architecture: 'amd64' };
void readFileSync(archive).length; // warm the page cache

async function load(analysers) {
  const t = performance.now();
  const image = await loadImage(
    { kind: 'docker-archive', location: archive },
    { analysers, platform, platformExplicit: false },
  );
  return { ms: performance.now() - t, image };
}

const without = [];
const withElf = [];
const digests = [];
const digestsElf = [];
const analyse = [];
let last;
for (let i = 0; i < runs; i++) {
  without.push((await load([])).ms);
  const r = await load([elfAnalyser, textAnalyser]);
  withElf.push(r.ms);
  digests.push((await load([createSha256Analyser()])).ms);
  digestsElf.push((await load([createSha256Analyser(), elfAnalyser, textAnalyser])).ms);
  const t = performance.now();
  last = analyze(r.image);
  analyse.push(performance.now() - t);
}
const b = last.binaries;
const execs = b.binaries.filter((x) => x.verdict);
const count = (s) => execs.filter((x) => x.verdict.status === s).length;
const m0 = median(without);
const m1 = median(withElf);
console.log(
  `elf: ${(statSync(archive).size / 1e6).toFixed(0)} MB archive, ${last.image.layers[0].entries.length} entries, ${b.binaries.length} ELF files (${execs.length} executables: ${count('will start')} will start, ${count('will not start')} will not start, ${count('unknown')} unknown), ${runs} runs`,
);
console.log(
  `  load, no analysers             median ${m0.toFixed(0)} ms  (${without.map((x) => x.toFixed(0)).join(', ')})`,
);
console.log(
  `  load, elf + text analysers     median ${m1.toFixed(0)} ms  (${withElf.map((x) => x.toFixed(0)).join(', ')})  ratio ${(m1 / m0).toFixed(2)} (target ≤ 1.3)`,
);
console.log(
  `  load, sha256 (CLI default)      median ${median(digests).toFixed(0)} ms  (${digests.map((x) => x.toFixed(0)).join(', ')})`,
);
console.log(
  `  load, sha256 + elf + text      median ${median(digestsElf).toFixed(0)} ms  (${digestsElf.map((x) => x.toFixed(0)).join(', ')})  ratio ${(median(digestsElf) / median(digests)).toFixed(2)}`,
);
console.log(
  `  analyze() incl. resolution     median ${median(analyse).toFixed(0)} ms  (${analyse.map((x) => x.toFixed(0)).join(', ')})`,
);
console.log(
  `  findings: ${JSON.stringify(Object.fromEntries([...new Set(b.findings.map((f) => f.code))].map((c) => [c, b.findings.filter((f) => f.code === c).length])))}`,
);
