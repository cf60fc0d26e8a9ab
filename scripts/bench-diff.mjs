// The diff benchmark (issue 12): `slimtui diff A B` of the bench image and a variant of it, against loading the
// bigger one alone with the same analysers (`slimtui B --json --digests`). Target: diff ≤ 1.3× that.
// The variant (.cache/bench/bench-image-v2.tar, made once from bench-image.tar) rewrites layer 4 (`COPY . /app`):
// one asset grows, one is added, one source file changes; so layers 4..11 differ by diff_id and the path diff
// compares everything they wrote. Also shown: the same diff with both loads on one thread (SLIMTUI_DIFF_SERIAL=1).
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import tar from 'tar-stream';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, '.cache', 'bench');
const archive = join(cache, 'bench-image.tar');
const variant = join(cache, 'bench-image-v2.tar');
mkdirSync(cache, { recursive: true });
if (!existsSync(archive)) {
  console.log('building the benchmark archive (once) …');
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'make-bench-image.mjs'), archive], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}

const CHANGED_LAYER = 4;
const layerId = (i) => createHash('sha256').update(`bench-layer-${i}`).digest('hex');

async function collect(stream) {
  const parts = [];
  for await (const c of stream) parts.push(c);
  return Buffer.concat(parts);
}

/** Layer 4 again, with app/assets/video1.bin 40 MB (was 30), a new 12 MB asset, and one source file edited. */
async function rewriteLayer(stream) {
  const extract = tar.extract();
  const pack = tar.pack();
  const out = collect(pack);
  const done = new Promise((resolve, reject) => {
    extract.on('entry', (header, body, next) => {
      let data;
      if (header.name === 'app/assets/video1.bin') data = randomBytes(40_000_000);
      else if (header.name === 'app/src/pkg0/mod_0.ts') data = Buffer.from('export const changed = true;\n');
      if (data) {
        body.resume();
        body.on('end', () => pack.entry({ ...header, size: data.length }, data, next));
      } else {
        collect(body).then((b) => pack.entry(header, header.type === 'file' ? b : undefined, next), reject);
      }
    });
    extract.on('finish', () => {
      pack.entry(
        {
          name: 'app/assets/video9.bin',
          type: 'file',
          mode: 0o644,
          uid: 0,
          gid: 0,
          mtime: new Date('2024-01-01T00:00:00Z'),
        },
        randomBytes(12_000_000),
        () => {
          pack.finalize();
          resolve();
        },
      );
    });
    extract.on('error', reject);
  });
  stream.pipe(extract);
  await done;
  return out;
}

async function makeVariant() {
  console.log('building the variant archive (once) …');
  const extract = tar.extract();
  const pack = tar.pack();
  const tmp = `${variant}.part`;
  const writing = pipeline(pack, createWriteStream(tmp));
  let newDiffId;
  let configName;
  extract.on('entry', (header, body, next) => {
    const name = header.name;
    if (name === `${layerId(CHANGED_LAYER)}/layer.tar`) {
      rewriteLayer(body).then((buf) => {
        newDiffId = `sha256:${createHash('sha256').update(buf).digest('hex')}`;
        pack.entry({ ...header, size: buf.length }, buf, next);
      }, next);
    } else if (name === 'manifest.json' || name.endsWith('.json')) {
      collect(body).then((buf) => {
        const doc = JSON.parse(buf.toString('utf8'));
        if (name === 'manifest.json') {
          doc[0].Config = configName;
          doc[0].RepoTags = ['slimtui/bench:v2'];
          pack.entry({ ...header, size: undefined }, JSON.stringify(doc), next);
        } else {
          doc.rootfs.diff_ids[CHANGED_LAYER] = newDiffId;
          const text = JSON.stringify(doc);
          configName = `${createHash('sha256').update(text).digest('hex')}.json`;
          pack.entry({ ...header, name: configName, size: undefined }, text, next);
        }
      }, next);
    } else {
      const entry = pack.entry({ ...header }, (e) => (e ? next(e) : next()));
      body.pipe(entry);
    }
  });
  extract.on('finish', () => pack.finalize());
  await pipeline(createReadStream(archive), extract);
  await writing;
  renameSync(tmp, variant);
}
if (!existsSync(variant)) await makeVariant();

const runs = Number(process.env.BENCH_RUNS ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// The process's CPU time at exit (all threads), printed by a preload: the wall clock on a shared machine says
// little, the CPU each thread needed says what two free cores would do.
// At exit, on the main thread: the process's CPU (all threads) and the main thread's own (/proc/thread-self/stat).
const CPU_HOOK =
  'data:text/javascript,import{readFileSync}from"node:fs";process.on("exit",()=>{const u=process.cpuUsage();' +
  'const f=readFileSync("/proc/thread-self/stat","utf8");const t=f.slice(f.lastIndexOf(")")+2).split(" ");' +
  'process.stderr.write("cpu-ms="+Math.round((u.user+u.system)/1000)+" exit-main-thread-cpu="+(Number(t[11])+Number(t[12]))*10+"\\n")})';
function timeIt(args, env = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', CPU_HOOK, join(root, 'bin', 'slimtui'), ...args], {
    env: { ...process.env, CI: '', SLIMTUI_REPORT_RSS: '1', SLIMTUI_DIFF_TIMING: '1', ...env },
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`slimtui ${args.join(' ')} failed: ${r.stderr}`);
  const num = (re) => Number(re.exec(r.stderr)?.[1] ?? 0);
  // The critical path: the busier JavaScript thread (main, at exit; the loader worker); GC and I/O threads aside.
  const critical = Math.max(num(/exit-main-thread-cpu=(\d+)/), num(/worker-thread-cpu=(\d+)/));
  return { ms, stdout: r.stdout, rss: num(/max-rss-bytes=(\d+)/), cpu: num(/cpu-ms=(\d+)/), critical };
}

spawnSync('bash', ['-c', `cat '${archive}' '${variant}' > /dev/null`]);
const variants = {
  'slimtui B --json --digests (alone)': ['--json', '--digests', variant],
  'slimtui diff A B --json': ['diff', archive, variant, '--json'],
  'slimtui diff A B --json (serial)': ['diff', archive, variant, '--json'],
};
const stats = Object.fromEntries(Object.keys(variants).map((k) => [k, { ms: [], cpu: [], critical: [], rss: 0 }]));
let summary;
for (let i = 0; i < runs; i++) {
  for (const [name, args] of Object.entries(variants)) {
    const r = timeIt(args, name.endsWith('(serial)') ? { SLIMTUI_DIFF_SERIAL: '1' } : {});
    const st = stats[name];
    st.ms.push(r.ms);
    st.cpu.push(r.cpu);
    st.critical.push(r.critical);
    st.rss = Math.max(st.rss, r.rss);
    if (name === 'slimtui diff A B --json') summary = JSON.parse(r.stdout).summary;
  }
}
const alone = stats['slimtui B --json --digests (alone)'];
const base = median(alone.ms);
const baseCpu = median(alone.critical);
const load = spawnSync('uptime', { encoding: 'utf8' })
  .stdout.trim()
  .replace(/^.*load/, 'load');
console.log(
  `diff: bench image vs its variant (layer ${CHANGED_LAYER} rewritten), ${runs} runs each, ${load}; ${summary.added} added, ${summary.removed} removed, ${summary.changed} changed, ${summary.sharedBaseLayers} shared layers, ${(summary.sizeDeltaBytes / 1e6).toFixed(1)} MB growth`,
);
for (const [name, st] of Object.entries(stats)) {
  const main = name === 'slimtui diff A B --json';
  console.log(
    `  ${name.padEnd(38)} median ${median(st.ms).toFixed(0)} ms  (${st.ms.map((x) => x.toFixed(0)).join(', ')})  ratio ${(median(st.ms) / base).toFixed(2)}${main ? ' (target ≤ 1.3)' : ''}  peak RSS ${(st.rss / 1048576).toFixed(0)} MiB`,
  );
  console.log(
    `  ${''.padEnd(38)} CPU ${median(st.cpu)} ms (all threads); busiest JS thread ${median(st.critical)} ms: ratio ${(median(st.critical) / baseCpu).toFixed(2)} of the alone run's main thread`,
  );
}
