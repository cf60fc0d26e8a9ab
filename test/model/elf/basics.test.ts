/** Small direct checks: magic, non-ELF input, modinfo parsing rules (Go's quoting), glibc versions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesSource, isElfMagic, minGlibcOf, parseElf, parseModInfo } from '../../../src/model/elf/index.js';

test('isElfMagic', () => {
  assert.equal(isElfMagic(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2])), true);
  assert.equal(isElfMagic(new Uint8Array([0x7f, 0x45, 0x4c])), false);
  assert.equal(isElfMagic(new TextEncoder().encode('#!/bin/sh\n')), false);
});

test('non-ELF and tiny inputs are reported as malformed, not thrown', () => {
  for (const b of [
    new Uint8Array(0),
    new TextEncoder().encode('#!/bin/sh\necho hi\n'),
    new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1]),
  ]) {
    const r = parseElf(bytesSource(b));
    assert.equal(r.ok, false);
  }
  const badClass = new Uint8Array(64);
  badClass.set([0x7f, 0x45, 0x4c, 0x46, 9, 1, 1]);
  const r = parseElf(bytesSource(badClass));
  assert.deepEqual(r, { ok: false, malformed: 'bad ELF class 9' });
});

test('a throwing ByteSource does not make parseElf throw', () => {
  const r = parseElf({
    size: 1 << 20,
    read() {
      throw new Error('disk on fire');
    },
  });
  assert.equal(r.ok, false);
});

test('modinfo: quoted build values, replacements, derived fields', () => {
  // Written by hand in the format cmd/go emits (runtime/debug.BuildInfo.String).
  const text = [
    'path\texample.com/app',
    'mod\texample.com/app\tv1.2.3\th1:abc=',
    'dep\tgolang.org/x/sys\tv0.1.0\th1:def=',
    'dep\texample.com/old\tv1.0.0',
    '=>\texample.com/fork\tv1.0.1\th1:ghi=',
    'build\t-compiler=gc',
    'build\t-ldflags="-s -w -X \\"main.v=1 2\\""',
    'build\t-trimpath=true',
    'build\tCGO_ENABLED=1',
    'build\tGOARCH=arm64',
    'build\tGOOS=linux',
    'build\t"we ird"=x',
    '',
  ].join('\n');
  const g = parseModInfo('go1.21.0', text);
  assert.equal(g.path, 'example.com/app');
  assert.deepEqual(g.mainModule, { path: 'example.com/app', version: 'v1.2.3', sum: 'h1:abc=' });
  assert.deepEqual(g.deps, [
    { path: 'golang.org/x/sys', version: 'v0.1.0' },
    { path: 'example.com/fork', version: 'v1.0.1' },
  ]);
  assert.equal(g.ldflags, '-s -w -X "main.v=1 2"');
  assert.equal(g.stripped, true);
  assert.equal(g.trimpath, true);
  assert.equal(g.cgoEnabled, true);
  assert.equal(g.goos, 'linux');
  assert.equal(g.goarch, 'arm64');
  assert.equal(g.settings['we ird'], 'x');
  // -s alone: DWARF kept before go1.22, dropped from go1.22 on (-s implies -w).
  assert.equal(parseModInfo('go1.21.0', 'build\t-ldflags=-s\n').stripped, false);
  assert.equal(parseModInfo('go1.22.1', 'build\t-ldflags=-s\n').stripped, true);
  assert.equal(parseModInfo('go1.22.1', 'build\t-ldflags=-X=a\n').stripped, false);
});

test('minGlibc compares numerically and ignores GLIBC_PRIVATE', () => {
  assert.equal(
    minGlibcOf([
      { file: 'libc.so.6', versions: ['GLIBC_2.9', 'GLIBC_2.17', 'GLIBC_PRIVATE', 'GLIBC_2.3.4'] },
      { file: 'libm.so.6', versions: ['GLIBC_2.2.5'] },
    ]),
    '2.17',
  );
  assert.equal(minGlibcOf([{ file: 'libstdc++.so.6', versions: ['GLIBCXX_3.4.30'] }]), undefined);
});
