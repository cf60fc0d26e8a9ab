/**
 * Go's function-name markers (os/user, the DNS resolver, time.LoadLocation, embedded tzdata, crypto/x509's
 * system roots) are searched inside the pclntab's function-name table. A PIE build has no .gopclntab section: Go's
 * own linker names it .data.rel.ro.gopclntab, and the system linker (`-linkmode=external`, how cgo programs such
 * as Debian's dockerd and docker are linked) merges it into .data.rel.ro, where it must be found by its header,
 * stripped or not. Judges: the program's imports (by hand), and `go tool nm` on the unstripped builds.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry } from '../../src/model/entry.js';
import { elfAnalyser, goScanStats } from '../../src/io/elf-analyser.js';
import { readelfSectionSizes } from '../helpers/readelf.js';
import { goTestEnv } from '../model/elf/tool-env.js';

// Uses os/user, the resolver (net.LookupHost reads resolv.conf) and time.LoadLocation; not time/tzdata, not x509.
const SOURCE =
  'package main\nimport ("fmt"; "net"; "os"; "os/user"; "time")\n' +
  'func main() { u, _ := user.Current(); l, _ := time.LoadLocation("UTC"); a, _ := net.LookupHost(os.Args[0]); fmt.Println(u, l, a) }\n';
const EXPECTED = { x509SystemRoots: false, osUser: true, loadLocation: true, embeddedTzdata: false, netResolver: true };

let dir = '';
const builds: Record<string, string> = {};
function go(args: string[], cgo: string): void {
  const r = spawnSync('go', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, ...goTestEnv(dir), GO111MODULE: 'off', CGO_ENABLED: cgo },
  });
  assert.equal(r.status, 0, `go ${args.join(' ')}: ${r.error?.message ?? ''}${r.stderr}`);
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'slimtui-go-pie-'));
  writeFileSync(join(dir, 'main.go'), SOURCE);
  const variants: Record<string, [string[], string]> = {
    exe: [[], '0'],
    pie: [['-buildmode=pie'], '0'],
    'pie-external': [['-buildmode=pie', '-ldflags=-linkmode=external'], '1'],
    'pie-external-stripped': [['-buildmode=pie', '-ldflags=-linkmode=external -s -w'], '1'],
  };
  for (const [name, [flags, cgo]] of Object.entries(variants)) {
    go(['build', ...flags, '-o', name, 'main.go'], cgo);
    builds[name] = join(dir, name);
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function goUses(file: string): Promise<{ uses: unknown; scanned: number; size: number }> {
  const bytes = readFileSync(file);
  const entry: Entry = { path: 'bin/app', kind: 'file', size: bytes.length, mode: 0o755, uid: 0, gid: 0, mtime: 0 };
  const before = goScanStats.bytes;
  const sink = elfAnalyser.open(entry);
  for (let i = 0; i < bytes.length; i += 1 << 20) sink.write(bytes.subarray(i, i + (1 << 20)));
  await sink.end();
  const elf = entry.facts!['elf'] as { goUses?: unknown };
  return { uses: elf.goUses, scanned: goScanStats.bytes - before, size: bytes.length };
}

test('the builds are what the test needs: where each linker put the pclntab', () => {
  const sections = (f: string): string[] => [...readelfSectionSizes(f).keys()];
  assert.ok(sections(builds['exe']!).includes('.gopclntab'));
  assert.ok(sections(builds['pie']!).includes('.data.rel.ro.gopclntab'));
  for (const v of ['pie-external', 'pie-external-stripped']) {
    assert.ok(!sections(builds[v]!).some((n) => n.endsWith('gopclntab')), v);
    assert.ok(sections(builds[v]!).includes('.data.rel.ro'), v);
  }
});

test('go tool nm agrees with the imports on which marker functions are linked in', () => {
  for (const v of ['exe', 'pie', 'pie-external']) {
    const nm = spawnSync('go', ['tool', 'nm', builds[v]!], {
      encoding: 'utf8',
      env: { ...process.env, ...goTestEnv(dir) },
      maxBuffer: 64 << 20,
    });
    assert.equal(nm.status, 0, nm.stderr);
    const has = (name: string): boolean => nm.stdout.split('\n').some((l) => l.trim().split(/\s+/)[2] === name);
    assert.equal(has('time.LoadLocation'), EXPECTED.loadLocation, v);
    assert.equal(has('net.dnsReadConfig'), EXPECTED.netResolver, v);
    assert.equal(has('crypto/x509.loadSystemRoots'), EXPECTED.x509SystemRoots, v);
    assert.ok(has('os/user.Current'), v);
    assert.ok(!nm.stdout.includes(' time/tzdata.'), v);
  }
});

test('a PIE build, stripped or not, reads the same markers as the exe, from its function-name table only', async () => {
  for (const v of Object.keys(builds)) {
    const r = await goUses(builds[v]!);
    assert.deepEqual(r.uses, EXPECTED, v);
    // Found the table: a fraction of the file was searched, not the whole file (the fallback).
    assert.ok(r.scanned > 0 && r.scanned < r.size / 3, `${v}: scanned ${r.scanned} of ${r.size}`);
  }
});
