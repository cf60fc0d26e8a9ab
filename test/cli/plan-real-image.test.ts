// The planner on a real image built by the test daemon, with known waste: an apk-like cache written by a RUN,
// a 20 MB file deleted in a later layer, a file copied again by `RUN chmod`, duplicate files, and an
// unstripped Go binary. Classes and projections are checked against numbers measured independently (the
// saved layer tars, `gzip -6`, binutils `strip`); then the image is rebuilt the way the fix list says and its
// real size is compared with the projection.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile, mkdir, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTestDaemon, type TestDaemon } from '../helpers/docker-daemon.js';
import { BUSYBOX_IMAGE, ensureBaseImages } from '../helpers/base-images.js';
import { buildImage, saveImage } from '../helpers/build-image.js';
import { ensureBuilt, runCli, baseEnv } from '../helpers/cli.js';
import { loadImage } from '../../src/io/load-image.js';
import { createSha256Analyser } from '../../src/io/sha256-analyser.js';
import { elfAnalyser } from '../../src/io/elf-analyser.js';
import { analyze, type Analysis } from '../../src/model/analysis.js';
import type { Image } from '../../src/model/image.js';
import {
  buildPlan,
  classifyWaste,
  fixList,
  projectPlan,
  recommendedPlan,
  type Projection,
} from '../../src/model/plan/index.js';
import { modelPredictors } from '../../src/model/plan/model-predictors.js';

let d: TestDaemon;
let work: string;
const TAG = 'slimtui-test/plan-waste:latest';
const FIXED = 'slimtui-test/plan-fixed:latest';

const MB20 = 20 * 1024 * 1024;
const CACHE_KB = 3000;

/** Deterministic pseudo-random bytes (sha256 in counter mode): incompressible, reproducible. */
function noise(n: number, seed: string): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0, off = 0; off < n; i++, off += 32) createHash('sha256').update(`${seed}:${i}`).digest().copy(out, off);
  return out;
}
const text = (n: number, seed: string): Buffer => {
  const lines: string[] = [];
  let len = 0;
  for (let i = 0; len < n; i++) {
    const l = `${seed} line ${i} value=${(i * 7919) % 10007} ${i % 13 === 0 ? 'lorem ipsum dolor sit amet' : 'x'}\n`;
    lines.push(l);
    len += l.length;
  }
  return Buffer.from(lines.join('')).subarray(0, n);
};

interface Measured {
  /** Per layer, in manifest order: tar bytes, gzip -6 bytes, sum of regular-file sizes. */
  layers: { tar: number; gzip: number; files: number }[];
}

async function measure(archive: string): Promise<Measured> {
  const dir = await mkdtemp(join(work, 'x-'));
  execFileSync('tar', ['-xf', archive, '-C', dir]);
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { Layers: string[] }[];
  const layers = [];
  for (const l of manifest[0]!.Layers) {
    const p = join(dir, l);
    const tar = (await stat(p)).size;
    const gzip = Number(execFileSync('sh', ['-c', `gzip -6 -c < "${p}" | wc -c`], { encoding: 'utf8' }).trim());
    const listing = execFileSync('tar', ['-tvf', p], { encoding: 'utf8', maxBuffer: 1 << 26 });
    let files = 0;
    for (const line of listing.split('\n')) if (line.startsWith('-')) files += Number(line.split(/\s+/)[2]);
    layers.push({ tar, gzip, files });
  }
  await rm(dir, { recursive: true, force: true });
  return { layers };
}

async function load(archive: string): Promise<Image> {
  return loadImage(
    { kind: 'docker-archive', location: archive },
    {
      analysers: [createSha256Analyser(), elfAnalyser],
      platform: { os: 'linux', architecture: 'amd64' },
      platformExplicit: false,
    },
  );
}

/** The same image with each layer's measured gzip -6 size as its gzip fact (what a gzip tap would record). */
const withGzip = (img: Image, m: Measured): Image => ({
  ...img,
  layers: img.layers.map((l, i) => ({ ...l, facts: { ...(l.facts ?? {}), gzip: m.layers[i]!.gzip } })),
});

let hello: string;
let helloStripped: string;
let archive: string;
let measured: Measured;
let analysis: Analysis;
let projection: Projection;
const files: Record<string, Buffer> = {};

before(async () => {
  d = await getTestDaemon();
  await ensureBaseImages(d);
  work = await mkdtemp(join(tmpdir(), 'slimtui-plan-'));
  const src = join(work, 'go');
  await mkdir(src);
  await writeFile(join(src, 'go.mod'), 'module example.com/hello\n\ngo 1.19\n');
  await writeFile(join(src, 'main.go'), 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n');
  hello = join(work, 'hello');
  execFileSync('go', ['build', '-o', hello, '.'], {
    cwd: src,
    env: {
      ...process.env,
      CGO_ENABLED: '0',
      GOFLAGS: '-mod=mod',
      GOPROXY: 'off',
      GOTOOLCHAIN: 'local',
      GOCACHE: join(work, 'gocache'),
      GOPATH: join(work, 'gopath'),
    },
  });
  helloStripped = join(work, 'hello-stripped');
  execFileSync('strip', ['--strip-all', '-o', helloStripped, hello]);
  files['big.bin'] = noise(MB20, 'big');
  files['data/a.txt'] = text(200_000, 'dup');
  files['data/b.txt'] = files['data/a.txt'];
  files['tool.sh'] = text(300_000, 'tool');
  await buildImage(
    d,
    TAG,
    { ...files, hello: { from: hello, mode: 0o755 }, 'tool.sh': files['tool.sh']! },
    [
      `FROM ${BUSYBOX_IMAGE}`,
      `RUN mkdir -p /var/cache/apk && dd if=/dev/urandom of=/var/cache/apk/APKINDEX.tar.gz bs=1024 count=${CACHE_KB} 2>/dev/null && echo index > /var/cache/apk/installed.idx`,
      'COPY big.bin /big.bin',
      'RUN rm /big.bin',
      'COPY data/ /data/',
      'COPY tool.sh /usr/local/bin/tool.sh',
      'RUN chmod 755 /usr/local/bin/tool.sh',
      'COPY hello /app/hello',
      'CMD ["/app/hello"]',
      '',
    ].join('\n'),
  );
  archive = join(work, 'waste.tar');
  await saveImage(d, TAG, archive);
  measured = await measure(archive);
  const img = withGzip(await load(archive), measured);
  analysis = analyze(img);
  projection = projectPlan(analysis, buildPlan(analysis, recommendedPlan(analysis).actions), modelPredictors(img));
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  if (d) await d.stop();
});

test('waste classes match the build', () => {
  assert.equal(analysis.image.layers.length, measured.layers.length);
  // dive's layer size is the sum of the regular files' sizes, as `tar -tv` lists them.
  assert.deepEqual(
    analysis.image.layers.map((l) => l.size),
    measured.layers.map((m) => m.files),
  );
  const w = classifyWaste(analysis);
  const c = new Map(w.classes.map((x) => [x.id, x]));
  assert.equal(c.get('apk-cache')?.storedBytes, CACHE_KB * 1024 + 'index\n'.length);
  assert.deepEqual(
    c.get('apk-cache')?.paths.map((p) => p.path),
    ['var/cache/apk'],
  );
  assert.equal(c.get('deleted')?.storedBytes, MB20);
  assert.equal(c.get('chmod-copied')?.storedBytes, files['tool.sh']!.length);
  assert.equal(c.get('duplicates')?.storedBytes, files['data/a.txt']!.length);
});

test('projection: on-disk savings exact, strip as binutils, compressed within 5 % of gzip -6 of the rebuilt layers', async () => {
  const saved = projection.total.before.size - projection.total.after.size;
  const helloSize = (await stat(hello)).size;
  const strippedSize = (await stat(helloStripped)).size;
  const expected = CACHE_KB * 1024 + 'index\n'.length + MB20 + files['tool.sh']!.length + (helloSize - strippedSize);
  const stripAction = projection.actions.find((a) => a.label.startsWith('strip'))!;
  const stripErr = (stripAction.size - (helloSize - strippedSize)) / helloSize;
  process.stdout.write(
    `# strip: predicted −${stripAction.size} B, binutils −${helloSize - strippedSize} B (error ${(stripErr * 100).toFixed(3)} % of the file)\n`,
  );
  assert.ok(Math.abs(stripErr) < 0.01);
  assert.ok(
    Math.abs(saved - expected) <= Math.abs(stripAction.size - (helloSize - strippedSize)) + 1,
    `saved ${saved} vs ${expected}`,
  );
  assert.deepEqual(projection.warnings, []);

  // Rebuild as the fix list says.
  const f = fixList(analysis, projection);
  const items = f.groups.flatMap((g) => g.items.map((i) => i.text)).join('\n');
  assert.match(items, /add `&& rm -rf \/var\/cache\/apk\/\*`/);
  assert.match(
    items,
    /`\/big\.bin` is copied by `COPY file:[0-9a-f]{12}… in \/big\.bin` and deleted in layer \d+ .*don't copy it/,
  );
  assert.match(
    items,
    /`\/usr\/local\/bin\/tool\.sh`: layer \d+ \(`RUN chmod 755 \/usr\/local\/bin\/tool\.sh`\) only changes mode or owner/,
  );
  assert.match(items, /add `-ldflags='-s -w'` to the `go build` that makes `\/app\/hello`/);
  const toolFixed = join(work, 'tool-fixed.sh');
  await writeFile(toolFixed, files['tool.sh']!);
  await chmod(toolFixed, 0o755);
  await buildImage(
    d,
    FIXED,
    {
      'data/a.txt': files['data/a.txt']!,
      'data/b.txt': files['data/b.txt']!,
      'tool.sh': { from: toolFixed },
      hello: { from: helloStripped, mode: 0o755 },
    },
    [
      `FROM ${BUSYBOX_IMAGE}`,
      `RUN mkdir -p /var/cache/apk && dd if=/dev/urandom of=/var/cache/apk/APKINDEX.tar.gz bs=1024 count=${CACHE_KB} 2>/dev/null && echo index > /var/cache/apk/installed.idx && rm -rf /var/cache/apk/*`,
      'COPY data/ /data/',
      'COPY tool.sh /usr/local/bin/tool.sh',
      'COPY hello /app/hello',
      'CMD ["/app/hello"]',
      '',
    ].join('\n'),
  );
  const fixedArchive = join(work, 'fixed.tar');
  await saveImage(d, FIXED, fixedArchive);
  const m2 = await measure(fixedArchive);
  const fixed = analyze(await load(fixedArchive));
  const realSize = fixed.image.layers.reduce((s, l) => s + l.size, 0);
  const inspectSize = Number((await d.docker(['image', 'inspect', '--format', '{{.Size}}', FIXED])).stdout.trim());
  const oldInspect = Number((await d.docker(['image', 'inspect', '--format', '{{.Size}}', TAG])).stdout.trim());
  const realGzip = m2.layers.reduce((s, l) => s + l.gzip, 0);
  const realTar = m2.layers.reduce((s, l) => s + l.tar, 0);
  const p = projection.total.after;
  const err = (a: number, b: number): number => (a - b) / b;
  process.stdout.write(
    `# rebuilt: on disk ${realSize} B (projected ${p.size}, error ${(err(p.size, realSize) * 100).toFixed(3)} %); ` +
      `docker inspect Size ${oldInspect} → ${inspectSize} (projected saving ${projection.total.before.size - p.size}, real ${oldInspect - inspectSize}); ` +
      `tar ${realTar} (projected ${p.tarSize}, error ${(err(p.tarSize, realTar) * 100).toFixed(2)} %); ` +
      `gzip -6 ${realGzip} (projected ${p.compressed}, error ${(err(p.compressed, realGzip) * 100).toFixed(2)} %)\n`,
  );
  process.stdout.write(
    `# projected layers after: ${projection.layers.map((l) => `${l.after.size}/${l.after.compressed}`).join(' ')}\n# rebuilt layers: ${m2.layers.map((l) => `${l.files}/${l.gzip}`).join(' ')}\n# original layers: ${measured.layers.map((l) => `${l.files}/${l.gzip}`).join(' ')}\n`,
  );
  assert.ok(Math.abs(err(p.size, realSize)) < 0.01);
  assert.ok(Math.abs(err(p.tarSize, realTar)) < 0.02);
  assert.ok(Math.abs(err(p.compressed, realGzip)) < 0.05);
});

test('the CLI writes the fix list as markdown and JSON, and prints the what-if table', async () => {
  ensureBuilt();
  const md = join(work, 'fix.md');
  const r1 = await runCli([archive, '--export', md], { cwd: work, env: baseEnv() });
  assert.equal(r1.code, 0, r1.stderr);
  assert.match(r1.stderr, /fix list \(md, \d+ items, recommended plan\) written to/);
  const mdText = await readFile(md, 'utf8');
  assert.match(mdText, /^# Slimming fix list for `slimtui-test\/plan-waste:latest`/);
  assert.match(
    mdText,
    /## Layer \d+: `COPY file:[0-9a-f]{12}… in \/usr\/local\/bin\/tool\.sh`\n\nSaves 300 kB on disk/,
  );
  const js = join(work, 'fix.json');
  const r2 = await runCli([archive, '--export', js, '--remove', '/big.bin', '--strip', 'all'], {
    cwd: work,
    env: baseEnv(),
  });
  assert.equal(r2.code, 0, r2.stderr);
  const doc = JSON.parse(await readFile(js, 'utf8')) as {
    schema: string;
    saved: { size: number };
    recommendedPlan: boolean;
    groups: { items: { kind: string; bytes: number }[] }[];
  };
  assert.equal(doc.schema, 'slimtui-fixlist/1');
  assert.equal(doc.recommendedPlan, false);
  const helloSaving = (await stat(hello)).size - (await stat(helloStripped)).size;
  assert.ok(Math.abs(doc.saved.size - (MB20 + helloSaving)) < (await stat(hello)).size * 0.01);
  const r3 = await runCli([archive, '--what-if', '--final-only'], { cwd: work, env: baseEnv() });
  assert.equal(r3.code, 0, r3.stderr);
  assert.match(r3.stdout, /^layer\s+size now\s+after\s+gzip now\s+after\s+command/m);
  assert.match(r3.stdout, /a1\s+keep only the final filesystem .*−21\.3 MB on disk/);
  const r4 = await runCli([archive, '--json', '--remove', '/data/b.txt'], { cwd: work, env: baseEnv() });
  const j = JSON.parse(r4.stdout) as { plan?: { projection: { actions: { sizeSaved: number }[] } } };
  assert.equal(j.plan?.projection.actions[0]?.sizeSaved, files['data/b.txt']!.length);
});
