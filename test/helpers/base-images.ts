// Local base images for tests: no registry is reachable, so each one is a single-layer image made by
// `docker import` of a tar packed here (tar-stream) from files of the host's Debian packages.
//
// Every entry is owned by 0:0 with mtime BASE_MTIME, so the same host packages give the same tar.
// The images are created only when `docker image inspect TAG` fails, so calling ensureBaseImages()
// from every test file is cheap. Image config (all three): ENV PATH=/usr/local/sbin:/usr/local/bin:
// /usr/sbin:/usr/bin:/sbin:/bin, CMD ["/bin/sh"].
//
// slimtui-test/busybox:latest  (package busybox-static)
//   /bin/                          dir 0755
//   /bin/busybox                   file 0755, copy of the host's /bin/busybox (must be static: no PT_INTERP)
//   /bin/<applet> -> busybox       symlink, one per name printed by `/bin/busybox --list` (busybox itself excluded)
//   /etc/                          dir 0755
//   /etc/passwd                    file 0644: root (0, /root, /bin/sh) and nobody (65534)
//   /etc/group                     file 0644: root (0) and nogroup (65534)
//   /tmp/                          dir 1777
//
// slimtui-test/musl:latest  = busybox content plus (package musl, laid out as Debian does):
//   /lib/                                   dir 0755
//   /lib/x86_64-linux-musl/                 dir 0755
//   /lib/x86_64-linux-musl/libc.so          file 0755, copy of the host's (musl's libc and loader in one file)
//   /lib/ld-musl-x86_64.so.1 -> x86_64-linux-musl/libc.so   symlink (the PT_INTERP of musl binaries)
//
// slimtui-test/glibc:latest  = busybox content plus the host's glibc/GCC runtime (packages libc6,
// libgcc-s1, libstdc++6), in the classic (not merged-/usr) layout:
//   /lib/                                   dir 0755
//   /lib/x86_64-linux-gnu/                  dir 0755
//   /lib/x86_64-linux-gnu/<soname>          for ld-linux-x86-64.so.2, libc.so.6, libm.so.6, libpthread.so.0,
//                                           libdl.so.2, libgcc_s.so.1, libstdc++.so.6: a copy of the host's
//                                           file (mode kept); where the host's soname is a symlink (libstdc++.so.6
//                                           -> libstdc++.so.6.0.30) the real file is copied under its own name and
//                                           the soname is a symlink to it, as on the host
//   /lib64/                                 dir 0755
//   /lib64/ld-linux-x86-64.so.2 -> /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2   symlink (the PT_INTERP)
//   /etc/ld.so.conf                         file 0644: "/lib/x86_64-linux-gnu\n" (no ld.so.cache: the loader
//                                           falls back to its built-in dirs, which include /lib/x86_64-linux-gnu)
import { execFile } from 'node:child_process';
import { lstat, readFile, realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { pack as tarPack } from 'tar-stream';
import type { TestDaemon } from './docker-daemon.js';

const execFileP = promisify(execFile);

export const BUSYBOX_IMAGE = 'slimtui-test/busybox:latest';
export const MUSL_IMAGE = 'slimtui-test/musl:latest';
export const GLIBC_IMAGE = 'slimtui-test/glibc:latest';

/** Where Debian's busybox-static puts the binary. */
export const HOST_BUSYBOX = '/bin/busybox';
/** Where Debian's musl package puts libc.so (the loader /lib/ld-musl-x86_64.so.1 links to it). */
export const HOST_MUSL_LIBC = '/lib/x86_64-linux-musl/libc.so';
export const HOST_GNU_LIBDIR = '/lib/x86_64-linux-gnu';
export const GLIBC_SONAMES = [
  'ld-linux-x86-64.so.2',
  'libc.so.6',
  'libm.so.6',
  'libpthread.so.0',
  'libdl.so.2',
  'libgcc_s.so.1',
  'libstdc++.so.6',
] as const;

const BASE_MTIME = new Date('2020-01-01T00:00:00Z');
const IMAGE_CHANGES = ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'CMD ["/bin/sh"]'];

export type RootfsEntry =
  | { type: 'directory'; path: string; mode: number }
  | { type: 'file'; path: string; mode: number; content: Buffer }
  | { type: 'symlink'; path: string; target: string };

const ETC_PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const ETC_GROUP = 'root:x:0:\nnogroup:x:65534:\n';

/** True when the ELF file has a PT_INTERP program header (i.e. is dynamically linked). */
function hasInterp(elf: Buffer): boolean {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) {
    throw new Error('not a 64-bit little-endian ELF file');
  }
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    if (elf.readUInt32LE(phoff + i * phentsize) === 3 /* PT_INTERP */) return true;
  }
  return false;
}

async function hostFile(path: string, what: string): Promise<{ content: Buffer; mode: number }> {
  try {
    const st = await stat(path);
    return { content: await readFile(path), mode: st.mode & 0o7777 };
  } catch (e) {
    throw new Error(`base image: cannot read ${path} (${what}): ${(e as Error).message}`);
  }
}

/** The busybox rootfs entries (see the header comment). */
export async function busyboxEntries(): Promise<RootfsEntry[]> {
  const bb = await hostFile(HOST_BUSYBOX, 'apt-get install busybox-static');
  if (hasInterp(bb.content)) {
    throw new Error(`base image: ${HOST_BUSYBOX} is dynamically linked; install Debian's busybox-static`);
  }
  const { stdout } = await execFileP(HOST_BUSYBOX, ['--list']);
  const applets = [...new Set(stdout.split('\n').map((s) => s.trim()))]
    .filter((a) => a !== '' && a !== 'busybox' && !a.includes('/'))
    .sort();
  if (applets.length < 50) throw new Error(`base image: ${HOST_BUSYBOX} --list printed only ${applets.length} applets`);
  return [
    { type: 'directory', path: 'bin', mode: 0o755 },
    { type: 'file', path: 'bin/busybox', mode: 0o755, content: bb.content },
    ...applets.map((a): RootfsEntry => ({ type: 'symlink', path: `bin/${a}`, target: 'busybox' })),
    { type: 'directory', path: 'etc', mode: 0o755 },
    { type: 'file', path: 'etc/passwd', mode: 0o644, content: Buffer.from(ETC_PASSWD) },
    { type: 'file', path: 'etc/group', mode: 0o644, content: Buffer.from(ETC_GROUP) },
    { type: 'directory', path: 'tmp', mode: 0o1777 },
  ];
}

/** The musl additions (see the header comment). */
export async function muslEntries(): Promise<RootfsEntry[]> {
  const libc = await hostFile(await realpath(HOST_MUSL_LIBC).catch(() => HOST_MUSL_LIBC), 'apt-get install musl');
  return [
    { type: 'directory', path: 'lib', mode: 0o755 },
    { type: 'directory', path: 'lib/x86_64-linux-musl', mode: 0o755 },
    { type: 'file', path: 'lib/x86_64-linux-musl/libc.so', mode: libc.mode, content: libc.content },
    { type: 'symlink', path: 'lib/ld-musl-x86_64.so.1', target: 'x86_64-linux-musl/libc.so' },
  ];
}

/** The glibc additions (see the header comment). */
export async function glibcEntries(): Promise<RootfsEntry[]> {
  const entries: RootfsEntry[] = [
    { type: 'directory', path: 'lib', mode: 0o755 },
    { type: 'directory', path: 'lib/x86_64-linux-gnu', mode: 0o755 },
  ];
  for (const soname of GLIBC_SONAMES) {
    const hostPath = join(HOST_GNU_LIBDIR, soname);
    const st = await lstat(hostPath).catch(() => undefined);
    if (!st) throw new Error(`base image: ${hostPath} is missing`);
    if (st.isSymbolicLink()) {
      const real = await realpath(hostPath);
      const f = await hostFile(real, soname);
      entries.push({ type: 'file', path: `lib/x86_64-linux-gnu/${basename(real)}`, mode: f.mode, content: f.content });
      entries.push({ type: 'symlink', path: `lib/x86_64-linux-gnu/${soname}`, target: basename(real) });
    } else {
      const f = await hostFile(hostPath, soname);
      entries.push({ type: 'file', path: `lib/x86_64-linux-gnu/${soname}`, mode: f.mode, content: f.content });
    }
  }
  entries.push(
    { type: 'directory', path: 'lib64', mode: 0o755 },
    { type: 'symlink', path: 'lib64/ld-linux-x86-64.so.2', target: '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' },
    { type: 'file', path: 'etc/ld.so.conf', mode: 0o644, content: Buffer.from('/lib/x86_64-linux-gnu\n') },
  );
  return entries;
}

/** Packs entries into an uncompressed tar (directories first, in the given order otherwise). */
export async function packRootfs(entries: RootfsEntry[]): Promise<Buffer> {
  const p = tarPack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    p.on('data', (b: unknown) => chunks.push(b as Buffer));
    p.on('end', () => resolve(Buffer.concat(chunks)));
    p.on('error', reject);
  });
  const common = { uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: BASE_MTIME };
  const ordered = [...entries.filter((e) => e.type === 'directory'), ...entries.filter((e) => e.type !== 'directory')];
  for (const e of ordered) {
    if (e.type === 'directory') p.entry({ ...common, name: `${e.path}/`, type: 'directory', mode: e.mode });
    else if (e.type === 'symlink')
      p.entry({ ...common, name: e.path, type: 'symlink', linkname: e.target, mode: 0o777 });
    else p.entry({ ...common, name: e.path, type: 'file', mode: e.mode, size: e.content.length }, e.content);
  }
  p.finalize();
  return done;
}

async function imageExists(d: TestDaemon, tag: string): Promise<boolean> {
  try {
    await d.docker(['image', 'inspect', '--format', '{{.Id}}', tag]);
    return true;
  } catch {
    return false;
  }
}

async function importImage(d: TestDaemon, tag: string, entries: RootfsEntry[]): Promise<void> {
  const tar = await packRootfs(entries);
  const changes = IMAGE_CHANGES.flatMap((c) => ['--change', c]);
  await d.docker(['image', 'import', ...changes, '-', tag], { input: tar });
}

/** The entries of each base image, by tag. */
export async function baseImageEntries(): Promise<Record<string, RootfsEntry[]>> {
  const bb = await busyboxEntries();
  return {
    [BUSYBOX_IMAGE]: bb,
    [MUSL_IMAGE]: [...bb, ...(await muslEntries())],
    [GLIBC_IMAGE]: [...bb, ...(await glibcEntries())],
  };
}

async function createMissing(d: TestDaemon): Promise<void> {
  const tags = [BUSYBOX_IMAGE, MUSL_IMAGE, GLIBC_IMAGE];
  const missing: string[] = [];
  for (const t of tags) if (!(await imageExists(d, t))) missing.push(t);
  if (missing.length === 0) return;
  const all = await baseImageEntries();
  for (const t of missing) await importImage(d, t, all[t] ?? []);
}

const inFlight = new Map<string, Promise<void>>();

/** Creates the three slimtui-test/* base images on d unless they exist already. */
export function ensureBaseImages(d: TestDaemon): Promise<void> {
  let p = inFlight.get(d.dockerHost);
  if (!p) {
    // Shared while in flight only: a later call inspects again (cheap), in case a test removed one.
    const created = createMissing(d).finally(() => inFlight.delete(d.dockerHost));
    inFlight.set(d.dockerHost, created);
    p = created;
  }
  return p;
}
