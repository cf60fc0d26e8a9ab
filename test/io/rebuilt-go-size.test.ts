/**
 * The rebuilt Go binary's compressed weight (io/rebuilt-go-size.ts) against the real thing: a Go program is built
 * here twice — `CGO_ENABLED=0 go build` (what a single-stage image holds) and
 * `CGO_ENABLED=0 go build -trimpath -ldflags='-s -w'` (what the patch rebuilds) — and the weight measured from the
 * first must be within 2 % of GNU `gzip -6 -n` of the second (and of `strip --strip-all` of the first). Expected
 * values come from go, strip and gzip; the -trimpath saving must equal the size difference of the -s -w builds
 * with and without -trimpath.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesSource } from '../../src/model/elf/index.js';
import type { FileSet, ReadFiles } from '../../src/model/ports.js';
import { deflatedSize, measureRebuiltGo } from '../../src/io/rebuilt-go-size.js';
import { needTool } from '../helpers/need-tool.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'slimtui-rebuilt-go-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const gzip6 = (b: Uint8Array): number =>
  execFileSync('gzip', ['-6', '-n', '-c'], { input: b, maxBuffer: 1 << 30 }).length;

/** A ReadFiles over files in memory, keyed `layer:path`. */
function memoryFiles(files: Record<string, Uint8Array>): ReadFiles {
  return async (wanted) => {
    const set: FileSet = {
      get: (layer, path) => {
        const b = files[`${layer}:${path}`];
        return b ? bytesSource(b) : undefined;
      },
      missing: wanted.filter((w) => !files[`${w.layer}:${w.path}`]),
      memoryBytes: 0,
      spooledBytes: 0,
      close: () => undefined,
    };
    return set;
  };
}

const MAIN = [
  'package main',
  'import ("crypto/x509"; "fmt"; "os")',
  'func main() {',
  '  pool, err := x509.SystemCertPool()',
  '  if err != nil { fmt.Println(err); os.Exit(3) }',
  '  fmt.Println("ok:", len(pool.Subjects()), "roots")',
  '}',
  '',
].join('\n');

test("a Go binary's weight after -trimpath -s -w, measured on its own bytes, vs gzip -6 of the real rebuild", async (t) => {
  const hasGo = spawnSync('go', ['version']).status === 0;
  if (!needTool(t, hasGo, 'go', 'golang-go')) return;
  const src = join(dir, 'app');
  mkdirSync(src);
  writeFileSync(join(src, 'main.go'), MAIN);
  writeFileSync(join(src, 'go.mod'), 'module example.com/app\ngo 1.19\n');
  const env = {
    ...process.env,
    GOCACHE: join(dir, 'gocache'),
    GOPATH: join(dir, 'gopath'),
    GOFLAGS: '-mod=mod',
    CGO_ENABLED: '0',
  };
  execFileSync('go', ['build', '-o', join(dir, 'plain'), '.'], { cwd: src, env });
  execFileSync('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', join(dir, 'sw'), '.'], { cwd: src, env });
  execFileSync('go', ['build', '-ldflags=-s -w', '-o', join(dir, 'sw-untrimmed'), '.'], { cwd: src, env });
  execFileSync('strip', ['--strip-all', '-o', join(dir, 'stripped'), join(dir, 'plain')]);
  const plain = readFileSync(join(dir, 'plain'));
  const real = gzip6(readFileSync(join(dir, 'sw')));
  const stripped = gzip6(readFileSync(join(dir, 'stripped')));
  // The plain build keeps its DWARF and symbol table: the unmodelled answer would be far off.
  assert.ok(gzip6(plain) > real * 1.3, `plain ${gzip6(plain)} vs -s -w ${real}`);

  const r = await measureRebuiltGo(memoryFiles({ '3:usr/local/bin/app': plain }), [
    { layer: 3, path: 'usr/local/bin/app' },
  ]);
  assert.equal(r.note, undefined);
  const got = r.sizes.get('usr/local/bin/app')?.compressed;
  assert.ok(got !== undefined);
  for (const [what, want] of [
    ["go build -trimpath -ldflags='-s -w'", real],
    ['strip --strip-all', stripped],
  ] as const)
    assert.ok(Math.abs(got - want) / want <= 0.02, `measured ${got} B vs gzip -6 of ${what}: ${want} B`);
  // The binary as it is now, weighed the same way: gzip -6 of the plain build.
  const original = r.sizes.get('usr/local/bin/app')!.original;
  assert.ok(Math.abs(original - gzip6(plain)) / gzip6(plain) <= 0.02, `${original} vs ${gzip6(plain)}`);
  // -trimpath: the bytes it takes off, as go itself builds with and without it (whole pages).
  const trimpath = r.sizes.get('usr/local/bin/app')!.trimpath;
  const size = (f: string): number => statSync(join(dir, f)).size;
  assert.equal(trimpath, size('sw-untrimmed') - size('sw'));
  assert.ok(trimpath > 0 && trimpath % 4096 === 0, `${trimpath}`);
  // strip --strip-all less that is the -trimpath -s -w build, to within its section-name table (< 0.1 %).
  assert.ok(Math.abs(size('stripped') - trimpath - size('sw')) <= 0.001 * size('sw'));
});

test('a binary that cannot be read again, or is not ELF, keeps the guess and says so', async () => {
  const r = await measureRebuiltGo(memoryFiles({ '1:bin/notelf': new TextEncoder().encode('#!/bin/sh\necho hi\n') }), [
    { layer: 1, path: 'bin/notelf' },
    { layer: 2, path: 'bin/gone' },
  ]);
  assert.equal(r.sizes.size, 0);
  assert.match(r.note ?? '', /\/bin\/notelf, \/bin\/gone could not be read again/);
  const none = await measureRebuiltGo(undefined, [{ layer: 1, path: 'bin/app' }]);
  assert.match(none.note ?? '', /standard input/);
});

test('deflatedSize streams in pieces and agrees with a one-shot raw deflate size', async () => {
  // 3 MiB of text-like bytes (crosses the 1 MiB piece size): the size must not depend on how it is fed.
  const lines: string[] = [];
  for (let i = 0, n = 0; n < 3 << 20; i++) {
    const l = `line ${i} ${(i * 7919) % 104729}`.repeat(3);
    lines.push(l);
    n += l.length + 1;
  }
  const b = new TextEncoder().encode(lines.join('\n'));
  const { deflateRawSync } = await import('node:zlib');
  assert.equal(await deflatedSize(bytesSource(b)), deflateRawSync(b, { level: 6 }).length);
});
