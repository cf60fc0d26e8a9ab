/**
 * Issue 10 items 14–15 on real binaries read through the ELF analyser (dir: source):
 * - Go DNS order without /etc/nsswitch.conf: a Go binary built here with Debian's go (≥ 1.16: files first), and
 *   the same binary with its version string patched to go1.15 (same length, so the build info stays valid: the
 *   "below 1.16" side is a patched real binary, not a build with an old Go, which is not installed here).
 *   The release that changed it (Go 1.16, golang/go#35305, commit c80022204e8f) comes from the Go 1.16 release
 *   notes; the binary's behaviour is Go's, not slimtui's, so the judge here is the version boundary.
 * - Static glibc + NSS: `gcc -static` programs calling getaddrinfo/getpwnam (and one that calls neither), run
 *   in a chroot as the judge: with glibc ≥ 2.34 files/dns are built in, and a source such as `compat` needs
 *   libnss_compat.so.2 (plus its libc and loader) in the image.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadImage } from '../../src/io/load-image.js';
import { elfAnalyser } from '../../src/io/elf-analyser.js';
import { textAnalyser } from '../../src/io/text-analyser.js';
import { analyze, type Analysis } from '../../src/model/analysis.js';
import { binaryAt, findingsFor } from '../../src/model/libc/index.js';
import { goTestEnv } from '../model/elf/tool-env.js';

let dir = '';
const GO_LOOKUP =
  'package main\nimport ("fmt"; "net"; "os")\nfunc main() { if len(os.Args) > 1 { fmt.Println(net.LookupHost(os.Args[1])) }; fmt.Println("ok") }\n';
const NSS_C = `#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
int main(void) {
  struct addrinfo *r = 0; int e = getaddrinfo("myhost", 0, 0, &r);
  struct passwd *p = getpwnam("alice");
  printf("hosts:%s passwd:%s\\n", e == 0 ? "found" : "fail", p ? "found" : "fail");
  return 0;
}
`;

function sh(cmd: string, args: string[], env: Record<string, string> = {}): void {
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.error?.message ?? ''}${r.stderr}`);
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'slimtui-dns-nss-'));
  writeFileSync(join(dir, 'lookup.go'), GO_LOOKUP);
  writeFileSync(join(dir, 'nss.c'), NSS_C);
  writeFileSync(join(dir, 'plain.c'), '#include <stdio.h>\nint main(void){ puts("ok"); return 0; }\n');
  sh('go', ['build', '-o', 'go-lookup', 'lookup.go'], { ...goTestEnv(dir), GO111MODULE: 'off', CGO_ENABLED: '0' });
  sh('gcc', ['-static', '-O1', '-o', 'nss-static', 'nss.c']);
  sh('gcc', ['-static', '-O1', '-o', 'plain-static', 'plain.c']);
});
after(() => rmSync(dir, { recursive: true, force: true }));

let roots = 0;
function rootfs(files: Record<string, string>, bins: Record<string, string | Buffer>): string {
  const root = join(dir, `root${roots++}`);
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'bin'));
  for (const [p, text] of Object.entries(files)) writeFileSync(join(root, p), text);
  for (const [name, src] of Object.entries(bins)) {
    if (typeof src === 'string') copyFileSync(join(dir, src), join(root, 'bin', name));
    else writeFileSync(join(root, 'bin', name), src, { mode: 0o755 });
  }
  return root;
}

async function slimtui(root: string): Promise<Analysis> {
  const image = await loadImage(
    { kind: 'dir', location: root },
    {
      analysers: [elfAnalyser, textAnalyser],
      platform: { os: 'linux', architecture: 'amd64' },
      platformExplicit: false,
    },
  );
  return analyze(image, { cpuLevel: 1 });
}
const finding = (a: Analysis, path: string, code: string) => findingsFor(a.binaries, path).find((f) => f.code === code);

test('Go resolver order without /etc/nsswitch.conf: files first from Go 1.16 (built here), DNS first before (patched to go1.15)', async () => {
  const real = readFileSync(join(dir, 'go-lookup'));
  const v = /go1\.(\d+)/.exec(real.toString('latin1'))!;
  assert.ok(Number(v[1]) >= 16, `Debian's go is ${v[0]}`);
  // Every "go1.NN" becomes "go1.15" (same length: the build info's length prefixes stay right).
  const patched = Buffer.from(real.toString('latin1').replaceAll(v[0], 'go1.15'), 'latin1');
  assert.equal(patched.length, real.length);
  const a = await slimtui(rootfs({ 'etc/hosts': '127.0.0.1 localhost\n' }, { new: 'go-lookup', old: patched }));
  assert.match(binaryAt(a.binaries, '/bin/new')!.go!.goVersion, /^go1\.(1[6-9]|[2-9]\d)/);
  assert.match(binaryAt(a.binaries, '/bin/old')!.go!.goVersion, /^go1\.15/);
  const n = finding(a, '/bin/new', 'go-dns-order');
  const o = finding(a, '/bin/old', 'go-dns-order');
  assert.ok(n && o);
  assert.equal(n.severity, 'info');
  assert.match(n.evidence, /CGO_ENABLED=0.*reads \/etc\/hosts first/);
  assert.equal(o.severity, 'warning');
  assert.match(o.evidence, /asks DNS before \/etc\/hosts/);
  assert.match(o.fix, /hosts: files dns/);
  // The boundary itself, on the real binary: patched to go1.16 it reads files first (Go 1.16's conf.go has no
  // linux DNS-first case; see GO_HOSTS_FIRST), patched to go1.15 above it asks DNS first.
  const at16 = Buffer.from(real.toString('latin1').replaceAll(v[0], 'go1.16'), 'latin1');
  const c = await slimtui(rootfs({ 'etc/hosts': '127.0.0.1 localhost\n' }, { b16: at16 }));
  assert.match(binaryAt(c.binaries, '/bin/b16')!.go!.goVersion, /^go1\.16/);
  assert.equal(finding(c, '/bin/b16', 'go-dns-order')?.severity, 'info');
  // With /etc/nsswitch.conf the order is the file's: no finding.
  const b = await slimtui(rootfs({ 'etc/nsswitch.conf': 'hosts: files dns\n' }, { old: patched }));
  assert.equal(finding(b, '/bin/old', 'go-dns-order'), undefined);
});

/** The real binary's answer in a chroot of the root. */
function run(root: string, prog: string): string {
  const r = spawnSync('chroot', [root, `/bin/${prog}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('static glibc binary using NSS: files/dns built in; a compat source needs libnss_compat.so.2 (the chroot agrees)', async () => {
  const etc = { 'etc/hosts': '127.0.0.9 myhost\n', 'etc/passwd': 'alice:x:1000:1000::/home/alice:/bin/sh\n' };
  // 1. No nsswitch.conf: glibc's defaults (files for passwd, files+dns for hosts), all built in.
  const r1 = rootfs(etc, { nss: 'nss-static', plain: 'plain-static' });
  assert.equal(run(r1, 'nss'), 'hosts:found passwd:found');
  const a1 = await slimtui(r1);
  const f1 = finding(a1, '/bin/nss', 'static-glibc-nss');
  assert.ok(f1);
  assert.equal(f1.severity, 'info');
  assert.match(f1.evidence, /files and dns are built in/);
  assert.equal(finding(a1, '/bin/plain', 'static-glibc-nss'), undefined);
  assert.equal(binaryAt(a1.binaries, '/bin/plain')!.kind, 'static');
  // 2. passwd: compat, no module: the lookup fails; slimtui warns and names the module.
  const r2 = rootfs({ ...etc, 'etc/nsswitch.conf': 'passwd: compat\nhosts: files dns\n' }, { nss: 'nss-static' });
  assert.equal(run(r2, 'nss'), 'hosts:found passwd:fail');
  const f2 = finding(await slimtui(r2), '/bin/nss', 'static-glibc-nss');
  assert.equal(f2?.severity, 'warning');
  assert.match(f2!.evidence, /compat \(passwd\): missing/);
  assert.match(f2!.fix, /libnss_compat\.so\.2/);
  // 3. The same with the host's libnss_compat.so.2 (and the libc and loader it needs): found.
  const r3 = rootfs({ ...etc, 'etc/nsswitch.conf': 'passwd: compat\nhosts: files dns\n' }, { nss: 'nss-static' });
  mkdirSync(join(r3, 'lib/x86_64-linux-gnu'), { recursive: true });
  mkdirSync(join(r3, 'lib64'));
  for (const f of ['libnss_compat.so.2', 'libc.so.6', 'ld-linux-x86-64.so.2'])
    copyFileSync(`/lib/x86_64-linux-gnu/${f}`, join(r3, 'lib/x86_64-linux-gnu', f));
  symlinkSync('/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', join(r3, 'lib64/ld-linux-x86-64.so.2'));
  assert.equal(run(r3, 'nss'), 'hosts:found passwd:found');
  const f3 = finding(await slimtui(r3), '/bin/nss', 'static-glibc-nss');
  assert.equal(f3?.severity, 'info');
  assert.match(f3!.evidence, /compat \(passwd\): \/lib\/x86_64-linux-gnu\/libnss_compat\.so\.2/);
});
