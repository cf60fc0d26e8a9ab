/**
 * /etc/ld.so.cache and glibc-hwcaps against the REAL glibc loader: a rootfs built here from the host's own
 * ld.so and libc.so.6 plus test libraries built with gcc, a cache made with `ldconfig -r ROOT`, and the
 * program run with `chroot ROOT /bin/prog` (it prints which copy of the library it got). slimtui reads the
 * same directory (dir: source, ELF analyser) and must name the same copy, or say it will not start when the
 * loader refuses.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadImage } from '../../src/io/load-image.js';
import { elfAnalyser } from '../../src/io/elf-analyser.js';
import { textAnalyser } from '../../src/io/text-analyser.js';
import { hostCpuLevel } from '../../src/io/cpu-level.js';
import { analyze, type Analysis } from '../../src/model/analysis.js';
import { binaryAt, findingsFor, type CpuLevel } from '../../src/model/libc/index.js';

let dir = '';
const LIBDIR = 'lib/x86_64-linux-gnu';

function sh(cmd: string, args: string[], cwd = dir): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.error?.message ?? ''}${r.stderr}`);
  return r.stdout;
}

before(() => {
  assert.equal(process.getuid?.(), 0, 'these tests chroot: run as root (CI does)');
  dir = mkdtempSync(join(tmpdir(), 'slimtui-ldcache-'));
  writeFileSync(join(dir, 'foo.c'), 'const char *who(void){ return WHO; }\n');
  writeFileSync(
    join(dir, 'prog.c'),
    '#include <stdio.h>\nconst char *who(void);\nint main(void){ puts(who()); return 0; }\n',
  );
  // Link-time stubs: the programs need libfoo.so / libhw.so by soname; which copy runs is the loader's choice.
  mkdirSync(join(dir, 'stub'));
  for (const so of ['libfoo.so', 'libhw.so'])
    sh('gcc', ['-shared', '-fPIC', '-DWHO="stub"', '-o', `stub/${so}`, 'foo.c', `-Wl,-soname,${so}`]);
  sh('gcc', ['-o', 'prog-foo', 'prog.c', '-Lstub', '-lfoo']);
  sh('gcc', ['-o', 'prog-hw', 'prog.c', '-Lstub', '-lhw']);
  sh('gcc', ['-o', 'prog-hw-rp', 'prog.c', '-Lstub', '-lhw', '-Wl,--enable-new-dtags,-rpath,/opt/rp']);
});
after(() => rmSync(dir, { recursive: true, force: true }));

let roots = 0;
/** A fresh rootfs with the host's loader and libc, the three programs, and an /etc/ld.so.conf. */
function rootfs(conf: string): string {
  const root = join(dir, `root${roots++}`);
  for (const d of [LIBDIR, 'lib64', 'bin', 'etc/ld.so.conf.d', 'opt']) mkdirSync(join(root, d), { recursive: true });
  copyFileSync('/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', join(root, LIBDIR, 'ld-linux-x86-64.so.2'));
  copyFileSync('/lib/x86_64-linux-gnu/libc.so.6', join(root, LIBDIR, 'libc.so.6'));
  symlinkSync(`/${LIBDIR}/ld-linux-x86-64.so.2`, join(root, 'lib64/ld-linux-x86-64.so.2'));
  for (const p of ['prog-foo', 'prog-hw', 'prog-hw-rp']) copyFileSync(join(dir, p), join(root, 'bin', p));
  writeFileSync(join(root, 'etc/ld.so.conf'), 'include /etc/ld.so.conf.d/*.conf\n');
  writeFileSync(join(root, 'etc/ld.so.conf.d/test.conf'), conf);
  return root;
}

/** Builds a copy of the test library that says `who`, at `rel` inside the root. */
function lib(root: string, rel: string, so: string, who: string): void {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  sh('gcc', ['-shared', '-fPIC', `-DWHO="${who}"`, '-o', join(root, rel), 'foo.c', `-Wl,-soname,${so}`]);
}

/** The real loader's answer: the copy's word, or "not found" when it refuses to start the program. */
function realLoader(root: string, prog: string): string {
  const r = spawnSync('chroot', [root, `/bin/${prog}`], { encoding: 'utf8' });
  if (r.status === 0) return r.stdout.trim();
  assert.match(r.stderr, /error while loading shared libraries: .*cannot open shared object file/);
  return 'not found';
}

async function slimtui(root: string, cpuLevel?: CpuLevel): Promise<Analysis> {
  const image = await loadImage(
    { kind: 'dir', location: root },
    {
      analysers: [elfAnalyser, textAnalyser],
      platform: { os: 'linux', architecture: 'amd64' },
      platformExplicit: false,
    },
  );
  return analyze(image, { cpuLevel: cpuLevel ?? hostCpuLevel() });
}

/** slimtui's answer in the same terms: the word of the copy it resolved, or "not found". */
function answer(a: Analysis, prog: string, words: Record<string, string>): string {
  const b = binaryAt(a.binaries, `/bin/${prog}`)!;
  if (b.verdict!.status !== 'will start') return 'not found';
  const l = b.resolution!.libs.find((x) => x.name === 'libfoo.so' || x.name === 'libhw.so')!;
  return words[l.realPath] ?? `unexpected ${l.realPath}`;
}

const codes = (a: Analysis, prog: string): string[] => findingsFor(a.binaries, `/bin/${prog}`).map((f) => f.code);

test('cache and conf dirs agree: found through the cache (new, old and compat cache formats)', async () => {
  for (const format of ['new', 'old', 'compat']) {
    const root = rootfs('/opt/conf\n');
    lib(root, 'opt/conf/libfoo.so', 'libfoo.so', 'conf');
    sh('ldconfig', ['-c', format, '-r', root]);
    assert.equal(realLoader(root, 'prog-foo'), 'conf', format);
    const a = await slimtui(root);
    assert.equal(a.binaries.inventory.ldCache?.format, format);
    assert.equal(answer(a, 'prog-foo', { '/opt/conf/libfoo.so': 'conf' }), 'conf', format);
    assert.equal(
      binaryAt(a.binaries, '/bin/prog-foo')!.resolution!.libs.find((l) => l.name === 'libfoo.so')!.via,
      'ld.so.cache',
    );
    assert.deepEqual(
      codes(a, 'prog-foo').filter((c) => c.startsWith('ld-cache') || c === 'needs-ldconfig'),
      [],
    );
  }
});

test('a library copied into a conf dir after ldconfig: the loader does not find it, and the finding says run ldconfig', async () => {
  const root = rootfs('/opt/conf\n');
  mkdirSync(join(root, 'opt/conf'));
  sh('ldconfig', ['-r', root]);
  lib(root, 'opt/conf/libfoo.so', 'libfoo.so', 'conf');
  assert.equal(realLoader(root, 'prog-foo'), 'not found');
  const a = await slimtui(root);
  assert.equal(answer(a, 'prog-foo', {}), 'not found');
  assert.equal(binaryAt(a.binaries, '/bin/prog-foo')!.verdict!.status, 'will not start');
  const f = findingsFor(a.binaries, '/bin/prog-foo').find((x) => x.code === 'ld-cache-stale');
  assert.ok(f, codes(a, 'prog-foo').join(','));
  assert.match(
    f.evidence,
    /\/opt\/conf\/libfoo\.so is in an \/etc\/ld\.so\.conf directory but not in \/etc\/ld\.so\.cache/,
  );
  assert.match(f.fix, /run ldconfig in the same RUN/);
});

test('a directory only in the cache (ldconfig /opt/x): the loader finds it; the finding says the next ldconfig drops it', async () => {
  const root = rootfs('');
  lib(root, 'opt/x/libfoo.so', 'libfoo.so', 'x');
  sh('ldconfig', ['-r', root, '/opt/x']);
  assert.equal(realLoader(root, 'prog-foo'), 'x');
  const a = await slimtui(root);
  assert.equal(answer(a, 'prog-foo', { '/opt/x/libfoo.so': 'x' }), 'x');
  assert.equal(binaryAt(a.binaries, '/bin/prog-foo')!.verdict!.status, 'will start');
  assert.ok(codes(a, 'prog-foo').includes('ld-cache-only'));
});

test('no cache at all: the loader searches only the default dirs, so a conf-dir library is not found', async () => {
  const root = rootfs('/opt/conf\n');
  lib(root, 'opt/conf/libfoo.so', 'libfoo.so', 'conf');
  assert.equal(realLoader(root, 'prog-foo'), 'not found');
  const a = await slimtui(root);
  assert.equal(answer(a, 'prog-foo', {}), 'not found');
  assert.equal(binaryAt(a.binaries, '/bin/prog-foo')!.verdict!.status, 'will not start');
  assert.ok(codes(a, 'prog-foo').includes('needs-ldconfig'));
});

test('glibc-hwcaps: the copy the real loader runs at this CPU level, through the cache and through RUNPATH', async () => {
  const level = hostCpuLevel();
  // What ld.so itself says this CPU supports (independent of slimtui's /proc/cpuinfo reading).
  const help = sh(`/${LIBDIR}/ld-linux-x86-64.so.2`, ['--help']);
  const supported = [4, 3, 2].filter((v) => new RegExp(`x86-64-v${v} \\(supported, searched\\)`).test(help));
  assert.equal(level, supported[0] ?? 1, 'host level vs ld.so --help');
  if (level < 2) assert.fail('this CPU has no glibc-hwcaps level (x86-64-v2 or better is needed for the test)');
  const root = rootfs('');
  const words: Record<string, string> = {};
  for (const [d, w] of [
    [`usr/${LIBDIR}`, 'base'],
    [`usr/${LIBDIR}/glibc-hwcaps/x86-64-v2`, 'v2'],
    [`usr/${LIBDIR}/glibc-hwcaps/x86-64-v${level}`, `v${level}`],
    ['opt/rp', 'rp-base'],
    ['opt/rp/glibc-hwcaps/x86-64-v2', 'rp-v2'],
  ] as const) {
    lib(root, `${d}/libhw.so`, 'libhw.so', w);
    words[`/${d}/libhw.so`] = w;
  }
  sh('ldconfig', ['-r', root]);
  const viaCache = realLoader(root, 'prog-hw');
  const viaRunpath = realLoader(root, 'prog-hw-rp');
  assert.equal(viaCache, `v${level}`);
  assert.equal(viaRunpath, 'rp-v2');
  const a = await slimtui(root);
  assert.equal(answer(a, 'prog-hw', words), viaCache);
  assert.equal(answer(a, 'prog-hw-rp', words), viaRunpath);
  assert.ok(codes(a, 'prog-hw').includes('hwcaps-cpu-dependent'));
  assert.ok(codes(a, 'prog-hw-rp').includes('hwcaps-cpu-dependent'));
  // The baseline level takes the base copies; the base copies are then the used ones.
  const v1 = await slimtui(root, 1);
  assert.equal(answer(v1, 'prog-hw', words), 'base');
  assert.equal(answer(v1, 'prog-hw-rp', words), 'rp-base');
  // The CLI: --cpu-level picks the level; a bad value is one line on stderr and exit 2.
  const cli = (args: string[]) =>
    spawnSync(process.execPath, [join(process.cwd(), 'bin', 'slimtui'), ...args], {
      encoding: 'utf8',
      env: { ...process.env, CI: '' },
    });
  const j = cli(['--json', '--cpu-level', 'v1', `dir:${root}`]);
  assert.equal(j.status, 0, j.stderr);
  type Doc = {
    binaries: { files: { path: string; resolved: { name: string; realPath: string; hwcaps?: string }[] | null }[] };
  };
  const file = (JSON.parse(j.stdout) as Doc).binaries.files.find((f) => f.path === '/bin/prog-hw')!;
  assert.equal(file.resolved!.find((l) => l.name === 'libhw.so')!.realPath, `/usr/${LIBDIR}/libhw.so`);
  const j2 = cli(['--json', '--cpu-level', 'v2', `dir:${root}`]);
  assert.equal(j2.status, 0, j2.stderr);
  const file2 = (JSON.parse(j2.stdout) as Doc).binaries.files.find((f) => f.path === '/bin/prog-hw')!;
  assert.deepEqual(file2.resolved!.find((l) => l.name === 'libhw.so')!.hwcaps, 'x86-64-v2');
  const bad = cli(['--json', '--cpu-level', 'v9', `dir:${root}`]);
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.match(bad.stderr, /--cpu-level must be v1, v2, v3 or v4/);
  // Other cache formats: in ldconfig's compat form the loader finds no hwcaps names (it takes the base entry);
  // the old form has no hwcap field, and the loader takes the first entry for the name (a glibc-hwcaps one).
  for (const format of ['compat', 'old']) {
    sh('ldconfig', ['-c', format, '-r', root]);
    const judge = realLoader(root, 'prog-hw');
    const ours = await slimtui(root);
    assert.equal(ours.binaries.inventory.ldCache?.format, format);
    assert.equal(answer(ours, 'prog-hw', words), judge, format);
  }
  sh('ldconfig', ['-r', root]);
  // The copy the loader runs is not called unused.
  const unused = a.binaries.findings.filter((f) => f.code === 'unused-library').map((f) => f.path);
  assert.ok(!unused.includes(`/usr/${LIBDIR}/glibc-hwcaps/x86-64-v${level}/libhw.so`), unused.join(','));
});
