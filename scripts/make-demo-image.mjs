#!/usr/bin/env node
// Builds the bundled demo image, demo/demo-image.tar: a small, Alpine-like (musl-only) app image in the legacy
// `docker save` layout, made without Docker from real files (busybox-static, the musl loader, musl headers, binaries
// compiled here) plus a little generated data (named as such below). It shows every kind of finding slimtui has;
// demo/README.md lists them with their numbers.
//
//   node scripts/make-demo-image.mjs [out]        (default out: demo/demo-image.tar)
//
// Needs (Debian package names): gcc, musl-tools (musl-gcc), musl + musl-dev, binutils (ar), busybox-static.
// Every tar (the outer archive and each layer) is written with tar-stream. Timestamps are fixed and owners are
// numeric, so the output is byte-for-byte reproducible for the same compilers, host files and Node (zlib) version.
// The committed tar is what slimtui uses at runtime; this script is only for regenerating it.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buffer as collect } from 'node:stream/consumers';
import { gzipSync, deflateSync } from 'node:zlib';
import tarStream from 'tar-stream';

const OUT = process.argv[2] ?? 'demo/demo-image.tar';
const EPOCH = Date.parse('2024-01-01T00:00:00Z');
const MTIME = new Date(EPOCH);
const REPO_TAG = 'slimtui/demo:latest';

// Host files copied into the image.
const BUSYBOX = '/bin/busybox'; // Debian busybox-static: a static (glibc) build, so it has no PT_INTERP
const MUSL_LIBC = '/lib/x86_64-linux-musl/libc.so'; // Debian `musl`; the loader and libc are one file
const MUSL_INCLUDE = '/usr/include/x86_64-linux-musl'; // Debian `musl-dev`
const MUSL_LIB = '/usr/lib/x86_64-linux-musl'; // Debian `musl-dev`
const MUSL_HEADERS = [
  'alloca.h',
  'endian.h',
  'errno.h',
  'fcntl.h',
  'features.h',
  'limits.h',
  'stddef.h',
  'stdint.h',
  'stdio.h',
  'stdlib.h',
  'string.h',
  'unistd.h',
  'bits/alltypes.h',
  'bits/errno.h',
  'bits/fcntl.h',
  'bits/limits.h',
  'bits/stat.h',
  'bits/stdint.h',
  'sys/stat.h',
  'sys/types.h',
];
const MUSL_LIB_FILES = ['crt1.o', 'crti.o', 'crtn.o', 'Scrt1.o', 'libdl.a', 'libm.a', 'libpthread.a', 'librt.a'];

// ---------------------------------------------------------------------------------------------------------------
// small helpers

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const apkSum = (buf) => 'Q1' + createHash('sha1').update(buf).digest('base64'); // apk's "Q1" + base64(sha1)
const iso = (minutes) => new Date(EPOCH + minutes * 60_000).toISOString().replace('.000Z', 'Z');

/** Deterministic PRNG (mulberry32), for generated data only. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function randomBytes(seed, n) {
  const next = prng(seed);
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i += 4) {
    const v = next();
    for (let k = 0; k < 4 && i + k < n; k++) out[i + k] = (v >>> (8 * k)) & 0xff;
  }
  return out;
}

// entry constructors (names without a leading slash; directories end in "/", as Docker writes them)
const dir = (name, mode = 0o755, uid = 0, gid = 0) => ({
  name: name.replace(/\/?$/, '/'),
  type: 'directory',
  mode,
  uid,
  gid,
});
const file = (name, data, mode = 0o644, uid = 0, gid = 0) => ({
  name,
  type: 'file',
  mode,
  uid,
  gid,
  data: Buffer.from(data),
});
const symlink = (name, linkname) => ({ name, type: 'symlink', mode: 0o777, uid: 0, gid: 0, linkname });
const hardlink = (name, linkname) => ({ name, type: 'link', mode: 0o644, uid: 0, gid: 0, linkname });
// Docker writes whiteouts as empty regular files (overlay2 exporter); mode 0600 keeps tar-stream from defaulting it.
const whiteout = (parent, base) => file(`${parent}/.wh.${base}`, '', 0o600);
const opaque = (parent) => file(`${parent}/.wh..wh..opq`, '', 0o600);

/** Sorts entries the way a directory walk emits them (each directory's children by name, parents first). */
function walkOrder(entries) {
  const key = (e) => e.name.replace(/\/$/, '').split('/');
  return [...entries].sort((a, b) => {
    const ka = key(a),
      kb = key(b);
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    }
    return ka.length - kb.length;
  });
}

/** Packs entries (in the given order) into one uncompressed tar with tar-stream. */
async function makeTar(entries, mtime = MTIME) {
  const pack = tarStream.pack();
  const done = collect(pack);
  for (const e of entries) {
    const header = {
      name: e.name,
      type: e.type,
      mode: e.mode,
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      mtime: e.mtime ?? mtime,
    };
    if (e.linkname !== undefined) header.linkname = e.linkname;
    await new Promise((resolve, reject) => {
      const cb = (err) => (err ? reject(err) : resolve());
      if (e.type === 'file') pack.entry({ ...header, size: e.data.length }, e.data, cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  return done;
}

/** An apk-style package: concatenated gzip streams of a control tar (.PKGINFO) and a data tar. */
async function makeApk(pkginfo, entries) {
  const control = await makeTar([file('.PKGINFO', pkginfo)]);
  const data = await makeTar(entries);
  return Buffer.concat([gzipSync(control, { level: 9 }), gzipSync(data, { level: 9 })]);
}

function run(cmd, args, cwd) {
  try {
    return execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    if (err.code === 'ENOENT')
      throw new Error(`${cmd} not found: install it (see the comment at the top of this script)`);
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${err.stderr?.toString() ?? err.message}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// sources compiled into the image

const SLIMDEMO_H = `#ifndef SLIMDEMO_H
#define SLIMDEMO_H
/* slimdemo: a tiny helper library for the slimtui demo image (installed as a static archive). */
#include <stddef.h>
#include <stdint.h>

uint32_t slimdemo_fnv1a(const void *data, size_t len);
const char *slimdemo_format_bytes(uint64_t n, char *buf, size_t cap);
const char *slimdemo_version(void);

#endif
`;

const SLIMDEMO_HASH_C = `#include "slimdemo.h"

uint32_t slimdemo_fnv1a(const void *data, size_t len)
{
\tconst unsigned char *p = data;
\tuint32_t h = 2166136261u;
\twhile (len--) {
\t\th ^= *p++;
\t\th *= 16777619u;
\t}
\treturn h;
}

const char *slimdemo_version(void)
{
\treturn "slimdemo 0.3.1";
}
`;

const SLIMDEMO_FORMAT_C = `#include <stdio.h>
#include "slimdemo.h"

const char *slimdemo_format_bytes(uint64_t n, char *buf, size_t cap)
{
\tstatic const char *units[] = { "B", "kB", "MB", "GB", "TB" };
\tdouble v = (double)n;
\tint u = 0;
\twhile (v >= 1000.0 && u < 4) {
\t\tv /= 1000.0;
\t\tu++;
\t}
\tif (u == 0)
\t\tsnprintf(buf, cap, "%llu B", (unsigned long long)n);
\telse
\t\tsnprintf(buf, cap, "%.1f %s", v, units[u]);
\treturn buf;
}
`;

const DEMO_APP_C = `/* demo-app: the (pretend) service of the slimtui demo image. Built with musl-gcc -O2 -g, left unstripped. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "slimdemo.h"

struct config {
\tchar listen[64];
\tchar log_level[16];
\tint debug;
};

static void trim(char *s)
{
\tsize_t n = strlen(s);
\twhile (n && (s[n - 1] == '\\n' || s[n - 1] == ' ' || s[n - 1] == '"'))
\t\ts[--n] = 0;
}

static int load_config(const char *path, struct config *cfg, uint32_t *hash)
{
\tchar line[256];
\tFILE *f = fopen(path, "r");
\tif (!f)
\t\treturn -errno;
\t*hash = 2166136261u;
\twhile (fgets(line, sizeof line, f)) {
\t\t*hash ^= slimdemo_fnv1a(line, strlen(line));
\t\tif (line[0] == '#')
\t\t\tcontinue;
\t\tchar *colon = strchr(line, ':');
\t\tif (!colon)
\t\t\tcontinue;
\t\t*colon = 0;
\t\tchar *value = colon + 1;
\t\twhile (*value == ' ' || *value == '"')
\t\t\tvalue++;
\t\ttrim(value);
\t\tif (!strcmp(line, "listen"))
\t\t\tsnprintf(cfg->listen, sizeof cfg->listen, "%s", value);
\t\telse if (!strcmp(line, "log_level"))
\t\t\tsnprintf(cfg->log_level, sizeof cfg->log_level, "%s", value);
\t\telse if (!strcmp(line, "debug"))
\t\t\tcfg->debug = !strcmp(value, "true");
\t}
\tfclose(f);
\treturn 0;
}

int main(int argc, char **argv)
{
\tstruct config cfg = { ":8080", "info", 0 };
\tconst char *path = getenv("DEMO_APP_CONFIG");
\tuint32_t hash = 0;
\tchar size[32];

\tif (argc > 1 && !strcmp(argv[1], "--version")) {
\t\tprintf("demo-app 1.4.2 (%s)\\n", slimdemo_version());
\t\treturn 0;
\t}
\tif (!path)
\t\tpath = "/app/config.yaml";
\tint rc = load_config(path, &cfg, &hash);
\tif (rc < 0) {
\t\tfprintf(stderr, "demo-app: %s: %s\\n", path, strerror(-rc));
\t\treturn 1;
\t}
\tprintf("demo-app: listen=%s log_level=%s debug=%d config=%08x (%s)\\n", cfg.listen, cfg.log_level,
\t       cfg.debug, hash, slimdemo_format_bytes(sizeof cfg, size, sizeof size));
\tif (argc > 1 && !strcmp(argv[1], "--serve"))
\t\tfor (;;)
\t\t\tpause();
\treturn 0;
}
`;

const LEGACY_TOOL_C = `/* legacy-tool: an old helper built against glibc (gcc -O2), copied into a musl-only image by mistake. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
\tdouble bytes = argc > 1 ? atof(argv[1]) : 0;
\tif (bytes <= 0) {
\t\tfprintf(stderr, "usage: legacy-tool BYTES\\n");
\t\treturn 2;
\t}
\tprintf("%.0f bytes is about 10^%.2f\\n", bytes, log10(bytes));
\treturn 0;
}
`;

/** Compiles the C sources in a temp dir; debug paths are mapped so the output does not depend on that dir. */
function compile() {
  const work = mkdtempSync(join(tmpdir(), 'slimtui-demo-'));
  try {
    const sources = {
      'slimdemo.h': SLIMDEMO_H,
      'slimdemo-hash.c': SLIMDEMO_HASH_C,
      'slimdemo-format.c': SLIMDEMO_FORMAT_C,
      'demo-app.c': DEMO_APP_C,
      'legacy-tool.c': LEGACY_TOOL_C,
    };
    for (const [name, text] of Object.entries(sources)) writeFileSync(join(work, name), text);
    const map = `-ffile-prefix-map=${work}=/usr/src/slimtui-demo`;
    run('musl-gcc', ['-O2', '-g', map, '-c', 'slimdemo-hash.c', '-o', 'slimdemo-hash.o'], work);
    run('musl-gcc', ['-O2', '-g', map, '-c', 'slimdemo-format.c', '-o', 'slimdemo-format.o'], work);
    run('ar', ['rcsD', 'libslimdemo.a', 'slimdemo-hash.o', 'slimdemo-format.o'], work); // D: no dates/uids
    run('musl-gcc', ['-O2', '-g', map, '-I.', 'demo-app.c', '-L.', '-lslimdemo', '-o', 'demo-app'], work);
    run('gcc', ['-O2', map, 'legacy-tool.c', '-o', 'legacy-tool', '-lm'], work);
    const read = (name) => readFileSync(join(work, name));
    return {
      slimdemoH: Buffer.from(SLIMDEMO_H),
      libslimdemo: read('libslimdemo.a'),
      demoApp: read('demo-app'),
      legacyTool: read('legacy-tool'),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// generated data (honestly synthetic)

/** A 64x64 RGB PNG (a gradient with noise), encoded here. */
function makePng() {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const W = 64,
    H = 64;
  const next = prng(0x10605);
  const raw = Buffer.alloc(H * (1 + W * 3));
  for (let y = 0; y < H; y++) {
    raw[y * (1 + W * 3)] = 0; // filter: none
    for (let x = 0; x < W; x++) {
      const o = y * (1 + W * 3) + 1 + x * 3;
      const noise = next() & 0x1f;
      raw[o] = (x * 4 + noise) & 0xff;
      raw[o + 1] = (y * 4 + noise) & 0xff;
      raw[o + 2] = (128 + ((x ^ y) & 0x3f) + noise) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(W, 0);
  ihdr.writeUInt32BE(H, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Real Alpine package names; every other field of the generated index is synthetic.
const INDEX_PACKAGES = [
  'alpine-baselayout',
  'alpine-baselayout-data',
  'alpine-keys',
  'apk-tools',
  'bash',
  'binutils',
  'brotli-libs',
  'busybox',
  'busybox-binsh',
  'bzip2',
  'c-ares',
  'ca-certificates',
  'ca-certificates-bundle',
  'coreutils',
  'curl',
  'expat',
  'file',
  'findutils',
  'g++',
  'gcc',
  'gdbm',
  'git',
  'gmp',
  'grep',
  'gzip',
  'isl26',
  'jq',
  'libatomic',
  'libblkid',
  'libbz2',
  'libc-utils',
  'libcrypto3',
  'libcurl',
  'libffi',
  'libgcc',
  'libgomp',
  'libidn2',
  'libmagic',
  'libmount',
  'libssl3',
  'libstdc++',
  'libunistring',
  'libuuid',
  'make',
  'mpc1',
  'mpdecimal',
  'mpfr4',
  'musl',
  'musl-dev',
  'musl-utils',
  'ncurses-libs',
  'ncurses-terminfo-base',
  'nghttp2-libs',
  'oniguruma',
  'openssl',
  'pcre2',
  'pkgconf',
  'py3-pip',
  'python3',
  'readline',
  'scanelf',
  'sed',
  'sqlite-libs',
  'ssl_client',
  'tar',
  'tzdata',
  'util-linux',
  'xz',
  'xz-libs',
  'zlib',
  'zlib-dev',
  'zstd-libs',
];

/** A cached apk index, APKINDEX.<hash>.tar.gz: gzip(tar(DESCRIPTION, APKINDEX)), generated. */
async function makeApkIndex() {
  const next = prng(0xa9c1d3);
  const b64 = (n) => randomBytes(next(), n).toString('base64');
  const stanzas = INDEX_PACKAGES.map((name) => {
    const version = `${1 + (next() % 9)}.${next() % 20}.${next() % 10}-r${next() % 6}`;
    return [
      `C:Q1${b64(20)}`,
      `P:${name}`,
      `V:${version}`,
      'A:x86_64',
      `S:${4000 + (next() % 900000)}`,
      `I:${12000 + (next() % 3000000)}`,
      `T:${name} (synthetic index entry for the slimtui demo)`,
      `U:https://pkgs.alpinelinux.org/package/edge/main/x86_64/${name}`,
      'L:MIT',
      `o:${name}`,
      'm:slimtui demo <demo@example.invalid>',
      `t:${1690000000 + (next() % 10000000)}`,
      `c:${randomBytes(next(), 20).toString('hex')}`,
      'D:so:libc.musl-x86_64.so.1',
      '',
    ].join('\n');
  });
  const tar = await makeTar([
    file('DESCRIPTION', 'v3.17.3-0-g0000000000 [https://dl-cdn.alpinelinux.org/alpine/v3.17/main]'),
    file('APKINDEX', stanzas.join('\n')),
  ]);
  return gzipSync(tar, { level: 9 });
}

// ---------------------------------------------------------------------------------------------------------------
// the layers

function installedDb(packages) {
  return packages
    .map((p) =>
      [
        `C:${apkSum(Buffer.from(p.name + p.version))}`,
        `P:${p.name}`,
        `V:${p.version}`,
        'A:x86_64',
        `S:${p.size}`,
        `I:${p.installed}`,
        `T:${p.description}`,
        `U:${p.url}`,
        `L:${p.license}`,
        `o:${p.origin ?? p.name}`,
        't:1700000000',
        ...(p.depends ? [`D:${p.depends}`] : []),
        ...(p.provides ? [`p:${p.provides}`] : []),
        ...p.files.flatMap((f) => (f.dir ? [`F:${f.dir}`] : [`R:${f.name}`, `a:0:0:${f.mode}`, `Z:${apkSum(f.data)}`])),
        '',
      ].join('\n'),
    )
    .join('\n');
}

const BASE_PACKAGES = (busybox, musl) => [
  {
    name: 'musl',
    version: '1.2.3-r5',
    size: 383152,
    installed: musl.length,
    url: 'https://musl.libc.org/',
    license: 'MIT',
    description: 'the musl c library (libc) implementation (Debian build, in the slimtui demo)',
    provides: 'so:libc.musl-x86_64.so.1=1',
    files: [
      { dir: 'lib' },
      { name: 'ld-musl-x86_64.so.1', mode: '755', data: musl },
      { name: 'libc.musl-x86_64.so.1', mode: '777', data: Buffer.from('ld-musl-x86_64.so.1') },
    ],
  },
  {
    name: 'busybox',
    version: '1.35.0-r29',
    size: 507831,
    installed: busybox.length,
    url: 'https://busybox.net/',
    license: 'GPL-2.0-only',
    description: 'Size optimized toolbox of many common UNIX utilities',
    provides: '/bin/sh cmd:busybox=1.35.0-r29 cmd:sh=1.35.0-r29',
    files: [{ dir: 'bin' }, { name: 'busybox', mode: '755', data: busybox }],
  },
];

const APPLETS = {
  bin: ['sh', 'ash', 'cat', 'chmod', 'cp', 'echo', 'grep', 'gzip', 'ln', 'ls', 'mkdir', 'mv', 'rm', 'sed', 'tar'],
  sbin: ['adduser', 'nologin'],
  'usr/bin': ['env', 'sha256sum', 'wget'],
};

const OS_RELEASE = `NAME="slimtui demo"
ID=slimtui-demo
ID_LIKE=alpine
VERSION_ID=0.1.0
PRETTY_NAME="slimtui demo image (not a real distribution; built by scripts/make-demo-image.mjs)"
HOME_URL="https://github.com/slimtui/slimtui"
`;

const PASSWD_BASE = `root:x:0:0:root:/root:/bin/sh
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
nobody:x:65534:65534:nobody:/:/sbin/nologin
`;
const GROUP_BASE = `root:x:0:root
bin:x:1:root,bin,daemon
daemon:x:2:root,bin,daemon
nogroup:x:65533:
nobody:x:65534:
`;

async function layer0() {
  const busybox = readFileSync(BUSYBOX);
  const musl = readFileSync(MUSL_LIBC);
  const world = 'busybox\nmusl\n';
  const entries = [
    dir('bin'),
    file('bin/busybox', busybox, 0o755),
    ...APPLETS.bin.map((a) => symlink(`bin/${a}`, '/bin/busybox')),
    dir('dev'),
    dir('etc'),
    dir('etc/apk'),
    file('etc/apk/arch', 'x86_64\n'),
    // `setup-apkcache` style: makes apk keep downloaded packages in /var/cache/apk (the cache finding below)
    symlink('etc/apk/cache', '/var/cache/apk'),
    dir('etc/apk/keys'),
    file('etc/apk/repositories', 'https://dl-cdn.alpinelinux.org/alpine/v3.17/main\n'),
    file('etc/apk/world', world),
    file('etc/group', GROUP_BASE),
    file('etc/os-release', OS_RELEASE),
    file('etc/passwd', PASSWD_BASE),
    dir('home'),
    dir('lib'),
    dir('lib/apk'),
    dir('lib/apk/db'),
    file('lib/apk/db/installed', installedDb(BASE_PACKAGES(busybox, musl))),
    file('lib/ld-musl-x86_64.so.1', musl, 0o755),
    symlink('lib/libc.musl-x86_64.so.1', 'ld-musl-x86_64.so.1'),
    dir('proc'),
    dir('root', 0o700),
    dir('sbin'),
    ...APPLETS.sbin.map((a) => symlink(`sbin/${a}`, '/bin/busybox')),
    dir('sys'),
    dir('tmp', 0o1777),
    dir('usr'),
    dir('usr/bin'),
    ...APPLETS['usr/bin'].map((a) => symlink(`usr/bin/${a}`, '/bin/busybox')),
    dir('usr/lib'),
    dir('usr/local'),
    dir('usr/local/bin'),
    dir('usr/sbin'),
    dir('var'),
    dir('var/cache'),
    dir('var/cache/apk'),
    file('var/cache/apk/APKINDEX.5022a8a2.tar.gz', await makeApkIndex()),
  ];
  return { entries, busybox, musl };
}

async function layer1(base, built) {
  const headers = MUSL_HEADERS.map((h) => ({ path: h, data: readFileSync(join(MUSL_INCLUDE, h)) }));
  const libs = MUSL_LIB_FILES.map((l) => ({ path: l, data: readFileSync(join(MUSL_LIB, l)) }));
  const headerDirs = [...new Set(MUSL_HEADERS.filter((h) => h.includes('/')).map((h) => dirname(h)))].sort();

  const muslDevFiles = [
    dir('usr'),
    dir('usr/include'),
    ...headerDirs.map((d) => dir(`usr/include/${d}`)),
    ...headers.map((h) => file(`usr/include/${h.path}`, h.data)),
    dir('usr/lib'),
    ...libs.map((l) => file(`usr/lib/${l.path}`, l.data)),
  ];
  const slimdemoFiles = [
    dir('usr'),
    dir('usr/include'),
    file('usr/include/slimdemo.h', built.slimdemoH),
    dir('usr/lib'),
    file('usr/lib/libslimdemo.a', built.libslimdemo),
  ];
  const muslDevApk = await makeApk(
    'pkgname = musl-dev\npkgver = 1.2.3-r5\narch = x86_64\nlicense = MIT\n' +
      'pkgdesc = the musl c library development files (subset, slimtui demo)\ndepend = musl=1.2.3-r5\n',
    muslDevFiles,
  );
  const slimdemoApk = await makeApk(
    'pkgname = slimdemo-dev\npkgver = 0.3.1-r0\narch = x86_64\nlicense = MIT\n' +
      'pkgdesc = slimdemo helper library (static), slimtui demo\n',
    slimdemoFiles,
  );
  const devPackages = [
    {
      name: 'musl-dev',
      version: '1.2.3-r5',
      size: muslDevApk.length,
      installed: 0,
      url: 'https://musl.libc.org/',
      license: 'MIT',
      description: 'the musl c library (libc) implementation (development files)',
      depends: 'musl=1.2.3-r5',
      files: [
        { dir: 'usr/include' },
        ...headers.filter((h) => !h.path.includes('/')).map((h) => ({ name: h.path, mode: '644', data: h.data })),
        ...headerDirs.flatMap((d) => [
          { dir: `usr/include/${d}` },
          ...headers
            .filter((h) => dirname(h.path) === d)
            .map((h) => ({ name: h.path.slice(d.length + 1), mode: '644', data: h.data })),
        ]),
        { dir: 'usr/lib' },
        ...libs.map((l) => ({ name: l.path, mode: '644', data: l.data })),
      ],
    },
    {
      name: 'slimdemo-dev',
      version: '0.3.1-r0',
      size: slimdemoApk.length,
      installed: 0,
      url: 'https://apk.example.invalid/slimtui',
      license: 'MIT',
      description: 'slimdemo helper library (static)',
      files: [
        { dir: 'usr/include' },
        { name: 'slimdemo.h', mode: '644', data: built.slimdemoH },
        { dir: 'usr/lib' },
        { name: 'libslimdemo.a', mode: '644', data: built.libslimdemo },
      ],
    },
  ];
  for (const p of devPackages) p.installed = p.files.reduce((n, f) => n + (f.data?.length ?? 0), 0);

  // What `apk add` + `adduser` change, in the order Docker's exporter walks the upper dir (sorted by name).
  return [
    dir('etc'),
    dir('etc/apk'),
    file('etc/apk/world', 'busybox\nmusl\nmusl-dev\nslimdemo-dev\n'),
    file('etc/group', GROUP_BASE + 'app:x:1000:\n'),
    file('etc/passwd', PASSWD_BASE + 'app:x:1000:1000:Linux User,,,:/app:/sbin/nologin\n'),
    dir('lib'),
    dir('lib/apk'),
    dir('lib/apk/db'),
    file('lib/apk/db/installed', installedDb([...BASE_PACKAGES(base.busybox, base.musl), ...devPackages])),
    dir('usr'),
    dir('usr/include'),
    ...headerDirs.map((d) => dir(`usr/include/${d}`)),
    ...[...headers.map((h) => ({ path: h.path, data: h.data })), { path: 'slimdemo.h', data: built.slimdemoH }]
      .sort((a, b) => (a.path < b.path ? -1 : 1))
      .map((h) => file(`usr/include/${h.path}`, h.data)),
    dir('usr/lib'),
    ...[...libs, { path: 'libslimdemo.a', data: built.libslimdemo }]
      .sort((a, b) => (a.path < b.path ? -1 : 1))
      .map((l) => file(`usr/lib/${l.path}`, l.data)),
    dir('var'),
    dir('var/cache'),
    dir('var/cache/apk'),
    file('var/cache/apk/musl-dev-1.2.3-r5.3f4c9a1e.apk', muslDevApk),
    file('var/cache/apk/slimdemo-dev-0.3.1-r0.8b2d61f0.apk', slimdemoApk),
  ];
}

const CONFIG_DEV = `# demo-app configuration
listen: ":8080"
debug: true
log_level: debug
data_dir: /app/data
plugins_dir: /app/plugins
static_dir: /app/static
`;
const CONFIG_PROD = CONFIG_DEV.replace('debug: true', 'debug: false').replace('log_level: debug', 'log_level: warning');

const ENTRYPOINT = `#!/bin/sh
# Container entrypoint for the slimtui demo image.
set -e
if [ "\${1#-}" != "$1" ]; then
\tset -- demo-app "$@"
fi
exec "$@"
`;

function luaPlugin(name, seed, lines) {
  const next = prng(seed);
  const body = Array.from(
    { length: lines },
    (_, i) => `  ctx:counter("${name}_${i}", ${next() % 1000}) -- sample rule ${i}`,
  );
  return `-- ${name}.lua: demo-app plugin (slimtui demo)\nreturn function(ctx)\n${body.join('\n')}\nend\n`;
}

function layer2(built) {
  return [
    dir('app'),
    file('app/config.yaml', CONFIG_DEV),
    dir('app/data'),
    file('app/data/README.txt', 'Runtime data of demo-app. Owned by the app user (uid 1000).\n', 0o640, 1000, 1000),
    file('app/data/big.bin', randomBytes(0xb16b00b5, 600 * 1024)), // deterministic pseudo-random, incompressible
    file('app/entrypoint.sh', ENTRYPOINT), // copied without the exec bit; layer 3 fixes it with chmod
    dir('app/plugins'),
    file('app/plugins/legacy-auth.lua', luaPlugin('legacy_auth', 0x1a, 40)),
    file('app/plugins/metrics.lua', luaPlugin('metrics', 0x2b, 25)),
    dir('usr'),
    dir('usr/local'),
    dir('usr/local/bin'),
    file('usr/local/bin/demo-app', built.demoApp, 0o755),
    file('usr/local/bin/legacy-tool', built.legacyTool, 0o755),
  ];
}

function layer3() {
  return [
    dir('app'),
    file('app/config.yaml', CONFIG_PROD),
    dir('app/data'),
    whiteout('app/data', 'big.bin'),
    file('app/entrypoint.sh', ENTRYPOINT, 0o755),
    dir('app/plugins'),
    opaque('app/plugins'),
    file('app/plugins/enabled.txt', 'metrics\n'),
    dir('usr'),
    whiteout('usr', 'include'),
  ];
}

function layer4() {
  const logo = makePng();
  const index = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>demo-app</title></head>
<body>
<img src="/static/logo.png" alt="demo-app logo" width="64" height="64">
<h1>demo-app is running</h1>
<p>This page is served from the slimtui demo image.</p>
</body>
</html>
`;
  return [
    dir('app'),
    dir('app/run'), // empty directory
    dir('app/static'),
    dir('app/static/img'),
    file('app/static/img/logo-copy.png', logo), // same bytes as app/static/logo.png
    file('app/static/index.html', index),
    hardlink('app/static/legacy.html', 'app/static/index.html'),
    file('app/static/logo.png', logo),
    dir('usr'),
    dir('usr/local'),
    dir('usr/local/bin'),
    symlink('usr/local/bin/docker-entrypoint', '/app/entrypoint.sh'),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// config, history, docker-save layout

const LABELS = {
  'org.opencontainers.image.title': 'slimtui demo',
  'org.opencontainers.image.description': 'Demo image bundled with slimtui: every kind of finding in five layers',
  'org.opencontainers.image.source': 'https://github.com/slimtui/slimtui',
  'org.opencontainers.image.version': '1.4.2',
};

function history(diffIds) {
  const h = (minutes, createdBy, emptyLayer = false) => ({
    created: iso(minutes),
    created_by: createdBy,
    ...(emptyLayer ? { empty_layer: true } : {}),
  });
  const labels = Object.entries(LABELS)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return [
    h(0, `/bin/sh -c #(nop) ADD file:${diffIds[0].slice(7)} in / `),
    h(0, '/bin/sh -c #(nop)  CMD ["/bin/sh"]', true),
    h(10, `LABEL ${labels}`, true),
    h(10, 'ENV APP_ENV=production', true),
    h(
      11,
      'RUN /bin/sh -c apk add --repository https://apk.example.invalid/slimtui musl-dev slimdemo-dev' +
        '     && adduser -D -H -h /app -s /sbin/nologin -u 1000 app # buildkit',
    ),
    h(12, 'COPY build/rootfs/ / # buildkit'),
    h(
      12,
      'RUN /bin/sh -c rm /app/data/big.bin     && rm -rf /usr/include     && chmod +x /app/entrypoint.sh' +
        "     && sed -i -e 's/^debug: true/debug: false/' -e 's/^log_level: debug/log_level: warning/' /app/config.yaml" +
        '     && rm -rf /app/plugins && mkdir /app/plugins && echo metrics > /app/plugins/enabled.txt # buildkit',
    ),
    h(
      13,
      'RUN /bin/sh -c mkdir -p /app/static/img /app/run' +
        '     && wget -qO- https://assets.example.invalid/demo-static.tar | tar -x -C /app/static' +
        '     && cp /app/static/logo.png /app/static/img/logo-copy.png' +
        '     && ln /app/static/index.html /app/static/legacy.html' +
        '     && ln -s /app/entrypoint.sh /usr/local/bin/docker-entrypoint # buildkit',
    ),
    h(13, 'WORKDIR /app', true),
    h(13, 'USER app', true),
    h(13, 'EXPOSE map[8080/tcp:{}]', true),
    h(13, 'ENTRYPOINT ["/app/entrypoint.sh"]', true),
    h(13, 'CMD ["demo-app" "--serve"]', true),
  ];
}

function imageConfig(diffIds) {
  return {
    architecture: 'amd64',
    config: {
      User: 'app',
      ExposedPorts: { '8080/tcp': {} },
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'APP_ENV=production'],
      Entrypoint: ['/app/entrypoint.sh'],
      Cmd: ['demo-app', '--serve'],
      WorkingDir: '/app',
      Labels: LABELS,
      OnBuild: null,
    },
    created: iso(13),
    history: history(diffIds),
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: diffIds },
  };
}

async function main() {
  const built = compile();
  const base = await layer0();
  const layerTars = [];
  for (const entries of [base.entries, await layer1(base, built), layer2(built), layer3(), layer4()]) {
    layerTars.push(await makeTar(walkOrder(entries)));
  }
  const diffIds = layerTars.map((t) => `sha256:${sha256(t)}`);
  const config = imageConfig(diffIds);
  const configJson = Buffer.from(JSON.stringify(config));
  const configName = `${sha256(configJson)}.json`;

  // Legacy v1 layer ids: sha256 over (parent id, chain id), the chain id as in the OCI spec.
  const ids = [];
  let chain = '';
  for (let i = 0; i < diffIds.length; i++) {
    chain = i === 0 ? diffIds[0] : `sha256:${sha256(`${chain} ${diffIds[i]}`)}`;
    ids.push(sha256(JSON.stringify({ layer_id: chain, parent: ids[i - 1] ?? '' })));
  }
  const layerDirs = ids.map((id, i) => {
    const v1 = {
      id,
      ...(i > 0 ? { parent: ids[i - 1] } : {}),
      created: iso(i === ids.length - 1 ? 13 : 0),
      container_config: { Cmd: null },
      os: 'linux',
      ...(i === ids.length - 1 ? { architecture: 'amd64', config: config.config } : {}),
    };
    return { id, json: JSON.stringify(v1), tar: layerTars[i] };
  });

  const manifest = [{ Config: configName, RepoTags: [REPO_TAG], Layers: ids.map((id) => `${id}/layer.tar`) }];
  const [repo, tag] = REPO_TAG.split(':');
  const repositories = { [repo]: { [tag]: ids[ids.length - 1] } };

  // `docker save` (before Docker 25) tars its temp dir in name order: the layer dirs and the config (hex names),
  // then manifest.json, then repositories. Both of the last two come after every layer; their mtime is 0.
  const outer = [];
  for (const d of layerDirs) {
    outer.push({
      key: d.id,
      entries: [
        dir(d.id),
        file(`${d.id}/VERSION`, '1.0'),
        file(`${d.id}/json`, d.json),
        file(`${d.id}/layer.tar`, d.tar),
      ],
    });
  }
  outer.push({ key: configName, entries: [file(configName, configJson)] });
  outer.sort((a, b) => (a.key < b.key ? -1 : 1));
  const epoch0 = new Date(0);
  const tail = [
    { ...file('manifest.json', JSON.stringify(manifest)), mtime: epoch0 },
    { ...file('repositories', JSON.stringify(repositories) + '\n'), mtime: epoch0 },
  ];
  const archive = await makeTar([...outer.flatMap((o) => o.entries), ...tail]);

  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, archive);
  console.log(`${OUT}: ${archive.length} bytes, config ${configName}`);
  layerTars.forEach((t, i) => console.log(`  layer ${i}: ${ids[i]}/layer.tar ${t.length} bytes ${diffIds[i]}`));
}

await main();
