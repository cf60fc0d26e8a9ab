/**
 * Real binaries built here (gcc, gcc -static, -static-pie, musl-gcc, 32-bit, go build variants), read by
 * parseElf and checked against readelf / `go version -m` / what the build flags must produce.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesSource, parseElf, type ElfInfo } from '../../../src/model/elf/index.js';
import { goVersionM, readelfFile, readelfSectionSizes } from '../../helpers/readelf.js';
import { goTestEnv, needTool } from './tool-env.js';

let dir = '';

function sh(cmd: string, args: string[], env: Record<string, string> = {}, sub = ''): { ok: boolean; err: string } {
  const r = spawnSync(cmd, args, { cwd: join(dir, sub), encoding: 'utf8', env: { ...process.env, ...env } });
  return { ok: r.status === 0, err: `${r.error?.message ?? ''}${r.stderr ?? ''}` };
}

function mustBuild(cmd: string, args: string[], env: Record<string, string> = {}, sub = ''): void {
  const r = sh(cmd, args, env, sub);
  assert.ok(r.ok, `${cmd} ${args.join(' ')} failed: ${r.err}`);
}

function parse(name: string): ElfInfo {
  const r = parseElf(bytesSource(readFileSync(join(dir, name))));
  assert.ok(r.ok, r.ok ? '' : r.malformed);
  return r.elf;
}

/** Compares the readelf-visible facts of a built file. */
function agreesWithReadelf(name: string, elf: ElfInfo): void {
  const re = readelfFile(join(dir, name));
  assert.equal(elf.type, re.type);
  assert.equal(elf.interpreter, re.interpreter);
  assert.deepEqual(elf.needed, re.needed);
  assert.equal(elf.soname, re.soname);
  assert.deepEqual(elf.rpath, re.rpath);
  assert.deepEqual(elf.runpath, re.runpath);
  assert.deepEqual(elf.versionNeeds, re.versionNeeds);
  assert.deepEqual(elf.versionDefs, re.versionDefs);
}

/** symbolBytes / debugBytes recomputed from `readelf -S`. */
function agreesWithSectionSizes(name: string, elf: ElfInfo): void {
  const secs = readelfSectionSizes(join(dir, name));
  let sym = 0;
  let dbg = 0;
  for (const [n, s] of secs) {
    if (s.type === 'NOBITS') continue;
    if (n === '.symtab' || n === '.strtab') sym += s.size;
    if (n.startsWith('.debug_') || n.startsWith('.zdebug_')) dbg += s.size;
  }
  assert.equal(elf.symbolBytes, sym, 'symbolBytes vs readelf -S');
  assert.equal(elf.debugBytes, dbg, 'debugBytes vs readelf -S');
}

const HELLO =
  '#include <stdio.h>\n__thread int tls_counter;\nint main(void){ tls_counter++; puts("hello"); return tls_counter - 1; }\n';
const LIB = 'int foo(void){ return 42; }\nint bar(void){ return 7; }\n';
const USE = 'int foo(void);\nint main(void){ return foo() - 42; }\n';
const VERSCRIPT = 'FOO_1.0 { global: foo; local: *; };\nFOO_2.0 { global: bar; } FOO_1.0;\n';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'slimtui-elf-'));
  writeFileSync(join(dir, 'hello.c'), HELLO);
  writeFileSync(join(dir, 'lib.c'), LIB);
  writeFileSync(join(dir, 'use.c'), USE);
  writeFileSync(join(dir, 'lib.map'), VERSCRIPT);
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('gcc is present (required)', () => {
  const r = spawnSync('gcc', ['--version'], { encoding: 'utf8' });
  assert.equal(r.status, 0, 'gcc is required for these tests');
});

test('gcc dynamic PIE: dynamic-exec, glibc interpreter, minGlibc, TLS', () => {
  mustBuild('gcc', ['-O2', 'hello.c', '-o', 'dyn']);
  const e = parse('dyn');
  agreesWithReadelf('dyn', e);
  assert.equal(e.kind, 'dynamic-exec');
  assert.equal(e.type, 'dyn');
  assert.ok((e.flags1 & 0x08000000) !== 0, 'DF_1_PIE');
  assert.equal(e.interpreter, '/lib64/ld-linux-x86-64.so.2');
  assert.deepEqual(e.needed, ['libc.so.6']);
  assert.equal(e.hasTls, true);
  assert.equal(e.hasGnuStackExec, false);
  // minGlibc: the highest GLIBC_ name readelf lists, compared numerically here.
  const names = readelfFile(join(dir, 'dyn'))
    .versionNeeds.flatMap((n) => n.versions)
    .filter((v) => /^GLIBC_\d/.test(v));
  const best = names
    .map((v) => v.slice(6))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .at(-1);
  assert.equal(e.minGlibc, best);
  assert.equal(e.class, 64);
  assert.equal(e.endian, 'le');
  assert.equal(e.machineName, 'x86-64');
});

test('gcc -no-pie: ET_EXEC dynamic-exec', () => {
  mustBuild('gcc', ['-O2', '-no-pie', 'hello.c', '-o', 'nopie']);
  const e = parse('nopie');
  agreesWithReadelf('nopie', e);
  assert.equal(e.type, 'exec');
  assert.equal(e.kind, 'dynamic-exec');
});

test('gcc -static: static, no interpreter, no dynamic', () => {
  mustBuild('gcc', ['-O2', '-static', 'hello.c', '-o', 'static']);
  const e = parse('static');
  agreesWithReadelf('static', e);
  assert.equal(e.kind, 'static');
  assert.equal(e.interpreter, undefined);
  assert.deepEqual(e.needed, []);
});

test('gcc -static-pie: static-pie', () => {
  mustBuild('gcc', ['-O2', '-static-pie', 'hello.c', '-o', 'spie']);
  const e = parse('spie');
  agreesWithReadelf('spie', e);
  assert.equal(e.type, 'dyn');
  assert.equal(e.kind, 'static-pie');
  assert.equal(e.interpreter, undefined);
});

test('shared library with soname and version definitions; exe with $ORIGIN rpath / runpath', () => {
  mustBuild('gcc', [
    '-O2',
    '-shared',
    '-fPIC',
    'lib.c',
    '-o',
    'libfoo.so',
    '-Wl,-soname,libfoo.so.1',
    '-Wl,--version-script,lib.map',
  ]);
  const lib = parse('libfoo.so');
  agreesWithReadelf('libfoo.so', lib);
  assert.equal(lib.kind, 'shared-lib');
  assert.equal(lib.soname, 'libfoo.so.1');
  assert.deepEqual(lib.versionDefs, ['FOO_1.0', 'FOO_2.0']);

  mustBuild('gcc', [
    'use.c',
    '-o',
    'use-rpath',
    '-L.',
    '-lfoo',
    '-Wl,-rpath,$ORIGIN/../lib:/opt/x',
    '-Wl,--disable-new-dtags',
  ]);
  const a = parse('use-rpath');
  agreesWithReadelf('use-rpath', a);
  assert.deepEqual(a.rpath, ['$ORIGIN/../lib', '/opt/x']);
  assert.deepEqual(a.runpath, []);
  assert.ok(a.needed.includes('libfoo.so.1'));
  assert.deepEqual(a.versionNeeds.find((n) => n.file === 'libfoo.so.1')?.versions, ['FOO_1.0']);

  mustBuild('gcc', [
    'use.c',
    '-o',
    'use-runpath',
    '-L.',
    '-lfoo',
    '-Wl,-rpath,$ORIGIN/../lib',
    '-Wl,--enable-new-dtags',
  ]);
  const b = parse('use-runpath');
  agreesWithReadelf('use-runpath', b);
  assert.deepEqual(b.runpath, ['$ORIGIN/../lib']);
  assert.deepEqual(b.rpath, []);
});

test('gcc -g: symbol and debug sizes match readelf -S; strip clears them', () => {
  mustBuild('gcc', ['-O2', '-g', 'hello.c', '-o', 'debug']);
  const e = parse('debug');
  agreesWithSectionSizes('debug', e);
  assert.ok(e.debugBytes > 0 && e.symbolBytes > 0);
  assert.equal(e.stripped, false);
  copyFileSync(join(dir, 'debug'), join(dir, 'stripped'));
  mustBuild('strip', ['--strip-all', 'stripped']);
  const s = parse('stripped');
  agreesWithSectionSizes('stripped', s);
  assert.equal(s.stripped, true);
  assert.equal(s.symbolBytes, 0);
  assert.equal(s.debugBytes, 0);
  mustBuild('strip', ['--strip-debug', '-o', 'nodebug', 'debug']);
  const n = parse('nodebug');
  agreesWithSectionSizes('nodebug', n);
  assert.equal(n.debugBytes, 0);
  assert.equal(n.stripped, false);
});

test('musl-gcc dynamic and static', (t) => {
  if (!needTool(t, sh('musl-gcc', ['--version']).ok, 'musl-gcc', 'apt-get install musl-tools')) return;
  mustBuild('musl-gcc', ['-O2', 'hello.c', '-o', 'musl-dyn']);
  const d = parse('musl-dyn');
  agreesWithReadelf('musl-dyn', d);
  assert.equal(d.kind, 'dynamic-exec');
  assert.equal(d.interpreter, '/lib/ld-musl-x86_64.so.1');
  assert.deepEqual(d.needed, ['libc.so']);
  assert.equal(d.minGlibc, undefined);
  mustBuild('musl-gcc', ['-O2', '-static', 'hello.c', '-o', 'musl-static']);
  const s = parse('musl-static');
  agreesWithReadelf('musl-static', s);
  assert.equal(s.kind, 'static');
});

test('32-bit (i386): a 32-bit shared object via ld -m elf_i386, and a gcc -m32 program (gcc-multilib)', (t) => {
  // The 32-bit object + ld path needs no 32-bit libc, so it always runs.
  mustBuild('gcc', ['-m32', '-fPIC', '-c', 'lib.c', '-o', 'lib32.o']);
  mustBuild('ld', [
    '-m',
    'elf_i386',
    '-shared',
    '-soname',
    'libfoo32.so.1',
    '--version-script',
    'lib.map',
    '-rpath',
    '$ORIGIN',
    '--enable-new-dtags',
    '-o',
    'libfoo32.so',
    'lib32.o',
  ]);
  const l = parse('libfoo32.so');
  agreesWithReadelf('libfoo32.so', l);
  assert.equal(l.class, 32);
  assert.equal(l.machine, 3);
  assert.equal(l.kind, 'shared-lib');
  assert.equal(l.soname, 'libfoo32.so.1');
  assert.deepEqual(l.versionDefs, ['FOO_1.0', 'FOO_2.0']);
  assert.deepEqual(l.runpath, ['$ORIGIN']);
  assert.deepEqual(l.rpath, []);
  const o = parse('lib32.o');
  assert.equal(o.kind, 'object');
  assert.equal(o.type, 'rel');
  // Linking needs the 32-bit libc (gcc-multilib, installed by .ci/run): required in CI.
  if (
    !needTool(
      t,
      sh('gcc', ['-m32', 'hello.c', '-o', 'hello32']).ok,
      'gcc -m32 (32-bit multilib)',
      'apt-get install gcc-multilib',
    )
  )
    return;
  const e = parse('hello32');
  agreesWithReadelf('hello32', e);
  assert.equal(e.class, 32);
  assert.equal(e.interpreter, '/lib/ld-linux.so.2');
});

const GO_MAIN = `package main

import (
\t"fmt"
\t"net"
)

func main() {
\taddrs, err := net.LookupHost("localhost")
\tfmt.Println(addrs, err)
}
`;

function goBuild(out: string, args: string[], env: Record<string, string>): ElfInfo {
  mustBuild('go', ['build', ...args, '-o', join('..', out), '.'], { ...goTestEnv(dir), ...env }, 'gosrc');
  const e = parse(out);
  const want = goVersionM(join(dir, out));
  assert.ok(e.go, `${out}: no Go build info`);
  assert.equal(e.go.goVersion, want.goVersion);
  assert.equal(e.go.path, want.path);
  assert.deepEqual(e.go.mainModule, want.mod);
  assert.deepEqual(e.go.deps, want.deps);
  assert.deepEqual(e.go.settings, want.settings);
  assert.equal(e.go.goos, want.settings['GOOS']);
  assert.equal(e.go.goarch, want.settings['GOARCH']);
  return e;
}

test('go build variants: build info matches go version -m; cgo, -s -w, -trimpath; 386/mips/s390x', (t) => {
  if (!needTool(t, sh('go', ['version']).ok, 'go', 'apt-get install golang-go')) return;
  mkdirSync(join(dir, 'gosrc'));
  writeFileSync(join(dir, 'gosrc', 'main.go'), GO_MAIN);
  writeFileSync(join(dir, 'gosrc', 'go.mod'), 'module example.com/probe\n\ngo 1.19\n');

  const cgo0 = goBuild('go-cgo0', [], { CGO_ENABLED: '0' });
  assert.equal(cgo0.go?.cgoEnabled, false);
  assert.equal(cgo0.kind, 'static');
  assert.equal(cgo0.stripped, false);
  agreesWithSectionSizes('go-cgo0', cgo0);

  const cgo1 = goBuild('go-cgo1', [], { CGO_ENABLED: '1' });
  assert.equal(cgo1.go?.cgoEnabled, true);
  assert.equal(cgo1.kind, 'dynamic-exec');
  agreesWithReadelf('go-cgo1', cgo1);

  const sw = goBuild('go-sw', ['-ldflags=-s -w'], { CGO_ENABLED: '0' });
  assert.equal(sw.go?.ldflags, '-s -w');
  assert.equal(sw.go?.stripped, true);
  assert.equal(sw.stripped, true);
  agreesWithSectionSizes('go-sw', sw);

  const w = goBuild('go-w', ['-ldflags=-w'], { CGO_ENABLED: '0' });
  assert.equal(w.go?.stripped, false);
  assert.equal(w.debugBytes, 0);
  assert.ok(w.symbolBytes > 0);

  const tp = goBuild('go-trimpath', ['-trimpath'], { CGO_ENABLED: '0' });
  assert.equal(tp.go?.trimpath, true);

  // Other classes / byte orders (static Go binaries cross-compile without a C toolchain).
  for (const [arch, cls, endian] of [
    ['386', 32, 'le'],
    ['mips', 32, 'be'],
    ['s390x', 64, 'be'],
  ] as const) {
    const e = goBuild(`go-${arch}`, [], { CGO_ENABLED: '0', GOARCH: arch });
    assert.equal(e.class, cls, arch);
    assert.equal(e.endian, endian, arch);
    assert.equal(e.go?.goarch, arch);
    agreesWithReadelf(`go-${arch}`, e);
    agreesWithSectionSizes(`go-${arch}`, e);
  }
});
