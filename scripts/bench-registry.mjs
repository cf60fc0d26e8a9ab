// npm run bench, the registry part (issue 11): the benchmark image pushed to a local registry (Debian's
// docker-registry on 127.0.0.1, plain HTTP), then `slimtui --json` read from the registry against the same
// image's OCI archive (gzip layers) on disk — the same blobs, so the ratio is the cost of HTTP, digests and
// the fetch pipeline — and with 1 vs 4 layers in flight. The OCI archive and the registry storage are cached
// in .cache/bench; the registry runs only for the duration of this script.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, '.cache', 'bench');
// The realistic image of the first-frame benchmark as its gzip OCI layout (.cache/bench/real-oci, made by
// make-bench-image.mjs), else an OCI archive made here from the synthetic docker-archive.
const realOci = join(cache, 'real-oci');
const storage = join(cache, 'registry-storage');
const runs = Number(process.env.BENCH_RUNS ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
let onDisk; // what slimtui reads from disk, and skopeo pushes
if (process.env.BENCH_REGISTRY_IMAGE === undefined && existsSync(join(realOci, 'index.json'))) {
  onDisk = `oci:${realOci}:latest`;
} else {
  const archive = process.env.BENCH_REGISTRY_IMAGE ?? join(cache, 'bench-image.tar');
  const oci = archive.replace(/\.tar$/, '') + '.oci.tar';
  if (!existsSync(archive)) {
    console.log(`registry bench: neither ${realOci} nor ${archive} exists (npm run bench builds them)`);
    process.exit(1);
  }
  if (!existsSync(oci) || statSync(oci).mtimeMs < statSync(archive).mtimeMs) {
    console.log('registry bench: making the OCI archive (gzip layers, once) …');
    execFileSync('skopeo', ['copy', '--quiet', `docker-archive:${archive}`, `oci-archive:${oci}`], {
      stdio: 'inherit',
    });
  }
  onDisk = `oci-archive:${oci}`;
}
for (const tool of ['/usr/bin/docker-registry', 'skopeo']) {
  if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).error) {
    console.log(`registry bench: ${tool} is missing (apt-get install docker-registry skopeo)`);
    process.exit(1);
  }
}

const port = await new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
mkdirSync(storage, { recursive: true });
const config = join(cache, 'registry.yml');
writeFileSync(
  config,
  `version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${storage}\nhttp:\n  addr: 127.0.0.1:${port}\n`,
);
const registry = spawn('/usr/bin/docker-registry', ['serve', config], {
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cache },
  stdio: 'ignore',
});
const stop = () => registry.kill('SIGTERM');
process.on('exit', stop);
const host = `127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  if (spawnSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`]).status === 0) break;
  if (i > 200) throw new Error('docker-registry did not start');
  await new Promise((r) => setTimeout(r, 50));
}
console.log('registry bench: pushing the image to the registry (blobs already there are skipped) …');
execFileSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', onDisk, `docker://${host}/bench:1`], {
  stdio: 'inherit',
});

function timeIt(args, env = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [join(root, 'bin', 'slimtui'), ...args], {
    env: { ...process.env, CI: '', SLIMTUI_REPORT_RSS: '1', ...env },
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`slimtui ${args.join(' ')} failed: ${r.stderr}`);
  const m = /max-rss-bytes=(\d+)/.exec(r.stderr);
  return { ms, rss: m ? Number(m[1]) : 0 };
}

// Warm the page cache: the archive for the disk read, the registry's blobs for the HTTP one.
spawnSync('bash', [
  '-c',
  `find '${onDisk.replace(/^oci(-archive)?:/, '').replace(/:latest$/, '')}' '${storage}' -type f -exec cat {} + > /dev/null`,
]);
const variants = {
  'OCI on disk (gzip)': [['--json', onDisk], {}],
  'registry, 4 layers in flight': [['--json', `registry://${host}/bench:1`], { SLIMTUI_REGISTRY_PARALLEL: '4' }],
  'registry, 1 layer in flight': [['--json', `registry://${host}/bench:1`], { SLIMTUI_REGISTRY_PARALLEL: '1' }],
};
const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
const rss = Object.fromEntries(Object.keys(variants).map((k) => [k, 0]));
for (let i = 0; i < runs; i++) {
  for (const [name, [args, env]] of Object.entries(variants)) {
    const r = timeIt(args, env);
    times[name].push(r.ms);
    rss[name] = Math.max(rss[name], r.rss);
  }
}
stop();
const base = median(times['OCI on disk (gzip)']);
console.log(`registry: ${onDisk} pushed to ${host}, ${runs} runs each, load ${loadavg()[0].toFixed(1)} at the end`);
for (const [name, ts] of Object.entries(times)) {
  const ratio = median(ts) / base;
  const target = name.startsWith('registry, 4') ? ' (target ≤ 1.3)' : '';
  console.log(
    `  ${name.padEnd(32)} median ${median(ts).toFixed(0)} ms  (${ts.map((x) => x.toFixed(0)).join(', ')})  ratio ${ratio.toFixed(2)}${target}  peak RSS ${(rss[name] / 1048576).toFixed(0)} MiB`,
  );
}
