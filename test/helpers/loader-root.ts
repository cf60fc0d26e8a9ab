// A test rootfs for the REAL glibc loader (the pattern of test/e2e-elf/loader-cache.test.ts): the host's own
// ld.so and libc.so.6, programs linked against a stub libfoo.so, and copies of libfoo.so built with gcc that
// each print the word they were built with. `chroot ROOT /bin/PROG` then says which copy the loader took.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LIBDIR = 'lib/x86_64-linux-gnu';

export function sh(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.error?.message ?? ''}${r.stderr}`);
  return r.stdout;
}

/** Sources and programs in `dir`: prog (needs libfoo.so), prog-runpath (RUNPATH /opt/rp), prog-rpath (RPATH /opt/rp). */
export function buildPrograms(dir: string): void {
  writeFileSync(join(dir, 'foo.c'), 'const char *who(void){ return WHO; }\n');
  writeFileSync(
    join(dir, 'prog.c'),
    '#include <stdio.h>\nconst char *who(void);\nint main(void){ puts(who()); return 0; }\n',
  );
  mkdirSync(join(dir, 'stub'), { recursive: true });
  sh('gcc', ['-shared', '-fPIC', '-DWHO="stub"', '-o', 'stub/libfoo.so', 'foo.c', '-Wl,-soname,libfoo.so'], dir);
  sh('gcc', ['-o', 'prog', 'prog.c', '-Lstub', '-lfoo'], dir);
  sh('gcc', ['-o', 'prog-runpath', 'prog.c', '-Lstub', '-lfoo', '-Wl,--enable-new-dtags,-rpath,/opt/rp'], dir);
  sh('gcc', ['-o', 'prog-rpath', 'prog.c', '-Lstub', '-lfoo', '-Wl,--disable-new-dtags,-rpath,/opt/rp'], dir);
}

export const PROGRAMS = ['prog', 'prog-runpath', 'prog-rpath'] as const;

/** A fresh rootfs under `dir` with the host's loader and libc, the programs and an /etc/ld.so.conf. */
export function makeRoot(dir: string, name: string, conf = ''): string {
  const root = join(dir, name);
  for (const d of [LIBDIR, 'lib64', 'bin', 'etc', 'opt']) mkdirSync(join(root, d), { recursive: true });
  copyFileSync(`/${LIBDIR}/ld-linux-x86-64.so.2`, join(root, LIBDIR, 'ld-linux-x86-64.so.2'));
  copyFileSync(`/${LIBDIR}/libc.so.6`, join(root, LIBDIR, 'libc.so.6'));
  symlinkSync(`/${LIBDIR}/ld-linux-x86-64.so.2`, join(root, 'lib64/ld-linux-x86-64.so.2'));
  for (const p of PROGRAMS) copyFileSync(join(dir, p), join(root, 'bin', p));
  writeFileSync(join(root, 'etc/ld.so.conf'), conf);
  return root;
}

/** A copy of libfoo.so at ROOT/<rel>/libfoo.so that prints `rel`. */
export function libAt(dir: string, root: string, rel: string): void {
  mkdirSync(join(root, rel), { recursive: true });
  sh(
    'gcc',
    ['-shared', '-fPIC', `-DWHO="${rel}"`, '-o', join(root, rel, 'libfoo.so'), 'foo.c', '-Wl,-soname,libfoo.so'],
    dir,
  );
}

/** The real loader's answer: the word of the copy it ran, or "not found" when it refused to start the program. */
export function realLoader(root: string, prog: string): string {
  const r = spawnSync('chroot', [root, `/bin/${prog}`], { encoding: 'utf8' });
  if (r.status === 0) return r.stdout.trim();
  assert.match(r.stderr, /error while loading shared libraries: .*cannot open shared object file/);
  return 'not found';
}

/** The directories the real loader searches for libfoo.so (LD_DEBUG=libs: its `search path=` lines, in order). */
export function realSearchPath(root: string, prog: string): string[] {
  const r = spawnSync('chroot', [root, `/bin/${prog}`], {
    encoding: 'utf8',
    env: { ...process.env, LD_DEBUG: 'libs' },
  });
  const out = `${r.stdout}${r.stderr}`;
  const at = out.indexOf('find library=libfoo.so');
  assert.ok(at >= 0, out);
  const dirs: string[] = [];
  for (const line of out.slice(at).split('\n').slice(1)) {
    const m = /^\s*\d+:\s+search path=(\S+)/.exec(line);
    if (m) dirs.push(...m[1]!.split(':'));
    else if (/^\s*\d+:\s+(trying file|search cache)/.test(line)) continue;
    else break;
  }
  return dirs;
}
