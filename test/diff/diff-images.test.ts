// `slimtui diff A B` on image pairs built in the test daemon: a base bump, an added package (files a RUN
// writes), a removed file, a chmod, a binary rebuilt with other compiler flags, a new finding (a glibc binary
// copied into a busybox image), and mixed sources (the engine against a saved archive). Every expected value
// comes from `docker save` + `tar -tvf` listings and `sha256sum` (tar-oracle.ts), readelf, or the image config —
// never from slimtui's code.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, utimes, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTestDaemon, type TestDaemon } from '../helpers/docker-daemon.js';
import { BUSYBOX_IMAGE, MUSL_IMAGE, ensureBaseImages } from '../helpers/base-images.js';
import { saveImage } from '../helpers/build-image.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { oracleDiff, oracleImage, type OracleImage } from './tar-oracle.js';

let d: TestDaemon;
let work: string;
const FIXED_TIME = new Date('2021-06-01T00:00:00Z');
const archives: Record<string, string> = {};
const oracles: Record<string, OracleImage> = {};

/** Deterministic incompressible bytes. */
function noise(n: number, seed: string): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0, off = 0; off < n; i++, off += 32) createHash('sha256').update(`${seed}:${i}`).digest().copy(out, off);
  return out;
}

/** One build context, reused by every build with fixed mtimes, so equal COPY steps make equal layer tars. */
let ctx: string;
async function build(tag: string, dockerfile: string): Promise<void> {
  const file = join(ctx, `${tag.replace(/[^a-z0-9]/g, '_')}.Dockerfile`);
  await writeFile(file, dockerfile);
  await d.docker(['build', '--network', 'none', '--force-rm', '-f', file, '-t', tag, ctx], {
    env: { DOCKER_BUILDKIT: '0' },
    timeoutMs: 240_000,
  });
  archives[tag] = join(work, `${tag.replace(/[^a-z0-9]/g, '_')}.tar`);
  await saveImage(d, tag, archives[tag]);
  oracles[tag] = await oracleImage(archives[tag], work);
}

const T = {
  v1: 'slimtui-test/diff-v1:1',
  musl: 'slimtui-test/diff-musl:1',
  pkg: 'slimtui-test/diff-pkg:1',
  rm: 'slimtui-test/diff-rm:1',
  chmod: 'slimtui-test/diff-chmod:1',
  o0: 'slimtui-test/diff-o0:1',
  o2s: 'slimtui-test/diff-o2s:1',
};
const PKG_KB = 1500;

before(async () => {
  d = await getTestDaemon();
  await ensureBaseImages(d);
  work = await mkdtemp(join(tmpdir(), 'slimtui-diff-'));
  ctx = join(work, 'ctx');
  await mkdir(join(ctx, 'app'), { recursive: true });
  await writeFile(join(ctx, 'app', 'a.txt'), 'alpha\n');
  await writeFile(join(ctx, 'app', 'b.bin'), noise(300_000, 'b'));
  await writeFile(join(ctx, 'app', 'tool.sh'), '#!/bin/sh\necho tool\n');
  await chmod(join(ctx, 'app', 'tool.sh'), 0o644);
  // One C program, built twice: -O0 -g (symbols and debug info) and -O2 -s (stripped).
  await writeFile(join(work, 'hello.c'), '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n');
  execFileSync('gcc', ['-O0', '-g', '-o', join(ctx, 'hello-o0'), join(work, 'hello.c')]);
  execFileSync('gcc', ['-O2', '-s', '-o', join(ctx, 'hello-o2s'), join(work, 'hello.c')]);
  for (const p of ['app/a.txt', 'app/b.bin', 'app/tool.sh', 'app', 'hello-o0', 'hello-o2s'])
    await utimes(join(ctx, p), FIXED_TIME, FIXED_TIME);
  // ADD of a tar keeps the tar's mtimes (a COPY would stamp /app with the build's time): the same step on two
  // bases then makes the same layer tar.
  execFileSync('tar', [
    '-cf',
    join(ctx, 'app.tar'),
    '-C',
    ctx,
    '--mtime=2021-06-01 00:00:00',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--sort=name',
    'app',
  ]);
  const app = 'ADD app.tar /\n';
  await build(T.v1, `FROM ${BUSYBOX_IMAGE}\n${app}`);
  await build(T.musl, `FROM ${MUSL_IMAGE}\n${app}`);
  await build(
    T.pkg,
    `FROM ${T.v1}\nRUN mkdir -p /usr/lib/pkg && dd if=/dev/urandom of=/usr/lib/pkg/libpkg.so bs=1024 count=${PKG_KB} 2>/dev/null && echo readme > /usr/lib/pkg/README\n`,
  );
  await build(T.rm, `FROM ${T.v1}\nRUN rm /app/b.bin && echo bravo > /app/a.txt\n`);
  await build(T.chmod, `FROM ${T.v1}\nRUN chmod 755 /app/tool.sh\n`);
  await build(T.o0, `FROM ${T.v1}\nCOPY hello-o0 /usr/local/bin/hello\n`);
  await build(T.o2s, `FROM ${T.v1}\nCOPY hello-o2s /usr/local/bin/hello\n`);
});

after(async () => {
  for (const o of Object.values(oracles)) await o.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
  if (d) await d.stop();
});

interface DiffJson {
  diffSchemaVersion: number;
  a: { sizeBytes: number; reclaimableBytes: number; layerCount: number; digests: boolean };
  b: { sizeBytes: number; reclaimableBytes: number; layerCount: number; digests: boolean };
  summary: {
    sizeDeltaBytes: number;
    added: number;
    removed: number;
    changed: number;
    sharedBaseLayers: number;
    newFindings: number;
    resolvedFindings: number;
  };
  layers: { a: number | null; b: number | null; diffId: string | null; status: string }[];
  paths: {
    path: string;
    change: string;
    kind: string;
    attrs: string[];
    deltaBytes: number;
    sizeBeforeBytes: number;
    sizeAfterBytes: number;
    layer: number | null;
    command: string | null;
    before: { mode: number; sha256: string | null } | null;
    after: { mode: number; sha256: string | null } | null;
  }[];
  directories: { path: string; deltaBytes: number }[];
  topGrowth: { path: string; deltaBytes: number; layer: number | null; command: string | null }[];
  binaries: { path: string; fields: string[]; before: { stripped: boolean }; after: { stripped: boolean } }[];
  findings: {
    new: { severity: string; code: string; path: string }[];
    resolved: { severity: string; code: string; path: string }[];
  };
}

async function diffJson(a: string, b: string): Promise<DiffJson> {
  const r = await runCli(['diff', archives[a]!, archives[b]!, '--json'], { cwd: work, timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as DiffJson;
}

const strip = (p: string): string => p.replace(/^\//, '');

/** The whole path diff against the oracle's: the same added, removed and changed paths, attributes and deltas. */
function assertMatchesOracle(j: DiffJson, a: string, b: string): void {
  const oa = oracles[a]!;
  const ob = oracles[b]!;
  const want = oracleDiff(oa, ob);
  const got = (c: string) => new Set(j.paths.filter((p) => p.change === c).map((p) => strip(p.path)));
  assert.deepEqual([...got('added')].sort(), [...want.added].sort(), 'added paths');
  assert.deepEqual([...got('removed')].sort(), [...want.removed].sort(), 'removed paths');
  assert.deepEqual(
    Object.fromEntries(j.paths.filter((p) => p.change === 'changed').map((p) => [strip(p.path), p.attrs])),
    Object.fromEntries(want.changed),
    'changed paths and what changed',
  );
  for (const p of j.paths) {
    const ea = oa.fs.get(strip(p.path));
    const eb = ob.fs.get(strip(p.path));
    if ((ea ?? eb)!.type === 'd') continue;
    assert.equal(p.deltaBytes, (eb?.size ?? 0) - (ea?.size ?? 0), `delta of ${p.path}`);
    // The layer of B that caused it: the one whose entry is live (added, changed).
    if (eb) assert.equal(p.layer, eb.layer, `layer of ${p.path}`);
  }
  // Image size: dive's, the sum of the sizes the layer listings give.
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  assert.equal(j.a.sizeBytes, sum(oa.layerSizes));
  assert.equal(j.b.sizeBytes, sum(ob.layerSizes));
  assert.equal(j.summary.sizeDeltaBytes, sum(ob.layerSizes) - sum(oa.layerSizes));
  assert.deepEqual(
    [j.summary.added, j.summary.removed, j.summary.changed],
    [want.added.size, want.removed.size, want.changed.size],
  );
  // Layers by diff_id, from the configs: the common prefix is shared.
  let shared = 0;
  while (shared < oa.diffIds.length && shared < ob.diffIds.length && oa.diffIds[shared] === ob.diffIds[shared])
    shared++;
  assert.equal(j.summary.sharedBaseLayers, shared);
  for (const l of j.layers) {
    if (l.status === 'shared') assert.ok(l.a === l.b && l.a! < shared);
    if (l.status === 'same-content') assert.equal(oa.diffIds[l.a!], ob.diffIds[l.b!]);
    if (l.status === 'only-b') assert.ok(!oa.diffIds.slice(shared).includes(ob.diffIds[l.b!]!));
  }
}

test('base bump (busybox → busybox + musl): musl files added, the app layer has the same diff_id', async () => {
  const j = await diffJson(T.v1, T.musl);
  assert.equal(j.diffSchemaVersion, 1);
  assertMatchesOracle(j, T.v1, T.musl);
  const oa = oracles[T.v1]!;
  const ob = oracles[T.musl]!;
  assert.notEqual(oa.diffIds[0], ob.diffIds[0], 'the bases differ');
  assert.equal(oa.diffIds[1], ob.diffIds[1], 'the ADD step made the same tar on both bases');
  const copy = j.layers.find((l) => l.a === 1)!;
  assert.deepEqual([copy.b, copy.diffId, copy.status], [1, oa.diffIds[1], 'same-content']);
  // Every added path is musl's, written by B's layer 0 (the base).
  assert.ok(j.paths.filter((p) => p.change === 'added').every((p) => p.layer === 0 && /^\/lib/.test(p.path)));
  assert.ok(j.paths.some((p) => p.path === '/lib/x86_64-linux-musl/libc.so'));
});

test('an added package: files a RUN wrote, the size delta, the layer and command, the directory subtree delta', async () => {
  const j = await diffJson(T.v1, T.pkg);
  assertMatchesOracle(j, T.v1, T.pkg);
  const ob = oracles[T.pkg]!;
  const lib = ob.fs.get('usr/lib/pkg/libpkg.so')!;
  assert.equal(lib.size, PKG_KB * 1024);
  const last = ob.diffIds.length - 1;
  assert.equal(j.summary.sharedBaseLayers, oracles[T.v1]!.diffIds.length, 'all of A is the shared base');
  // The directory delta is the sum of the sizes of the files added below it.
  const below = [...ob.fs]
    .filter(([p, e]) => p.startsWith('usr/lib/pkg/') && e.type === '-')
    .reduce((s, [, e]) => s + e.size, 0);
  assert.equal(j.directories.find((x) => x.path === '/usr/lib/pkg')!.deltaBytes, below);
  // The first growth row: the library, from the RUN layer, with its command.
  assert.equal(j.topGrowth[0]!.path, '/usr/lib/pkg/libpkg.so');
  assert.equal(j.topGrowth[0]!.layer, last);
  assert.match(ob.commands[last]!, /mkdir -p \/usr\/lib\/pkg/);
  assert.match(j.topGrowth[0]!.command!, /^RUN mkdir -p \/usr\/lib\/pkg/);
  // The Markdown summary's headline, as a pull-request comment shows it.
  const s = await runCli(['diff', archives[T.v1]!, archives[T.pkg]!, '--summary'], { cwd: work, timeoutMs: 120_000 });
  assert.equal(s.code, 0, s.stderr);
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  const growth = ob.layerSizes.reduce((x, y) => x + y, 0) - oracles[T.v1]!.layerSizes.reduce((x, y) => x + y, 0);
  assert.ok(
    s.stdout.includes(
      `**+${mb(growth)}**: +${mb(lib.size)} /usr/lib/pkg/libpkg.so (layer ${last}: RUN mkdir -p /usr/lib/pkg && dd`,
    ),
    s.stdout,
  );
  assert.match(s.stdout, /^### slimtui diff: `slimtui-test\/diff-v1:1` → `slimtui-test\/diff-pkg:1`/);
  assert.match(
    s.stdout,
    new RegExp(`\\*\\*Paths:\\*\\* ${j.summary.added} added, 0 removed, ${j.summary.changed} changed`),
  );
});

test('a removed file and a same-size rewrite: removed by the RUN layer, a negative delta; content told by sha256', async () => {
  const j = await diffJson(T.v1, T.rm);
  assertMatchesOracle(j, T.v1, T.rm);
  // alpha\n → bravo\n: the same size, other bytes (sha256sum of each layer's copy differs).
  assert.equal(oracles[T.v1]!.fs.get('app/a.txt')!.size, oracles[T.rm]!.fs.get('app/a.txt')!.size);
  assert.notEqual(oracles[T.v1]!.sha('app/a.txt'), oracles[T.rm]!.sha('app/a.txt'));
  assert.deepEqual(j.paths.find((x) => x.path === '/app/a.txt')!.attrs, ['content']);
  const p = j.paths.find((x) => x.path === '/app/b.bin')!;
  assert.equal(p.change, 'removed');
  assert.equal(p.deltaBytes, -oracles[T.v1]!.fs.get('app/b.bin')!.size);
  assert.equal(p.layer, oracles[T.rm]!.diffIds.length - 1, 'the whiteout layer');
  // The bytes are still stored in A's layer: reclaimable after, not before.
  assert.equal(j.a.reclaimableBytes, oracles[T.v1]!.reclaimable);
  assert.equal(j.b.reclaimableBytes, oracles[T.rm]!.reclaimable);
  // Both of A's copies (b.bin, a.txt) stay stored in A's layer.
  assert.equal(
    j.b.reclaimableBytes - j.a.reclaimableBytes,
    oracles[T.v1]!.fs.get('app/b.bin')!.size + oracles[T.v1]!.fs.get('app/a.txt')!.size,
  );
});

test('a chmod: only the mode changed (same size, same sha256), and the copy is reclaimable', async () => {
  const j = await diffJson(T.v1, T.chmod);
  assertMatchesOracle(j, T.v1, T.chmod);
  const p = j.paths.find((x) => x.path === '/app/tool.sh')!;
  assert.deepEqual(p.attrs, ['mode']);
  assert.equal(p.before!.mode, oracles[T.v1]!.fs.get('app/tool.sh')!.mode);
  assert.equal(p.after!.mode, 0o755);
  assert.equal(p.before!.sha256, oracles[T.v1]!.sha('app/tool.sh'));
  assert.equal(p.after!.sha256, oracles[T.chmod]!.sha('app/tool.sh'));
  assert.equal(j.b.reclaimableBytes - j.a.reclaimableBytes, oracles[T.chmod]!.reclaimable - oracles[T.v1]!.reclaimable);
});

test('a binary rebuilt with other flags (-O0 -g → -O2 -s): content and strip state changed, the unstripped finding resolved', async () => {
  const j = await diffJson(T.o0, T.o2s);
  assertMatchesOracle(j, T.o0, T.o2s);
  const symtab = (f: string) => /\.symtab/.test(execFileSync('readelf', ['-S', '-W', f], { encoding: 'utf8' }));
  assert.equal(symtab(join(ctx, 'hello-o0')), true);
  assert.equal(symtab(join(ctx, 'hello-o2s')), false);
  const b = j.binaries.find((x) => x.path === '/usr/local/bin/hello')!;
  assert.ok(b.fields.includes('stripped'), JSON.stringify(b));
  assert.deepEqual([b.before.stripped, b.after.stripped], [false, true]);
  assert.ok(j.findings.resolved.some((f) => f.code === 'unstripped' && f.path === '/usr/local/bin/hello'));
  assert.ok(!j.findings.new.some((f) => f.path === '/usr/local/bin/hello'));
});

test('a new finding: a glibc binary copied into a busybox image; --ci rules and exit codes', async () => {
  const j = await diffJson(T.v1, T.o0);
  assertMatchesOracle(j, T.v1, T.o0);
  // readelf: the binary asks for glibc's loader, which the image (per its listing) does not have.
  const interp = /Requesting program interpreter: (\S+)\]/.exec(
    execFileSync('readelf', ['-l', '-W', join(ctx, 'hello-o0')], { encoding: 'utf8' }),
  )![1]!;
  assert.equal(oracles[T.o0]!.fs.has(interp.replace(/^\//, '')), false);
  assert.ok(
    j.findings.new.some(
      (f) => f.severity === 'error' && f.code === 'interpreter-missing' && f.path === '/usr/local/bin/hello',
    ),
    JSON.stringify(j.findings),
  );
  const growth = j.summary.sizeDeltaBytes;
  const ci = (extra: string[]): Promise<CliResult> =>
    runCli(['diff', archives[T.v1]!, archives[T.o0]!, '--ci', ...extra], { cwd: work, timeoutMs: 120_000 });
  let r = await ci(['--failOnNewFindings', 'error']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /FAIL: failOnNewFindings: .* first: interpreter-missing \/usr\/local\/bin\/hello/);
  r = await ci(['--failOnNewFindings', 'disabled', '--highestGrowthBytes', String(growth)]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  r = await ci(['--failOnNewFindings', 'disabled', '--highestGrowthBytes', String(growth - 1)]);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout, new RegExp(`FAIL: highestGrowthBytes: .*growth=${growth} `));
  // Percent, with ci-config's units: growth relative to A's size.
  const pct = (100 * growth) / j.a.sizeBytes;
  r = await ci(['--failOnNewFindings', 'disabled', '--highestGrowthPercent', `${(pct * 1.01).toFixed(6)}%`]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  r = await ci(['--failOnNewFindings', 'disabled', '--highestGrowthPercent', ((pct / 100) * 0.99).toFixed(8)]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  // The rules file: its diff: mapping (flags win over it).
  await writeFile(
    join(work, '.slimtui-ci.yaml'),
    `rules:\n  lowestEfficiency: 0.5\ndiff:\n  highestGrowthBytes: ${growth - 1}\n  failOnNewFindings: disabled\n`,
  );
  r = await ci([]);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout, /rules \(\.slimtui-ci\.yaml\)/);
  r = await ci(['--highestGrowthBytes', '1GB']);
  assert.equal(r.code, 0, r.stdout);
  await writeFile(join(work, '.slimtui-ci.yaml'), 'diff:\n  highestGrowthBytes: lots\n');
  r = await ci([]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /highestGrowthBytes must be a size/);
  await rm(join(work, '.slimtui-ci.yaml'));
});

test('mixed sources: the engine image against its own saved archive is all shared, no differences', async () => {
  const r = await runCli(['diff', `docker://${T.pkg}`, archives[T.pkg]!, '--json'], {
    cwd: work,
    env: { DOCKER_HOST: d.dockerHost },
    timeoutMs: 120_000,
  });
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as DiffJson;
  assert.equal(j.summary.sharedBaseLayers, oracles[T.pkg]!.diffIds.length);
  assert.deepEqual(j.paths, []);
  assert.equal(j.summary.sizeDeltaBytes, 0);
});

test('bad input: one line on stderr, exit 2', async () => {
  const cases: string[][] = [
    ['diff', archives[T.v1]!],
    ['diff', archives[T.v1]!, join(work, 'missing.tar')],
    ['diff', archives[T.v1]!, archives[T.pkg]!, '--highestGrowthPercent', 'lots'],
    ['diff', archives[T.v1]!, archives[T.pkg]!, '--bogus'],
    ['diff', '-', '-'],
  ];
  for (const args of cases) {
    const r = await runCli(args, { cwd: work, timeoutMs: 60_000 });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^slimtui: /);
    assert.equal(r.stdout, '');
  }
});
