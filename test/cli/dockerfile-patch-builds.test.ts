/**
 * Issue 13, end to end on the test daemon (classic builder, DOCKER_BUILDKIT=0; bases from base-images.ts): for
 * Dockerfiles of different shapes — build, read the image (docker save), map its layers to the Dockerfile, export
 * the patch, `patch -p1 --dry-run` then apply, build the patched Dockerfile, run its default command, and compare
 * the rebuilt image's size (`docker image inspect` Size) and pull size (GNU `gzip -6 -n` of each layer tar of
 * `docker save`) with slimtui's projection: within 5 %. Expected values come from docker, patch and gzip.
 *
 * No apt base exists here (no registry, no debootstrap): the apt case runs a fake `apt-get` (a shell script on the
 * busybox base) that lays out /var/lib/apt/lists and /var/cache/apt/archives as apt does. Said so in the README.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { loadImage, openImage } from '../../src/io/load-image.js';
import { createSha256Analyser } from '../../src/io/sha256-analyser.js';
import { elfAnalyser } from '../../src/io/elf-analyser.js';
import { textAnalyser } from '../../src/io/text-analyser.js';
import { gzipEstimateTap } from '../../src/io/gzip-estimate-tap.js';
import { removalCostTap } from '../../src/io/removal-cost-tap.js';
import { analyze } from '../../src/model/analysis.js';
import { loadDockerfile } from '../../src/cli/plan-dockerfile.js';
import { planArgsOf } from '../../src/cli/plan-args.js';
import { preparePlan, projectPrepared } from '../../src/cli/plan-output.js';
import { modelPredictors } from '../../src/model/plan/model-predictors.js';
import { dockerfilePatch, type DockerfilePatch, type PatchOptions } from '../../src/model/dockerfile/patch.js';
import { fixList } from '../../src/model/plan/fix-list.js';
import { getTestDaemon, type TestDaemon } from '../helpers/docker-daemon.js';
import { verifyPatchedBuild } from '../../src/cli/verify-build.js';
import { rebuiltGoOf } from '../../src/cli/plan-patch.js';
import { BUSYBOX_IMAGE, GLIBC_IMAGE, MUSL_IMAGE, ensureBaseImages } from '../helpers/base-images.js';
import { writeBuildContext, type ContextFile } from '../helpers/build-image.js';
import { AMD64 } from '../helpers/load.js';
import { runCli } from '../helpers/cli.js';

let d: TestDaemon;
let work = '';
const results: string[] = [];

before(async () => {
  d = await getTestDaemon();
  await ensureBaseImages(d);
  work = mkdtempSync(join(tmpdir(), 'slimtui-dfpatch-'));
});
after(() => {
  if (results.length > 0) console.log(results.join('\n'));
  rmSync(work, { recursive: true, force: true });
});

const build = (dir: string, tag: string, file = 'Dockerfile'): Promise<unknown> =>
  d.docker(['build', '--network', 'none', '--force-rm', '-f', join(dir, file), '-t', tag, dir], {
    env: { DOCKER_BUILDKIT: '0' },
    timeoutMs: 15 * 60_000,
  });

/** GNU gzip -6 of every layer tar of `docker save TAG`. */
async function realPullSize(tag: string): Promise<number> {
  const out = join(work, 'save.tar');
  await d.docker(['save', '-o', out, tag]);
  const x = extract();
  let total = 0;
  x.on('entry', (h, body, next) => {
    const parts: Buffer[] = [];
    body.on('data', (c: unknown) => parts.push(c as Buffer));
    body.on('end', () => {
      if (/(^|\/)layer\.tar$/.test(h.name))
        total += execFileSync('gzip', ['-6', '-n', '-c'], { input: Buffer.concat(parts), maxBuffer: 1 << 30 }).length;
      next();
    });
  });
  const done = new Promise<void>((res, rej) => {
    x.on('finish', res);
    x.on('error', rej);
  });
  x.end(readFileSync(out));
  await done;
  rmSync(out, { force: true });
  return total;
}

interface Case {
  name: string;
  dockerfile: string;
  files: Record<string, ContextFile>;
  /** What the diff must contain (the fix it implements). */
  expect: RegExp[];
  options?: () => Promise<PatchOptions>;
  /** Also run the real CLI (`slimtui ARCHIVE --dockerfile … --export x.patch`): it must write the same patch. */
  cli?: boolean;
}

async function runCase(c: Case): Promise<void> {
  const dir = await writeBuildContext(c.files, c.dockerfile);
  const tag = `slimtui-test/dfpatch-${c.name}:before`;
  try {
    await build(dir, tag);
    const saved = join(work, `${c.name}.tar`);
    await d.docker(['save', '-o', saved, tag]);
    // openImage, as the CLI does: the patch reads the rebuilt Go binary's bytes again (readFiles) to weigh them.
    const loaded = await openImage(
      { kind: 'docker-archive', location: saved },
      {
        analysers: [createSha256Analyser(), elfAnalyser, textAnalyser],
        taps: [gzipEstimateTap(), removalCostTap()],
        platform: AMD64,
        platformExplicit: false,
      },
    );
    let image = loaded.image;
    const warnings: string[] = [];
    const df = loadDockerfile(image, join(dir, 'Dockerfile'), dir, (l) => warnings.push(l));
    assert.ok(df, `${c.name}: Dockerfile loaded`);
    assert.ok(df.mapping.matched, `${c.name}: layers map to the Dockerfile: ${df.mapping.notes.join('; ')}`);
    image = df.image;
    const analysis = analyze(image);
    const run = projectPrepared(analysis, preparePlan(analysis, planArgsOf({})), modelPredictors(analysis.image));
    const notes: string[] = [];
    const rebuilt = await rebuiltGoOf(analysis, df, loaded.readFiles, (n) => notes.push(n));
    assert.deepEqual(notes, [], `${c.name}: the rebuilt Go binaries were read again`);
    const patch = dockerfilePatch(analysis, df.parsed, df.mapping, fixList(analysis, run.projection), {
      ...(c.options ? await c.options() : {}),
      ...rebuilt,
    });
    if (c.cli) await sameAsCli(c, saved, join(dir, 'Dockerfile'), patch);
    rmSync(saved, { force: true });
    assert.notEqual(patch.diff, '', `${c.name}: an empty patch; advice: ${patch.advice.join(' | ')}`);
    for (const re of c.expect) assert.match(patch.diff, re, `${c.name}: the patch lacks ${re}\n${patch.diff}`);
    assert.match(patch.diff, /^diff --git a\/Dockerfile b\/Dockerfile\n--- a\/Dockerfile\n\+\+\+ b\/Dockerfile\n/);
    assert.match(patch.diff, /# slimtui: .*(on disk|saves|fixes)/);
    writeFileSync(join(dir, 'fixes.patch'), patch.diff);
    if (process.env['SLIMTUI_SHOW_PATCH'] === c.name)
      results.push(
        `--- ${c.name}: Dockerfile ---\n${c.dockerfile}--- patch ---\n${patch.diff}--- advice ---\n${patch.advice.join('\n')}`,
      );
    const dry = spawnSync('patch', ['-p1', '--dry-run', '-i', 'fixes.patch'], { cwd: dir, encoding: 'utf8' });
    assert.equal(dry.status, 0, `${c.name}: patch --dry-run: ${dry.stdout}${dry.stderr}`);
    const real = spawnSync('patch', ['-p1', '-i', 'fixes.patch'], { cwd: dir, encoding: 'utf8' });
    assert.equal(real.status, 0, `${c.name}: patch: ${real.stdout}${real.stderr}`);
    assert.equal(
      readFileSync(join(dir, 'Dockerfile'), 'utf8'),
      patch.patched,
      `${c.name}: patch(1) and slimtui agree on the result`,
    );
    const after = `slimtui-test/dfpatch-${c.name}:after`;
    await build(dir, after);
    const started = spawnSync(
      'timeout',
      ['60', 'docker', '-H', d.dockerHost, 'run', '--rm', '--network', 'none', after],
      { encoding: 'utf8' },
    );
    assert.equal(
      started.status,
      0,
      `${c.name}: the default command of the patched image: ${started.stdout}${started.stderr}`,
    );
    const size = Number((await d.docker(['image', 'inspect', '-f', '{{.Size}}', after])).stdout.trim());
    const pull = await realPullSize(after);
    const errSize = (patch.projected.size - size) / size;
    const errPull = (patch.projected.compressed - pull) / pull;
    const before = run.projection.total.before;
    if (process.env['SLIMTUI_SHOW_PATCH'] === c.name) {
      const realBefore = Number((await d.docker(['image', 'inspect', '-f', '{{.Size}}', tag])).stdout.trim());
      results.push(
        `${c.name}: the image before: ${realBefore} B (docker image inspect), pull ${await realPullSize(tag)} B`,
      );
    }
    results.push(
      `${c.name}: before ${before.size} B / ${before.compressed} B; rebuilt ${size} B (projected ${patch.projected.size}, ${(errSize * 100).toFixed(1)} %), pull ${pull} B (projected ${patch.projected.compressed}, ${(errPull * 100).toFixed(1)} %)`,
    );
    assert.ok(Math.abs(errSize) <= 0.05, `${c.name}: rebuilt ${size} B on disk, projected ${patch.projected.size}`);
    assert.ok(
      Math.abs(errPull) <= 0.05,
      `${c.name}: rebuilt pull size ${pull} B, projected ${patch.projected.compressed}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The CLI on the same archive writes the same patch (the `# slimtui:` comments aside: their compressed figures
 * come from sampled estimates) and says the same projection (to its rounding).
 */
async function sameAsCli(c: Case, archive: string, dockerfile: string, patch: DockerfilePatch): Promise<void> {
  const out = join(work, `${c.name}-cli.patch`);
  const r = await runCli([archive, '--dockerfile', dockerfile, '--export', out], { cwd: work, timeoutMs: 10 * 60_000 });
  assert.equal(r.code, 0, `${c.name}: slimtui --export: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /rough guess|could not be read/, `${c.name}: ${r.stderr}`);
  const text = readFileSync(out, 'utf8');
  const bare = (t: string): string =>
    t
      .split('\n')
      .filter((l) => !/^[+ ]?# slimtui:/.test(l))
      .join('\n');
  assert.ok(
    bare(text).startsWith(bare(patch.diff)),
    `${c.name}: the CLI's patch:\n${text}\nin-process:\n${patch.diff}`,
  );
  const m = /projected ([\d.]+) (kB|MB|GB) on disk, ([\d.]+) (kB|MB|GB) compressed/.exec(r.stderr);
  assert.ok(m, r.stderr);
  const bytes = (v: string, u: string): number => Number(v) * { kB: 1e3, MB: 1e6, GB: 1e9 }[u]!;
  for (const [got, want] of [
    [bytes(m[1]!, m[2]!), patch.projected.size],
    [bytes(m[3]!, m[4]!), patch.projected.compressed],
  ] as const)
    assert.ok(Math.abs(got - want) / want <= 0.05, `${c.name}: the CLI projects ${got}, in-process ${want}`);
  if (process.env['SLIMTUI_SHOW_PATCH'] === c.name)
    results.push(`--- ${c.name}: the CLI's patch ---\n${text}${r.stderr}`);
}

/** A fake apt-get (busybox sh): `update` writes package lists, `install` a package and its .deb in the cache. */
const FAKE_APT = `#!/bin/sh
set -e
case "$1" in
  update)
    mkdir -p /var/lib/apt/lists/partial
    i=0; while [ $i -lt 3 ]; do seq 1 40000 | sed "s/^/Package: pkg-$i-/" > /var/lib/apt/lists/deb.example_dists_stable_main_binary-amd64_Packages.$i; i=$((i+1)); done
    ;;
  install)
    mkdir -p /var/cache/apt/archives/partial /usr/share/hello
    head -c 300000 /dev/urandom > /var/cache/apt/archives/hello_1.0_amd64.deb
    seq 1 5000 > /usr/share/hello/data
    printf '#!/bin/sh\\necho hello\\n' > /usr/bin/hello && chmod 755 /usr/bin/hello
    ;;
  clean) rm -rf /var/cache/apt/archives/*.deb ;;
esac
`;

test(
  'apt install without cleanup → cleanup in the same RUN (fake apt on busybox)',
  { timeout: 15 * 60_000 },
  async () => {
    await runCase({
      name: 'apt',
      cli: true,
      dockerfile: `FROM ${BUSYBOX_IMAGE}\nCOPY apt-get /usr/bin/apt-get\nRUN apt-get update && \\\n    apt-get install -y hello\nCMD ["hello"]\n`,
      files: { 'apt-get': { from: writeTmp('apt-get', FAKE_APT), mode: 0o755 } },
      expect: [/apt-get install --no-install-recommends -y hello/, /rm -rf \/var\/lib\/apt\/lists\/\*/],
    });
  },
);

test('chmod-copy → COPY --chmod', { timeout: 15 * 60_000 }, async () => {
  const tool = `#!/bin/sh\n${'echo tool works # padding to make the copy count\n'.repeat(200)}`;
  await runCase({
    name: 'chmod',
    dockerfile: `FROM ${BUSYBOX_IMAGE}\nCOPY tool.sh /opt/tool.sh\nRUN chmod 755 /opt/tool.sh\nCMD ["/opt/tool.sh"]\n`,
    files: { 'tool.sh': { from: writeTmp('tool.sh', tool), mode: 0o644 } },
    expect: [/^old mode 100644\nnew mode 100755$/m, /^-RUN chmod 755 \/opt\/tool\.sh$/m],
  });
});

test('add-then-delete → delete in the RUN that adds', { timeout: 15 * 60_000 }, async () => {
  await runCase({
    name: 'adddel',
    dockerfile: `FROM ${BUSYBOX_IMAGE}\nRUN mkdir -p /data && head -c 2000000 /dev/urandom > /data/blob && seq 1 100 > /data/keep\nRUN rm /data/blob && echo done > /data/done\nCMD ["cat", "/data/done"]\n`,
    files: {},
    expect: [/&& rm -rf \/data\/blob/, /RUN rm -f \/data\/blob/],
  });
});

test('musl/glibc mix: a glibc binary on the musl base → a glibc base', { timeout: 15 * 60_000 }, async () => {
  const src = join(work, 'hello.c');
  writeFileSync(src, '#include <stdio.h>\nint main(void){ puts("hello from glibc"); return 0; }\n');
  const bin = join(work, 'hello-glibc');
  execFileSync('gcc', ['-O2', '-s', src, '-o', bin]);
  await runCase({
    name: 'mix',
    dockerfile: `FROM ${MUSL_IMAGE}\nCOPY hello /usr/local/bin/hello\nCMD ["hello"]\n`,
    files: { hello: { from: bin } },
    expect: [new RegExp(`^\\+FROM ${GLIBC_IMAGE.replace(/[/.]/g, '\\$&')}$`, 'm')],
    options: async () => ({
      glibcBase: GLIBC_IMAGE,
      baseSizes: {
        [GLIBC_IMAGE]: {
          size: Number((await d.docker(['image', 'inspect', '-f', '{{.Size}}', GLIBC_IMAGE])).stdout.trim()),
          compressed: await realPullSize(GLIBC_IMAGE),
        },
      },
    }),
  });
});

test(
  'single-stage Go build (toolchain in the runtime image) → build stage + scratch with CA certificates',
  { timeout: 30 * 60_000 },
  async () => {
    // The toolchain: the host's golang-go (GOROOT bin, pkg/tool, pkg/include and src, symlinks resolved).
    const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
    const stage = mkdtempSync(join(tmpdir(), 'slimtui-goroot-'));
    try {
      for (const part of ['bin', 'pkg/tool', 'pkg/include', 'src', 'VERSION']) {
        execFileSync('mkdir', ['-p', join(stage, 'go', part, '..')]);
        execFileSync('cp', ['-rL', join(goroot, part), join(stage, 'go', part)]);
      }
      const main = [
        'package main',
        'import ("crypto/x509"; "fmt"; "os")',
        'func main() {',
        '  pool, err := x509.SystemCertPool()',
        '  if err != nil || len(pool.Subjects()) == 0 { fmt.Println("no CA certificates:", err); os.Exit(3) }',
        '  fmt.Println("ok:", len(pool.Subjects()), "roots")',
        '}',
        '',
      ].join('\n');
      await runCase({
        name: 'go',
        cli: true,
        dockerfile: [
          `FROM ${GLIBC_IMAGE}`,
          'COPY go /usr/local/go',
          'COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
          'ENV PATH=/usr/local/go/bin:/usr/local/bin:/usr/bin:/bin GOCACHE=/tmp/gocache GOPATH=/tmp/gopath CGO_ENABLED=0 GOFLAGS=-mod=mod',
          'COPY app /src',
          'RUN cd /src && go build -o /usr/local/bin/app .',
          'CMD ["/usr/local/bin/app"]',
          '',
        ].join('\n'),
        files: {
          go: { from: join(stage, 'go') },
          'ca-certificates.crt': { from: '/etc/ssl/certs/ca-certificates.crt' },
          'app/main.go': main,
          'app/go.mod': 'module example.com/app\ngo 1.19\n',
        },
        expect: [
          /^\+FROM scratch$/m,
          /^\+COPY --from=build \/etc\/ssl\/certs\/ca-certificates\.crt /m,
          /^\+COPY --from=build \/usr\/local\/bin\/app /m,
          /CGO_ENABLED=0 go build -trimpath -ldflags='-s -w'/,
          /^\+# slimtui: CGO_ENABLED=0 -trimpath .* — the binary −[\d.]+ [kM]B on disk, −[\d.]+ [kM]B compressed/m,
          /^\+FROM slimtui-test\/glibc:latest AS build$/m,
        ],
      });
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
  },
);

test(
  '--verify-build: the Engine API builds the patched Dockerfile, starts it, and reports real vs projected',
  { timeout: 15 * 60_000 },
  async () => {
    const dockerfile = `FROM ${BUSYBOX_IMAGE}\nRUN mkdir -p /data && head -c 1000000 /dev/urandom > /data/blob\nRUN rm /data/blob && echo done > /data/done\nCMD ["cat", "/data/done"]\n`;
    const dir = await writeBuildContext({}, dockerfile);
    const tag = 'slimtui-test/dfpatch-verify:before';
    const old = process.env['DOCKER_HOST'];
    try {
      await build(dir, tag);
      const saved = join(work, 'verify.tar');
      await d.docker(['save', '-o', saved, tag]);
      const image = await loadImage(
        { kind: 'docker-archive', location: saved },
        {
          analysers: [createSha256Analyser(), elfAnalyser, textAnalyser],
          taps: [gzipEstimateTap(), removalCostTap()],
          platform: AMD64,
          platformExplicit: false,
        },
      );
      const df = loadDockerfile(image, join(dir, 'Dockerfile'), dir, () => undefined)!;
      const analysis = analyze(df.image);
      const run = projectPrepared(analysis, preparePlan(analysis, planArgsOf({})), modelPredictors(analysis.image));
      process.env['DOCKER_HOST'] = d.dockerHost;
      const r = await verifyPatchedBuild(analysis, run, df, { timeoutMs: 10_000 });
      assert.equal(r.started, true, r.startNote);
      // The real figures, from docker itself (inspect of the image verify-build built is gone: rebuild by CLI).
      assert.ok(
        Math.abs(r.size - r.projected.size) / r.size <= 0.05,
        `verify-build: ${r.size} vs projected ${r.projected.size}`,
      );
      assert.ok(
        Math.abs(r.compressed - r.projected.compressed) / r.compressed <= 0.05,
        `verify-build: pull ${r.compressed} vs projected ${r.projected.compressed}`,
      );
      results.push(
        `verify-build: real ${r.size} B (projected ${r.projected.size}), pull ${r.compressed} B (projected ${r.projected.compressed}), ${r.startNote}`,
      );
      // The tagged image is removed afterwards.
      const gone = spawnSync('docker', ['-H', d.dockerHost, 'image', 'inspect', r.tag]);
      assert.notEqual(gone.status, 0);
    } finally {
      if (old === undefined) delete process.env['DOCKER_HOST'];
      else process.env['DOCKER_HOST'] = old;
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

function writeTmp(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'slimtui-dfctx-'));
  const p = join(dir, name);
  writeFileSync(p, text, { mode: 0o644 });
  return p;
}
