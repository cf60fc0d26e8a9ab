/**
 * predictStrip against the real `strip --strip-all -o OUT IN` (binutils on this machine) on every ELF in
 * /usr/bin and /usr/lib/x86_64-linux-gnu, node, the oracle bins and binaries built here (gcc -g, g++ -g,
 * -static, musl-gcc -static, Go with and without -s -w, cgo, 32-bit i386 via ld -m elf_i386), plus the
 * oracle CSV's strip_all_size (rows whose sha256 matches). Expected sizes come from strip itself.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesSource, parseElf } from '../../../src/model/elf/index.js';
import { predictStrip } from '../../../src/model/predict/strip.js';
import { oracleRows, oracleFilePath } from '../../helpers/oracle.js';
import { sharedPath } from '../../helpers/shared.js';

let dir = '';

function isElf(p: string): boolean {
  try {
    const st = lstatSync(p);
    if (!st.isFile() || st.size < 64) return false;
    const fd = openSync(p, 'r');
    const b = Buffer.alloc(4);
    readSync(fd, b, 0, 4, 0);
    closeSync(fd);
    return b[0] === 0x7f && b.toString('latin1', 1, 4) === 'ELF';
  } catch {
    return false;
  }
}

function sh(cmd: string, args: string[], cwd = dir, env: Record<string, string> = {}): boolean {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  return r.status === 0;
}

interface Outcome {
  path: string;
  real: number;
  predicted: number;
  err: number;
}

/** Runs real strip on a copy; undefined when strip refuses the file (not an object strip understands). */
function check(path: string): Outcome | undefined {
  const bytes = readFileSync(path);
  const r = parseElf(bytesSource(bytes));
  if (!r.ok || r.elf.type === 'rel' || r.elf.type === 'core') return undefined;
  const out = join(dir, 'stripped.out');
  rmSync(out, { force: true });
  const s = spawnSync('strip', ['--strip-all', '-o', out, path], { encoding: 'utf8' });
  if (s.status !== 0) return undefined;
  const real = statSync(out).size;
  const predicted = predictStrip(r.elf, bytes.length).size;
  return { path, real, predicted, err: (predicted - real) / real };
}

const results: Outcome[] = [];

function summary(label: string, rs: Outcome[]): string {
  const exact = rs.filter((o) => o.err === 0).length;
  const worst = rs.reduce((a, o) => (Math.abs(o.err) > Math.abs(a.err) ? o : a), rs[0]!);
  return `${label}: n=${rs.length} exact=${exact} max|err|=${(Math.abs(worst.err) * 100).toFixed(3)}% (${worst.path}: predicted ${worst.predicted}, strip ${worst.real})`;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'slimtui-strip-'));
});
after(() => {
  if (results.length > 0) console.log(summary('strip, all files', results));
  rmSync(dir, { recursive: true, force: true });
});

function assertAll(rs: Outcome[], label: string, tolerance = 0.01): void {
  assert.ok(rs.length > 0, `${label}: nothing checked`);
  const bad = rs.filter((o) => Math.abs(o.err) > tolerance);
  console.log(summary(label, rs));
  assert.deepEqual(
    bad.map((o) => `${o.path}: predicted ${o.predicted}, strip ${o.real}`),
    [],
  );
}

test('system ELF files: /usr/bin and /usr/lib/x86_64-linux-gnu, within 1% of real strip', () => {
  const rs: Outcome[] = [];
  for (const d of ['/usr/bin', '/usr/lib/x86_64-linux-gnu']) {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (!isElf(p)) continue;
      const o = check(p);
      if (o) rs.push(o);
    }
  }
  results.push(...rs);
  assert.ok(rs.length >= 200, `only ${rs.length} files`);
  assertAll(rs, 'system files');
});

test('oracle bins and oracle CSV strip_all_size (sha256-checked rows)', () => {
  const rs: Outcome[] = [];
  const bins = sharedPath('oracles/bins');
  for (const name of readdirSync(bins).sort()) {
    const o = check(join(bins, name));
    if (o) rs.push(o);
  }
  results.push(...rs);
  assertAll(rs, 'oracle bins');
  let used = 0;
  for (const row of oracleRows()) {
    const p = oracleFilePath(row);
    if (!p) continue;
    const bytes = readFileSync(p);
    const r = parseElf(bytesSource(bytes));
    assert.ok(r.ok);
    const predicted = predictStrip(r.elf, bytes.length).size;
    const real = Number(row['strip_all_size']);
    const err = Math.abs(predicted - real) / real;
    if (row['name'] === 'deb-node') {
      // The oracle's one known miss (annobin note merging + segment re-packing); still within 1%.
      assert.ok(err < 0.01, `node: ${predicted} vs ${real}`);
    } else {
      assert.equal(predicted, real, row['name']);
    }
    used++;
  }
  assert.ok(used >= 35, `only ${used} oracle rows usable`);
});

const C_HELLO = '#include <stdio.h>\nint main(void){ puts("hello"); return 0; }\n';
const CPP =
  '#include <iostream>\n#include <map>\n#include <string>\nint main(){ std::map<std::string,int> m; m["a"]=1; std::cout << m.size() << "\\n"; }\n';
const GO_HELLO = 'package main\nimport "fmt"\nfunc main(){ fmt.Println("hi") }\n';
const GO_CGO =
  'package main\n/*\nint two(void){ return 2; }\n*/\nimport "C"\nimport ("fmt";"net";"os/user")\nfunc main(){ u,_ := user.Current(); a,_ := net.LookupHost("localhost"); fmt.Println(C.two(), u, a) }\n';
const ASM32 = '.globl _start\n.text\n_start: mov $1,%eax\n xor %ebx,%ebx\n int $0x80\n.data\nv: .long 42\n';

test('binaries built here (gcc/g++ -g, static, musl, Go, cgo, i386), within 1% of real strip', () => {
  writeFileSync(join(dir, 'hello.c'), C_HELLO);
  writeFileSync(join(dir, 'x.cpp'), CPP);
  writeFileSync(join(dir, 's32.S'), ASM32);
  const built: string[] = [];
  const b = (out: string, cmd: string, args: string[], cwd = dir, env: Record<string, string> = {}): void => {
    if (sh(cmd, args, cwd, env)) built.push(join(dir, out));
  };
  b('c-g', 'gcc', ['-O2', '-g', 'hello.c', '-o', 'c-g']);
  b('c-plain', 'gcc', ['-O2', 'hello.c', '-o', 'c-plain']);
  b('c-static-g', 'gcc', ['-O2', '-g', '-static', 'hello.c', '-o', 'c-static-g']);
  b('c-static-pie', 'gcc', ['-O2', '-static-pie', 'hello.c', '-o', 'c-static-pie']);
  b('c-so', 'gcc', ['-O2', '-g', '-shared', '-fPIC', 'hello.c', '-o', 'c-so']);
  b('cpp-g', 'g++', ['-O2', '-g', 'x.cpp', '-o', 'cpp-g']);
  b('cpp-g-static', 'g++', ['-O2', '-g', '-static', 'x.cpp', '-o', 'cpp-g-static']);
  b('musl', 'musl-gcc', ['-O2', 'hello.c', '-o', 'musl']);
  b('musl-static-g', 'musl-gcc', ['-O2', '-g', '-static', 'hello.c', '-o', 'musl-static-g']);
  // 32-bit: gcc -m32 has no multilib here, so assemble and link with the i386 emulation.
  if (sh('as', ['--32', '-g', 's32.S', '-o', 's32.o'])) {
    b('i386-g', 'ld', ['-m', 'elf_i386', 's32.o', '-o', 'i386-g']);
    b('i386-s', 'ld', ['-m', 'elf_i386', '-s', 's32.o', '-o', 'i386-s']);
    b('i386-so', 'ld', ['-m', 'elf_i386', '-shared', 's32.o', '-o', 'i386-so']);
  }
  const gocache = join(dir, 'gocache');
  mkdirSync(join(dir, 'gohello'));
  writeFileSync(join(dir, 'gohello', 'main.go'), GO_HELLO);
  writeFileSync(join(dir, 'gohello', 'go.mod'), 'module example.com/gohello\ngo 1.19\n');
  mkdirSync(join(dir, 'gocgo'));
  writeFileSync(join(dir, 'gocgo', 'main.go'), GO_CGO);
  writeFileSync(join(dir, 'gocgo', 'go.mod'), 'module example.com/gocgo\ngo 1.19\n');
  const genv = { GOCACHE: gocache, GOFLAGS: '-mod=mod', GOPATH: join(dir, 'gopath') };
  b('go-default', 'go', ['build', '-o', join(dir, 'go-default'), '.'], join(dir, 'gohello'), {
    ...genv,
    CGO_ENABLED: '0',
  });
  b('go-sw', 'go', ['build', '-ldflags=-s -w', '-o', join(dir, 'go-sw'), '.'], join(dir, 'gohello'), {
    ...genv,
    CGO_ENABLED: '0',
  });
  b('go-cgo', 'go', ['build', '-o', join(dir, 'go-cgo'), '.'], join(dir, 'gocgo'), { ...genv, CGO_ENABLED: '1' });
  b('go-cgo-sw', 'go', ['build', '-ldflags=-s -w', '-o', join(dir, 'go-cgo-sw'), '.'], join(dir, 'gocgo'), {
    ...genv,
    CGO_ENABLED: '1',
  });
  const fixed = built;
  assert.ok(fixed.length >= 14, `built only ${fixed.length}: ${fixed.join(' ')}`);
  const rs = fixed.map((p) => check(p)).filter((o): o is Outcome => o !== undefined);
  assert.equal(rs.length, fixed.length);
  results.push(...rs);
  for (const o of rs) console.log(`  ${o.path.slice(dir.length + 1)}: predicted ${o.predicted}, strip ${o.real}`);
  assertAll(rs, 'built here');
});
