/**
 * The planner's UPX numbers through the full CLI (`node bin/slimtui IMAGE --what-if|--json|--export --upx …`)
 * against the REAL `upx --best --lzma` run here on copies of the same files: packed sizes within 10 %, the same
 * refusals, the caveats printed, `estimatedBy` reported. Images: a `dir:` rootfs and docker-save archives
 * (Docker >= 25 layout and the legacy one) holding real ELF files of this machine and built here. No Docker.
 * Needs `upx` (CI installs upx-ucl from backports, see .ci/run) and `xz`: without them the tests FAIL.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  createReadStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli, BIN, baseEnv, ensureBuilt } from '../helpers/cli.js';
import { dockerArchiveLegacy, dockerArchiveOciStyle, type EntrySpec } from '../helpers/make-archive.js';
import { upxRefusalOf } from '../helpers/upx-messages.js';

const MODEL = 'model: LZMA via xz + UPX overhead fit';
const TOLERANCE = 0.1;

let dir = '';
let rootfs = '';
let ociStyle = '';
let legacy = '';

/** Image path → the file it is a copy of (with the mode it has in the image). */
const files = new Map<string, { host: string; mode: number }>();
/** Image path → what the real upx did with it. */
const real = new Map<string, { size: number } | { refusal: string; error: string }>();

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
}

function realUpx(path: string): { size: number } | { refusal: string; error: string } {
  const out = join(dir, 'real-upx.out');
  rmSync(out, { force: true });
  const r = spawnSync('upx', ['-q', '--best', '--lzma', '-o', out, path], { encoding: 'utf8' });
  if (r.status === 0) return { size: statSync(out).size };
  const error = `${r.stdout}${r.stderr}`.split('\n').find((l) => l.startsWith('upx:')) ?? `upx exited with ${r.status}`;
  return { refusal: upxRefusalOf(error), error };
}

before(async () => {
  for (const tool of ['upx', 'xz']) {
    const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    assert.equal(
      r.status,
      0,
      `\`${tool}\` is not installed: these tests compare the UPX model with the real upx and need both upx and xz (Debian: upx-ucl from bookworm-backports, xz-utils; .ci/run installs them)`,
    );
  }
  dir = mkdtempSync(join(tmpdir(), 'slimtui-plan-upx-'));
  const build = join(dir, 'build');
  mkdirSync(build);
  writeFileSync(join(build, 'h.c'), '#include <stdio.h>\nint main(void){ puts("hello"); return 0; }\n');
  writeFileSync(
    join(build, 't.S'),
    '.globl _start\n_start: mov $60,%eax\n xor %edi,%edi\n syscall\n.data\n.fill 1500,1,7\n',
  );
  sh('gcc', ['-O2', '-static', 'build/h.c', '-o', 'build/hello-static']);
  sh('gcc', ['-O2', 'build/h.c', '-o', 'build/hello']);
  sh('upx', ['-q', '--best', '--lzma', '-o', 'build/hello-packed', 'build/hello']);
  sh('as', ['--64', 'build/t.S', '-o', 'build/t.o']);
  sh('ld', ['-z', 'noseparate-code', '-s', 'build/t.o', '-o', 'build/tiny']);
  const tinySize = statSync(join(build, 'tiny')).size;
  assert.ok(tinySize > 512 && tinySize < 4096, `tiny is ${tinySize} bytes`);
  const lib = '/usr/lib/x86_64-linux-gnu';
  const add = (path: string, host: string, mode: number): void =>
    void files.set(path, { host: realpathSync(host), mode });
  add('usr/local/bin/ls', '/usr/bin/ls', 0o755);
  add('usr/local/bin/tar', '/usr/bin/tar', 0o755);
  add('usr/local/bin/hello-static', join(build, 'hello-static'), 0o755);
  add('usr/local/bin/tiny', join(build, 'tiny'), 0o755);
  // (An ELF program copied without its x bit under a plain name is neither run nor loaded, so slimtui does not read
  // it as ELF: see mayBeElf in src/io/elf-analyser.ts. The not-executable refusal is exercised by libz at 0644.)
  add('usr/local/bin/hello-packed', join(build, 'hello-packed'), 0o755);
  add('usr/lib/x86_64-linux-gnu/libzstd.so.1', `${lib}/libzstd.so.1`, 0o755);
  add('usr/lib/x86_64-linux-gnu/libz.so.1', `${lib}/libz.so.1`, 0o644);
  add('lib64/ld-linux-x86-64.so.2', '/lib64/ld-linux-x86-64.so.2', 0o755);

  // The rootfs, and the real upx on copies with the same modes.
  rootfs = join(dir, 'rootfs');
  for (const [path, f] of files) {
    const dest = join(rootfs, path);
    mkdirSync(join(dest, '..'), { recursive: true });
    copyFileSync(f.host, dest);
    chmodSync(dest, f.mode);
    real.set(path, realUpx(dest));
  }
  // The same files as a two-layer image: libraries and the loader in a base layer, the programs in a COPY layer.
  const entries = (pred: (p: string) => boolean): EntrySpec[] =>
    [...files].filter(([p]) => pred(p)).map(([p, f]) => ({ name: p, content: readFileSync(f.host), mode: f.mode }));
  const spec = {
    compression: 'gzip' as const,
    layers: [entries((p) => !p.startsWith('usr/local/')), entries((p) => p.startsWith('usr/local/'))],
    history: [
      { created_by: '/bin/sh -c #(nop) ADD file:0123abcd in / ' },
      { created_by: 'COPY build/ /usr/local/bin/ # buildkit' },
    ],
    repoTag: 'upx-fixture:latest',
  };
  ociStyle = join(dir, 'oci-style.tar');
  writeFileSync(ociStyle, await dockerArchiveOciStyle(spec));
  legacy = join(dir, 'legacy.tar');
  writeFileSync(legacy, await dockerArchiveLegacy({ ...spec, compression: 'none' }));
  // Sanity: the fixture exercises packing and every refusal kind we claim to match.
  const kinds = new Set([...real.values()].map((r) => ('size' in r ? 'packed' : r.refusal)));
  for (const k of ['packed', 'too-small', 'not-executable', 'already-packed', 'shared-library-unsupported'])
    assert.ok(kinds.has(k), `fixture lacks a ${k} case: ${[...kinds].join(', ')}`);
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const UPX_FLAGS = ['--upx', 'all', '--upx', '/usr/lib/**', '--upx', '/lib64/*'];

interface JsonAction {
  action: { kind: string };
  upxPacked?: { path: string; before: number; size: number; gzipSize?: number; estimatedBy?: string }[];
  upxRefusals: { path: string; reason: string; estimatedBy?: string }[];
  estimatedBy?: string[];
}

/** Checks the model's packed files and refusals against the real upx; returns the error table. */
function compare(
  packed: Map<string, { size: number; estimatedBy?: string | undefined }>,
  refused: Map<string, { reason: string; estimatedBy?: string | undefined }>,
  what: string,
): string[] {
  const lines: string[] = [];
  assert.equal(
    packed.size + refused.size,
    files.size,
    `${what}: every file is either packed or refused: ${[...packed.keys(), ...refused.keys()].join(', ')}`,
  );
  for (const [path, r] of real) {
    const p = packed.get(`/${path}`);
    const q = refused.get(`/${path}`);
    if ('size' in r) {
      assert.ok(
        p,
        `${what}: real upx packs /${path} to ${r.size} B, the plan ${q ? `refuses it: ${q.reason}` : 'does not list it'}`,
      );
      assert.equal(p.estimatedBy, MODEL, `${what}: /${path}`);
      const err = (p.size - r.size) / r.size;
      lines.push(`/${path}: predicted ${p.size}, upx ${r.size} (${(err * 100).toFixed(2)} %)`);
      assert.ok(
        Math.abs(err) <= TOLERANCE,
        `${what}: /${path} predicted ${p.size} B, real upx ${r.size} B (${(err * 100).toFixed(1)} %)`,
      );
    } else {
      assert.ok(
        q,
        `${what}: real upx refuses /${path} (${r.error}), the plan ${p ? `packs it to ${p.size} B` : 'does not list it'}`,
      );
      assert.equal(
        upxRefusalOf(q.reason),
        r.refusal,
        `${what}: /${path}: upx said ${r.error}, the plan says ${q.reason}`,
      );
      assert.equal(q.estimatedBy, MODEL, `${what}: /${path}`);
      lines.push(`/${path}: refused (${r.refusal}) by both`);
    }
  }
  return lines;
}

function fromJsonActions(actions: JsonAction[]): {
  packed: Map<string, { size: number; estimatedBy?: string | undefined }>;
  refused: Map<string, { reason: string; estimatedBy?: string | undefined }>;
} {
  const packed = new Map<string, { size: number; estimatedBy?: string | undefined }>();
  const refused = new Map<string, { reason: string; estimatedBy?: string | undefined }>();
  for (const a of actions.filter((x) => x.action.kind === 'upx')) {
    assert.deepEqual(a.estimatedBy, [MODEL]);
    for (const f of a.upxPacked ?? []) packed.set(f.path, f);
    for (const r of a.upxRefusals) refused.set(r.path, r);
  }
  return { packed, refused };
}

const CAVEAT_WORDS = [/start-up/, /RSS/, /page sharing/, /profiled or debugged/, /scanners/, /do not compress/];

test(
  'dir: rootfs --json --upx: per-file sizes within 10 % of the real upx, the same refusals, estimatedBy',
  { timeout: 300_000 },
  async () => {
    const r = await runCli([`dir:${rootfs}`, '--json', ...UPX_FLAGS], { cwd: ROOT, timeoutMs: 280_000 });
    assert.equal(r.code, 0, r.stderr);
    const plan = (
      JSON.parse(r.stdout) as {
        plan: { projection: { actions: JsonAction[]; methods: { upx: string }; upxCaveats?: string[] } };
      }
    ).plan;
    const { packed, refused } = fromJsonActions(plan.projection.actions);
    const lines = compare(packed, refused, 'dir --json');
    console.log(`UPX through the CLI (dir:) vs real upx --best --lzma:\n  ${lines.join('\n  ')}`);
    assert.match(plan.projection.methods.upx, /LZMA1 preset-9/);
    assert.equal(plan.projection.upxCaveats?.length, 4);
  },
);

test(
  'dir: rootfs --what-if --upx all: packed sizes, refusals with reasons, caveats',
  { timeout: 300_000 },
  async () => {
    const r = await runCli([`dir:${rootfs}`, '--what-if', ...UPX_FLAGS], { cwd: ROOT, timeoutMs: 280_000 });
    assert.equal(r.code, 0, r.stderr);
    for (const [path, x] of real) {
      if ('size' in x)
        assert.match(
          r.stdout,
          new RegExp(`packed /${path.replace(/\./g, '\\.')}: \\S+ \\S+ → `),
          `/${path} packed line`,
        );
      else {
        const line = r.stdout.split('\n').find((l) => l.includes(`refused /${path}:`));
        assert.ok(line, `/${path} refusal line missing:\n${r.stdout}`);
        assert.equal(upxRefusalOf(line), x.refusal, line);
      }
    }
    assert.match(r.stdout, /UPX caveats \(UPX here: −\S+ \S+ on disk, only −\S+ \S+ gzip\)/);
    for (const w of CAVEAT_WORDS) assert.match(r.stdout, w);
    assert.match(r.stdout, /UPX sizes: model: LZMA via xz \+ UPX overhead fit/);
  },
);

test(
  'docker-archive (Docker >= 25 layout): --export x.md --upx all: caveats, refusals, per-file sizes from the model',
  { timeout: 300_000 },
  async () => {
    const md = join(dir, 'fixes.md');
    const r = await runCli([ociStyle, '--export', md, ...UPX_FLAGS], { cwd: ROOT, timeoutMs: 280_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /fix list \(md, \d+ items\) written to/);
    const text = readFileSync(md, 'utf8');
    const caveats = text.slice(text.indexOf('## UPX caveats'));
    assert.ok(text.includes('## UPX caveats'), text);
    for (const w of CAVEAT_WORDS) assert.match(caveats, w);
    assert.match(caveats, /UPX here: −\S+ \S+ on disk, but only −\S+ \S+ of the pull size \(gzip\)/);
    const refusals = text.slice(text.indexOf('## UPX refusals'), text.indexOf('## UPX caveats'));
    for (const [path, x] of real) {
      if ('size' in x) {
        const item = text.split('\n').find((l) => l.startsWith('- pack ') && l.includes(`\`/${path}\``));
        assert.ok(item, `no pack item for /${path}:\n${text}`);
        assert.match(item, /upx --best --lzma/);
        assert.match(item, new RegExp(`→ \\S+ \\S+, ${MODEL.replace(/\+/g, '\\+')}\\)$`));
      } else {
        const line = refusals.split('\n').find((l) => l.startsWith(`- \`/${path}\`:`));
        assert.ok(line, `/${path} refusal missing:\n${refusals}`);
        assert.equal(upxRefusalOf(line), x.refusal, line);
      }
    }
    // The packed programs are in the COPY layer, the libraries in the base layer.
    assert.match(text, /## Layer 1: `COPY build\/ \/usr\/local\/bin\/`/);
  },
);

test(
  'docker-archive (legacy layout): --export x.json: items carry the model sizes and estimatedBy',
  { timeout: 300_000 },
  async () => {
    const out = join(dir, 'fixes.json');
    const r = await runCli([legacy, '--export', out, ...UPX_FLAGS], { cwd: ROOT, timeoutMs: 280_000 });
    assert.equal(r.code, 0, r.stderr);
    const f = JSON.parse(readFileSync(out, 'utf8')) as {
      groups: {
        items: {
          kind: string;
          paths: string[];
          estimatedBy?: string;
          upx?: { before: number; size: number; gzipSize?: number };
          bytes: number;
        }[];
      }[];
      upxRefusals: { path: string; reason: string; estimatedBy?: string }[];
      upxCaveats?: string[];
    };
    const packed = new Map<string, { size: number; estimatedBy?: string | undefined }>();
    for (const i of f.groups.flatMap((g) => g.items).filter((i) => i.kind === 'upx')) {
      assert.equal(i.paths.length, 1);
      assert.ok(i.upx, JSON.stringify(i));
      assert.equal(i.bytes, i.upx.before - i.upx.size);
      // The packed file barely compresses: its gzip size is close to its size.
      assert.ok(
        i.upx.gzipSize !== undefined && i.upx.gzipSize > 0.9 * i.upx.size && i.upx.gzipSize <= i.upx.size,
        JSON.stringify(i.upx),
      );
      packed.set(i.paths[0]!, { size: i.upx.size, estimatedBy: i.estimatedBy });
    }
    const refused = new Map(f.upxRefusals.map((x) => [x.path, x]));
    compare(packed, refused, 'legacy --export json');
    assert.equal(f.upxCaveats?.length, 4);
  },
);

test(
  'dir: --strip all --upx all: files both stripped and packed vs real strip --strip-all then upx',
  { timeout: 300_000 },
  async () => {
    const root = join(dir, 'rootfs-g');
    mkdirSync(join(root, 'app'), { recursive: true });
    writeFileSync(
      join(dir, 'build', 'r.cpp'),
      '#include <iostream>\n#include <regex>\nint main(int c, char**v){ std::regex r("a+b"); std::cout << std::regex_match(v[0], r) << "\\n"; }\n',
    );
    // Static, so it starts in this bare rootfs: `--strip all` leaves out binaries that will not start (a dynamic
    // cpp-g here would lack its loader and libstdc++), and this test is about stripping and packing together.
    sh('g++', ['-O2', '-g', '-static', 'build/r.cpp', '-o', 'rootfs-g/app/cpp-g']);
    sh('gcc', ['-O2', '-g', '-static', 'build/h.c', '-o', 'rootfs-g/app/static-g']);
    const expected = new Map<string, number>();
    for (const name of ['cpp-g', 'static-g']) {
      const stripped = join(dir, `${name}.stripped`);
      sh('strip', ['--strip-all', '-o', stripped, join(root, 'app', name)]);
      const r = realUpx(stripped);
      assert.ok('size' in r, `${name}: real upx refused the stripped file: ${'error' in r ? r.error : ''}`);
      expected.set(`/app/${name}`, r.size);
    }
    const r = await runCli([`dir:${root}`, '--json', '--strip', 'all', '--upx', 'all'], {
      cwd: ROOT,
      timeoutMs: 280_000,
    });
    assert.equal(r.code, 0, r.stderr);
    const { packed, refused } = fromJsonActions(
      (JSON.parse(r.stdout) as { plan: { projection: { actions: JsonAction[] } } }).plan.projection.actions,
    );
    assert.equal(refused.size, 0, [...refused.values()].map((x) => x.reason).join('; '));
    for (const [path, size] of expected) {
      const p = packed.get(path);
      assert.ok(p, `${path} not packed`);
      const err = (p.size - size) / size;
      console.log(`  strip + UPX ${path}: predicted ${p.size}, real strip + upx ${size} (${(err * 100).toFixed(2)} %)`);
      assert.ok(Math.abs(err) <= TOLERANCE, `${path}: predicted ${p.size} B, real ${size} B`);
    }
  },
);

test(
  'standard input cannot be read twice: UPX falls back to the rough guess and says so',
  { timeout: 120_000 },
  async () => {
    ensureBuilt();
    const child = spawn(process.execPath, [BIN, 'docker-archive:-', '--json', '--upx', 'all'], {
      cwd: ROOT,
      env: baseEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    createReadStream(ociStyle).pipe(child.stdin);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const code = await new Promise<number | null>((res) => child.on('close', res));
    assert.equal(code, 0, stderr);
    assert.match(stderr, /UPX: the source \(standard input\) cannot be read a second time/);
    const actions = (
      JSON.parse(stdout) as { plan: { projection: { actions: JsonAction[]; methods: { upx: string } } } }
    ).plan.projection.actions;
    const a = actions.find((x) => x.action.kind === 'upx')!;
    assert.deepEqual(a.estimatedBy, ['rough guess']);
    assert.ok((a.upxPacked ?? []).length > 0);
    for (const p of a.upxPacked ?? []) assert.equal(p.estimatedBy, 'rough guess');
  },
);
