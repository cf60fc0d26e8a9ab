/**
 * Legacy hwcaps subdirectories (tls/, x86_64/, tls/x86_64/, …) against the REAL loader: Debian bookworm's glibc
 * 2.36 (the host's ld.so and libc.so.6 copied into a rootfs, run with chroot; test/helpers/loader-root.ts). The
 * loader's own LD_DEBUG=libs search path is the judge of which subdirectories are tried and in what order, and
 * the copy it runs (each copy prints its directory) is the judge of every placement: no cache, an ldconfig'd
 * cache, RUNPATH, RPATH, a conf dir only the cache knows. slimtui reads the same directory (dir: source) and must
 * name the same copy or say it will not start. For glibc ≥ 2.37 (no such loader here) the expectation is the
 * glibc 2.37 NEWS: these subdirectories are not searched; the image's glibc version is what decides.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadImage } from '../../src/io/load-image.js';
import { elfAnalyser } from '../../src/io/elf-analyser.js';
import { textAnalyser } from '../../src/io/text-analyser.js';
import { hostCpuLevel, hostCpuVendor } from '../../src/io/cpu-level.js';
import { analyze, type Analysis } from '../../src/model/analysis.js';
import { binaryAt, findingsFor } from '../../src/model/libc/index.js';
import { HASWELL_LABEL, legacySubdirs, type CpuLevel, type CpuVendor } from '../../src/model/libc/hwcaps.js';
import { LIBDIR, buildPrograms, libAt, makeRoot, realLoader, realSearchPath, sh } from '../helpers/loader-root.js';

let dir = '';
let roots = 0;
before(() => {
  assert.equal(process.getuid?.(), 0, 'these tests chroot: run as root (CI does)');
  dir = mkdtempSync(join(tmpdir(), 'slimtui-legacy-hwcaps-'));
  buildPrograms(dir);
  // The judge must be a glibc that still has legacy hwcaps; the platform it names is the one the model picks
  // for this CPU (Intel with x86-64-v3: "haswell"; otherwise the kernel's "x86_64").
  const help = sh(`/${LIBDIR}/ld-linux-x86-64.so.2`, ['--help'], dir);
  assert.match(help, /Legacy HWCAP subdirectories under library search path directories:/, 'a glibc < 2.37 loader');
  const platform = /^\s+(\S+) \(AT_PLATFORM; supported, searched\)$/m.exec(help)?.[1];
  assert.equal(platform, hostCpuVendor() === 'intel' && hostCpuLevel() >= 3 ? 'haswell' : 'x86_64', help);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const root = (conf = ''): string => makeRoot(dir, `root${roots++}`, conf);

async function slimtui(r: string, cpuVendor?: CpuVendor, cpuLevel?: CpuLevel): Promise<Analysis> {
  const image = await loadImage(
    { kind: 'dir', location: r },
    {
      analysers: [elfAnalyser, textAnalyser],
      platform: { os: 'linux', architecture: 'amd64' },
      platformExplicit: false,
    },
  );
  return analyze(image, { cpuLevel: cpuLevel ?? hostCpuLevel(), cpuVendor: cpuVendor ?? hostCpuVendor() });
}

/** slimtui's answer in the loader's terms: the directory of the libfoo.so copy it resolved, or "not found". */
function answer(a: Analysis, prog: string): string {
  const b = binaryAt(a.binaries, `/bin/${prog}`)!;
  if (b.verdict!.status !== 'will start') return 'not found';
  const l = b.resolution!.libs.find((x) => x.name === 'libfoo.so')!;
  return l.realPath.replace(/^\//, '').replace(/\/libfoo\.so$/, '');
}

test('the subdirectories the real loader tries under each directory are the ones slimtui models, in order', () => {
  const r = root();
  libAt(dir, r, 'opt/rp');
  for (const prog of ['prog', 'prog-runpath']) {
    const path = realSearchPath(r, prog);
    const base = prog === 'prog' ? `/usr/${LIBDIR}` : '/opt/rp';
    const under = path
      .filter((d) => d.startsWith(`${base}/`) && !d.includes('/glibc-hwcaps/'))
      .map((d) => d.slice(base.length + 1));
    // The loader lists x86_64 twice (AT_PLATFORM and the hwcap have the same name); once is enough to model.
    assert.deepEqual(
      [...new Set(under)],
      legacySubdirs(62, 64, hostCpuVendor(), hostCpuLevel()),
      `${prog}: ${path.join(':')}`,
    );
    // …and they come after the glibc-hwcaps ones and before the directory itself.
    const i = path.indexOf(base);
    assert.ok(i > 0, path.join(':'));
    assert.equal(path[i - 1], `${base}/x86_64`);
    const firstLegacy = path.findIndex((d) => d.startsWith(`${base}/tls/`));
    assert.ok(path.slice(0, firstLegacy).some((d) => d.startsWith(`${base}/glibc-hwcaps/`)) || hostCpuLevel() === 1);
  }
});

test('a library only in a legacy subdirectory: found or not exactly as the real loader finds it (no cache, cache)', async () => {
  const placements = [
    `usr/${LIBDIR}/tls`,
    `usr/${LIBDIR}/x86_64`,
    `usr/${LIBDIR}/tls/x86_64`,
    `usr/${LIBDIR}/x86_64/x86_64`,
    `usr/${LIBDIR}/tls/x86_64/x86_64`,
    // Not searched here: AT_PLATFORM is x86_64, not haswell; and i686/sse2 are not x86-64 names.
    `usr/${LIBDIR}/haswell/x86_64`,
    `usr/${LIBDIR}/haswell`,
    `usr/${LIBDIR}/i686`,
  ];
  const seen = new Set<string>();
  for (const where of placements)
    for (const cache of [false, true]) {
      const r = root();
      libAt(dir, r, where);
      if (cache) sh('ldconfig', ['-r', r], dir);
      const judge = realLoader(r, 'prog');
      seen.add(judge);
      const a = await slimtui(r);
      assert.equal(answer(a, 'prog'), judge, `${where}${cache ? ' (ldconfig)' : ''}`);
    }
  // The judge said both: the fixture covers found and not found.
  assert.ok(seen.has('not found') && seen.has(`usr/${LIBDIR}/tls`), [...seen].join(','));
});

test('RUNPATH and RPATH directories get the legacy subdirectories too', async () => {
  for (const where of ['opt/rp/tls', 'opt/rp/x86_64', 'opt/rp/haswell'])
    for (const prog of ['prog-runpath', 'prog-rpath']) {
      const r = root();
      libAt(dir, r, where);
      const judge = realLoader(r, prog);
      assert.equal(answer(await slimtui(r), prog), judge, `${where} via ${prog}`);
    }
});

test('precedence: glibc-hwcaps before tls/, tls/ before x86_64/, x86_64/ before the directory itself', async () => {
  const cases: string[][] = [
    [`usr/${LIBDIR}/tls`, `usr/${LIBDIR}`],
    [`usr/${LIBDIR}/x86_64`, `usr/${LIBDIR}/tls`, `usr/${LIBDIR}`],
    [`usr/${LIBDIR}/x86_64`, `usr/${LIBDIR}`],
    ...(hostCpuLevel() >= 2 ? [[`usr/${LIBDIR}/glibc-hwcaps/x86-64-v2`, `usr/${LIBDIR}/tls`, `usr/${LIBDIR}`]] : []),
  ];
  for (const copies of cases)
    for (const cache of [false, true]) {
      const r = root();
      for (const c of copies) libAt(dir, r, c);
      if (cache) sh('ldconfig', ['-r', r], dir);
      const judge = realLoader(r, 'prog');
      assert.notEqual(judge, 'not found');
      const a = await slimtui(r);
      const what = `${copies.join(' + ')}${cache ? ' (ldconfig)' : ''}`;
      assert.equal(answer(a, 'prog'), judge, what);
      // tls/ and x86_64/ are searched on every x86-64 CPU: only a glibc-hwcaps copy makes the choice CPU-dependent.
      const cpuDependent = binaryAt(a.binaries, '/bin/prog')!.resolution!.hwcaps.some((h) => h.name === 'libfoo.so');
      assert.equal(
        cpuDependent,
        copies.some((c) => c.includes('glibc-hwcaps')),
        what,
      );
    }
});

test('copies in haswell/ and the base dir: slimtui takes what the real loader takes, and says the choice depends on the CPU', async () => {
  const intelAvx2 = hostCpuVendor() === 'intel' && hostCpuLevel() >= 3;
  for (const cache of [false, true]) {
    const r = root();
    for (const c of [`usr/${LIBDIR}/haswell`, `usr/${LIBDIR}`]) libAt(dir, r, c);
    if (cache) sh('ldconfig', ['-r', r], dir);
    const what = cache ? 'ldconfig' : 'no cache';
    const judge = realLoader(r, 'prog');
    assert.equal(judge, intelAvx2 ? `usr/${LIBDIR}/haswell` : `usr/${LIBDIR}`, what);
    const a = await slimtui(r);
    assert.equal(answer(a, 'prog'), judge, what);
    const f = findingsFor(a.binaries, '/bin/prog').find((x) => x.code === 'hwcaps-cpu-dependent');
    assert.ok(f, what);
    if (!intelAvx2) {
      assert.deepEqual(
        binaryAt(a.binaries, '/bin/prog')!.resolution!.hwcaps.find((h) => h.name === 'libfoo.so')?.copies,
        [
          [HASWELL_LABEL, `/usr/${LIBDIR}/haswell/libfoo.so`],
          ['base', `/usr/${LIBDIR}/libfoo.so`],
        ],
        what,
      );
      assert.match(f.evidence, /haswell \(Intel AVX2\): \/usr\/lib\/x86_64-linux-gnu\/haswell\/libfoo\.so/);
    }
    // The other side (no Intel judge here; glibc's sysdeps/x86/cpu-features.c makes AT_PLATFORM "haswell" on an
    // Intel x86-64-v3 CPU, and the power set order is the one checked against the real loader above): the
    // haswell/ copy, and the base one named as what other CPUs take.
    const intel = await slimtui(r, 'intel', 3);
    assert.equal(answer(intel, 'prog'), `usr/${LIBDIR}/haswell`, what);
    const choice = binaryAt(intel.binaries, '/bin/prog')!.resolution!.hwcaps.find((h) => h.name === 'libfoo.so');
    assert.deepEqual(
      choice?.copies.map(([, p]) => p),
      [`/usr/${LIBDIR}/libfoo.so`, `/usr/${LIBDIR}/haswell/libfoo.so`],
      what,
    );
    // An Intel CPU below v3 has no "haswell" platform: the base copy.
    assert.equal(answer(await slimtui(r, 'intel', 2), 'prog'), `usr/${LIBDIR}`, what);
  }
});

test('tls/ outranks haswell/ on every CPU: no CPU-dependent choice between them', async () => {
  const r = root();
  for (const c of [`usr/${LIBDIR}/haswell`, `usr/${LIBDIR}/tls`, `usr/${LIBDIR}`]) libAt(dir, r, c);
  assert.equal(realLoader(r, 'prog'), `usr/${LIBDIR}/tls`);
  for (const [vendor, level] of [
    ['other', 1],
    ['other', 3],
    ['intel', 3],
    ['intel', 4],
  ] as const) {
    const a = await slimtui(r, vendor, level);
    assert.equal(answer(a, 'prog'), `usr/${LIBDIR}/tls`, `${vendor} v${level}`);
    assert.ok(!binaryAt(a.binaries, '/bin/prog')!.resolution!.hwcaps.some((h) => h.name === 'libfoo.so'));
  }
});

test('a conf dir whose library is only in its tls/ subdirectory: the cache entry (legacy hwcap bit) is taken', async () => {
  const r = root('/opt/conf\n');
  libAt(dir, r, 'opt/conf/tls');
  sh('ldconfig', ['-r', r], dir);
  // ldconfig itself lists the entry with a hwcap mask (bit 63, "tls").
  assert.match(
    spawnSync('ldconfig', ['-p', '-C', join(r, 'etc/ld.so.cache')], { encoding: 'utf8' }).stdout,
    /libfoo\.so \(libc6,x86-64, hwcap: 0x8000000000000000\) => \/opt\/conf\/tls\/libfoo\.so/,
  );
  const judge = realLoader(r, 'prog');
  assert.equal(judge, 'opt/conf/tls');
  const a = await slimtui(r);
  assert.equal(answer(a, 'prog'), judge);
  const lib = binaryAt(a.binaries, '/bin/prog')!.resolution!.libs.find((l) => l.name === 'libfoo.so')!;
  assert.equal(lib.via, 'ld.so.cache');
  // The entry's directory is a subdirectory of a conf dir: not a cache-only directory.
  assert.ok(!binaryAt(a.binaries, '/bin/prog')!.resolution!.cacheOnly.some((c) => c.name === 'libfoo.so'));
});

test('glibc ≥ 2.37 (glibc 2.37 NEWS): the same layout, with a libc.so.6 that defines GLIBC_2.37, finds nothing in tls/', async () => {
  const r = root();
  libAt(dir, r, `usr/${LIBDIR}/tls`);
  // A stand-in libc.so.6 whose version nodes say 2.37 (it is never run: the real 2.36 loader is not the judge here).
  writeFileSync(
    join(dir, 'libc237.map'),
    'GLIBC_2.2.5 { global: a; local: *; };\nGLIBC_2.37 { global: b; } GLIBC_2.2.5;\n',
  );
  writeFileSync(join(dir, 'libc237.c'), 'int a(void){return 1;} int b(void){return 2;}\n');
  sh(
    'gcc',
    [
      '-shared',
      '-fPIC',
      '-o',
      join(r, LIBDIR, 'libc.so.6'),
      'libc237.c',
      '-Wl,-soname,libc.so.6',
      '-Wl,--version-script=libc237.map',
    ],
    dir,
  );
  const a = await slimtui(r);
  assert.deepEqual(
    a.binaries.inventory.glibc.map((g) => g.version),
    ['2.37'],
  );
  assert.equal(answer(a, 'prog'), 'not found');
  // The 2.36 libc back: the same tls/ copy is found (as the real 2.36 loader found it above).
  const r36 = root();
  libAt(dir, r36, `usr/${LIBDIR}/tls`);
  assert.equal(realLoader(r36, 'prog'), `usr/${LIBDIR}/tls`);
  assert.equal(answer(await slimtui(r36), 'prog'), `usr/${LIBDIR}/tls`);
});
