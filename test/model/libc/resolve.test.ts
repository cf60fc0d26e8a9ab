/** The loader emulation on small hand-made trees; expectations worked out from ld.so(8) and musl's dynlink.c. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binaryAt, findingsFor, globMatch, isMuslReserved, expandDst } from '../../../src/model/libc/index.js';
import { elf, exe, glibcBase, muslBase, report, MUSL_INTERP } from './fixtures.js';

const libsOf = (r: ReturnType<typeof report>, p: string) =>
  binaryAt(r, p)!.resolution!.libs.map((l) => `${l.name}=${l.realPath}@${l.via}`);

test('glibc: DT_RPATH of the executable is inherited by the libraries it loads', () => {
  const r = report([
    [
      ...glibcBase(),
      ['app/tool', 'elf', exe({ needed: ['libA.so', 'libc.so.6'], rpath: ['/opt/a'] })],
      ['opt/a/libA.so', 'elf', elf({ soname: 'libA.so', needed: ['libB.so'] })],
      ['opt/a/libB.so', 'elf', elf({ soname: 'libB.so' })],
    ],
  ]);
  assert.deepEqual(libsOf(r, '/app/tool'), [
    'libA.so=/opt/a/libA.so@rpath',
    'libc.so.6=/lib/x86_64-linux-gnu/libc.so.6@default',
    'libB.so=/opt/a/libB.so@rpath',
  ]);
  assert.equal(binaryAt(r, '/app/tool')!.verdict!.status, 'will start');
});

test('glibc: DT_RUNPATH is not inherited: libB (only in /opt/a) is missing', () => {
  const r = report([
    [
      ...glibcBase(),
      ['app/tool', 'elf', exe({ needed: ['libA.so', 'libc.so.6'], runpath: ['/opt/a'] })],
      ['opt/a/libA.so', 'elf', elf({ soname: 'libA.so', needed: ['libB.so'] })],
      ['opt/a/libB.so', 'elf', elf({ soname: 'libB.so' })],
    ],
  ]);
  const b = binaryAt(r, '/app/tool')!;
  assert.deepEqual(
    b.resolution!.missing.map((m) => [m.name, m.neededBy]),
    [['libB.so', '/opt/a/libA.so']],
  );
  assert.equal(b.verdict!.status, 'will not start');
  const f = findingsFor(r, '/app/tool').find((x) => x.code === 'library-missing')!;
  assert.equal(f.severity, 'error');
  assert.match(f.evidence, /it exists at \/opt\/a\/libB\.so, which is not on the search path/);
});

test("glibc: a library with DT_RUNPATH ignores the executable's DT_RPATH for its own needs", () => {
  const r = report([
    [
      ...glibcBase(),
      ['app/tool', 'elf', exe({ needed: ['libA.so'], rpath: ['/opt/a'] })],
      ['opt/a/libA.so', 'elf', elf({ needed: ['libB.so'], runpath: ['/opt/x'] })],
      ['opt/a/libB.so', 'elf', elf({})],
    ],
  ]);
  assert.deepEqual(
    binaryAt(r, '/app/tool')!.resolution!.missing.map((m) => m.name),
    ['libB.so'],
  );
  // An object having both: RPATH is ignored (glibc drops DT_RPATH when DT_RUNPATH is present).
  const r2 = report([
    [
      ...glibcBase(),
      ['app/tool', 'elf', exe({ needed: ['libA.so'], rpath: ['/opt/a'], runpath: ['/nowhere'] })],
      ['opt/a/libA.so', 'elf', elf({})],
    ],
  ]);
  assert.deepEqual(
    binaryAt(r2, '/app/tool')!.resolution!.missing.map((m) => m.name),
    ['libA.so'],
  );
});

test("$ORIGIN: the executable's real directory; symlinked executable and lib dir", () => {
  const r = report([
    [
      ...glibcBase(),
      ['opt/app/bin/tool', 'elf', exe({ needed: ['libapp.so.1', 'libc.so.6'], runpath: ['$ORIGIN/../lib'] })],
      ['usr/local/bin/tool', 'link', '/opt/app/bin/tool'],
      ['opt/app/lib/libapp.so.1', 'link', 'libapp.so.1.2.3'],
      [
        'opt/app/lib/libapp.so.1.2.3',
        'elf',
        elf({ soname: 'libapp.so.1', needed: ['libdep.so'], runpath: ['${ORIGIN}/private'] }),
      ],
      ['opt/app/lib/private/libdep.so', 'elf', elf({})],
    ],
  ]);
  assert.deepEqual(libsOf(r, '/opt/app/bin/tool'), [
    'libapp.so.1=/opt/app/lib/libapp.so.1.2.3@runpath',
    'libc.so.6=/lib/x86_64-linux-gnu/libc.so.6@default',
    'libdep.so=/opt/app/lib/private/libdep.so@runpath',
  ]);
  assert.equal(expandDst('$ORIGIN/x:$LIB', { origin: '/o', lib: 'lib64' }, false), '/o/x:lib64');
  assert.equal(expandDst('/p/$PLATFORM', { origin: '/o' }, false), undefined);
  assert.equal(expandDst('/p/$LIB', { origin: '/o', lib: 'lib64' }, true), '/p/$LIB');
});

test('symlinks: relative and absolute targets, a symlinked /lib, loops capped', () => {
  const r = report([
    [
      ...glibcBase(),
      ['usr/lib/x86_64-linux-gnu/libz.so.1.2.13', 'elf', elf({ soname: 'libz.so.1' })],
      ['usr/lib/x86_64-linux-gnu/libz.so.1', 'link', 'libz.so.1.2.13'],
      ['usr/lib/libloop.so', 'link', '/usr/lib/libloop2.so'],
      ['usr/lib/libloop2.so', 'link', 'libloop.so'],
      ['bin/tool', 'elf', exe({ needed: ['libz.so.1', 'libloop.so', 'libc.so.6'] })],
    ],
  ]);
  const b = binaryAt(r, '/bin/tool')!;
  assert.deepEqual(
    b.resolution!.libs.map((l) => [l.name, l.path, l.realPath]),
    [
      ['libz.so.1', '/usr/lib/x86_64-linux-gnu/libz.so.1', '/usr/lib/x86_64-linux-gnu/libz.so.1.2.13'],
      ['libc.so.6', '/lib/x86_64-linux-gnu/libc.so.6', '/lib/x86_64-linux-gnu/libc.so.6'],
    ],
  );
  assert.deepEqual(
    b.resolution!.missing.map((m) => m.name),
    ['libloop.so'],
  );
  // A merged-/usr image: /lib is a symlink to usr/lib; the library is found under /lib and lives in usr/lib.
  const r2 = report([
    [
      ['lib', 'link', 'usr/lib'],
      [
        'usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
        'elf',
        elf({ soname: 'ld-linux-x86-64.so.2', versionDefs: ['GLIBC_2.2.5'] }),
      ],
      ['lib64/ld-linux-x86-64.so.2', 'link', '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'],
      ['usr/lib/x86_64-linux-gnu/libm.so.6', 'elf', elf({})],
      ['bin/tool', 'elf', exe({ needed: ['libm.so.6'] })],
    ],
  ]);
  assert.deepEqual(
    binaryAt(r2, '/bin/tool')!.resolution!.libs.map((l) => [l.path, l.realPath]),
    [['/lib/x86_64-linux-gnu/libm.so.6', '/usr/lib/x86_64-linux-gnu/libm.so.6']],
  );
  assert.deepEqual(
    binaryAt(r2, '/bin/tool')!.resolution!.interpreter!.found!.realPath,
    '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
  );
});

test('glibc skips a candidate of the wrong class; musl stops at it', () => {
  const lib32 = elf({ class: 32, machine: 3, machineName: 'i386' });
  const r = report([
    [
      ...glibcBase(),
      ['lib/x86_64-linux-gnu/libq.so', 'elf', lib32],
      ['usr/lib/libq.so', 'elf', elf({})],
      ['bin/tool', 'elf', exe({ needed: ['libq.so', 'libc.so.6'] })],
    ],
  ]);
  assert.deepEqual(libsOf(r, '/bin/tool'), [
    'libq.so=/usr/lib/libq.so@default',
    'libc.so.6=/lib/x86_64-linux-gnu/libc.so.6@default',
  ]);
  const m = report([
    [
      ...muslBase(),
      ['lib/libq.so', 'elf', lib32],
      ['usr/lib/libq.so', 'elf', elf({})],
      ['bin/tool', 'elf', exe({ interpreter: MUSL_INTERP, needed: ['libq.so', 'libc.musl-x86_64.so.1'] })],
    ],
  ]);
  const b = binaryAt(m, '/bin/tool')!;
  assert.equal(b.resolution!.flavour, 'musl');
  assert.deepEqual(
    b.resolution!.missing.map((x) => x.name),
    ['libq.so'],
  );
  assert.match(b.resolution!.missing[0]!.reason, /32-bit/);
});

test('musl: reserved names are musl itself; path file replaces the default dirs', () => {
  assert.ok(isMuslReserved('libc.so.6'));
  assert.ok(isMuslReserved('libpthread.so.0'));
  assert.ok(isMuslReserved('libm.so'));
  assert.ok(isMuslReserved('libc.musl-x86_64.so.1'));
  assert.ok(!isMuslReserved('libcrypto.so.3'));
  assert.ok(!isMuslReserved('libmagic.so.1'));
  const layers = [
    ...muslBase(),
    ['usr/lib/libcrypto.so.3', 'elf', elf({})],
    [
      'bin/tool',
      'elf',
      exe({ interpreter: MUSL_INTERP, needed: ['libcrypto.so.3', 'libc.musl-x86_64.so.1', 'libpthread.so.0'] }),
    ],
  ] as Parameters<typeof report>[0][0];
  const r = report([layers]);
  assert.deepEqual(libsOf(r, '/bin/tool'), [
    'libcrypto.so.3=/usr/lib/libcrypto.so.3@musl-path',
    'libc.musl-x86_64.so.1=/lib/ld-musl-x86_64.so.1@musl-self',
    'libpthread.so.0=/lib/ld-musl-x86_64.so.1@musl-self',
  ]);
  assert.equal(binaryAt(r, '/bin/tool')!.verdict!.status, 'will start');
  // With /etc/ld-musl-x86_64.path naming only /opt/lib, /usr/lib is no longer searched.
  const r2 = report([[...layers, ['etc/ld-musl-x86_64.path', 'text', '/opt/lib\n']]]);
  const b = binaryAt(r2, '/bin/tool')!;
  assert.deepEqual(
    b.resolution!.missing.map((m) => [m.name, m.searched]),
    [['libcrypto.so.3', ['/opt/lib']]],
  );
  assert.deepEqual(r2.inventory.muslPathFiles, [{ path: '/etc/ld-musl-x86_64.path', dirs: ['/opt/lib'] }]);
  // LD_LIBRARY_PATH from the config comes first.
  const r3 = report([[...layers, ['opt/l/libcrypto.so.3', 'elf', elf({})]]], ['LD_LIBRARY_PATH=/opt/l']);
  assert.equal(binaryAt(r3, '/bin/tool')!.resolution!.libs[0]!.realPath, '/opt/l/libcrypto.so.3');
  assert.equal(r.inventory.musl[0]!.version, '1.2.4');
  assert.equal(r.inventory.musl[0]!.path, '/lib/ld-musl-x86_64.so.1');
});

test('ld.so.conf with include globs; without ld.so.cache the loader never reads the conf dirs: will not start', () => {
  const layers = [
    ...glibcBase(),
    ['etc/ld.so.conf', 'text', '# comment\ninclude /etc/ld.so.conf.d/*.conf\n/opt/first\n'],
    ['etc/ld.so.conf.d/b.conf', 'text', '/opt/b\n'],
    ['etc/ld.so.conf.d/a.conf', 'text', 'include extra/*.conf\n/opt/a\n'],
    ['etc/ld.so.conf.d/extra/x.conf', 'text', '/opt/x'],
    ['etc/ld.so.conf.d/skip.txt', 'text', '/opt/skip'],
    ['opt/b/libonly.so', 'elf', elf({})],
    ['bin/tool', 'elf', exe({ needed: ['libonly.so', 'libc.so.6'] })],
  ] as Parameters<typeof report>[0][0];
  const r = report([layers]);
  assert.deepEqual(r.inventory.ldSoConf.dirs, ['/opt/x', '/opt/a', '/opt/b', '/opt/first']);
  assert.equal(libsOf(r, '/bin/tool')[0], 'libonly.so=/opt/b/libonly.so@ld.so.conf');
  assert.equal(binaryAt(r, '/bin/tool')!.verdict!.status, 'will not start');
  assert.ok(findingsFor(r, '/bin/tool').some((f) => f.code === 'needs-ldconfig'));
  const r2 = report([[...layers, ['etc/ld.so.cache', 'file']]]);
  assert.equal(binaryAt(r2, '/bin/tool')!.verdict!.status, 'will start');
  assert.ok(
    globMatch('*.conf', 'a.conf') &&
      !globMatch('*.conf', 'a.txt') &&
      globMatch('[ab].conf', 'b.conf') &&
      !globMatch('*.conf', '.hidden.conf'),
  );
});

test("GLIBC version newer than the image's glibc: will not start, both versions named", () => {
  const r = report([
    [
      ...glibcBase(['2.2.5', '2.17', '2.31']),
      [
        'bin/new',
        'elf',
        exe({
          needed: ['libc.so.6'],
          versionNeeds: [{ file: 'libc.so.6', versions: ['GLIBC_2.2.5', 'GLIBC_2.34'] }],
          minGlibc: '2.34',
        }),
      ],
      [
        'bin/old',
        'elf',
        exe({
          needed: ['libc.so.6'],
          versionNeeds: [{ file: 'libc.so.6', versions: ['GLIBC_2.17'] }],
          minGlibc: '2.17',
        }),
      ],
    ],
  ]);
  assert.equal(r.inventory.glibc[0]!.version, '2.31');
  const nb = binaryAt(r, '/bin/new')!;
  assert.deepEqual(nb.verdict, {
    status: 'will not start',
    reason: "version `GLIBC_2.34' not found (required by /bin/new)",
  });
  const f = findingsFor(r, '/bin/new').find((x) => x.code === 'version-missing')!;
  assert.match(f.evidence, /image's glibc is 2\.31, the binary needs 2\.34/);
  assert.equal(binaryAt(r, '/bin/old')!.verdict!.status, 'will start');
});

test('interpreter missing: glibc binary in a musl-only image, and the reverse', () => {
  const r = report([[...muslBase(), ['bin/g', 'elf', exe({ needed: ['libc.so.6'] })]]]);
  const f = findingsFor(r, '/bin/g');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.code, 'interpreter-missing');
  assert.match(f[0]!.evidence, /^glibc binary in a musl-only image/);
  assert.equal(binaryAt(r, '/bin/g')!.verdict!.status, 'will not start');
  const r2 = report([
    [...glibcBase(), ['bin/m', 'elf', exe({ interpreter: MUSL_INTERP, needed: ['libc.musl-x86_64.so.1'] })]],
  ]);
  assert.match(findingsFor(r2, '/bin/m')[0]!.evidence, /^musl binary in a glibc-only image/);
});

test('layer of a resolved library is the layer of its live version; wrong architecture; unused libraries', () => {
  const r = report([
    [...glibcBase(), ['usr/lib/libv.so', 'elf', elf({})], ['usr/lib/libunused.so', 'elf', elf({})]],
    [
      ['usr/lib/libv.so', 'elf', elf({})],
      ['bin/tool', 'elf', exe({ needed: ['libv.so', 'libc.so.6'] })],
      ['bin/arm', 'elf', elf({ kind: 'static', type: 'exec', machine: 183, machineName: 'aarch64' })],
    ],
  ]);
  assert.equal(binaryAt(r, '/bin/tool')!.resolution!.libs[0]!.layer, 1);
  assert.equal(binaryAt(r, '/bin/tool')!.resolution!.libs[1]!.layer, 0);
  assert.equal(binaryAt(r, '/bin/arm')!.verdict!.status, 'will not start');
  assert.equal(findingsFor(r, '/bin/arm')[0]!.code, 'wrong-architecture');
  const unused = r.findings.filter((f) => f.code === 'unused-library').map((f) => f.path);
  assert.deepEqual(unused, ['/usr/lib/libunused.so']);
});
