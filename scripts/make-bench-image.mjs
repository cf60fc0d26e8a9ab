// Builds the benchmark images into a cache directory, each once (issue 8):
//   real.tar         (a) a docker-archive of two layers tarred with `tar` from this machine's /usr and /etc (real ELF
//                        files, hard links, symlinks), >= 1.5 GB;
//   real-oci/        (b) its OCI twin with gzip layers (`skopeo copy --dest-compress`), read as an OCI layout dir;
//   many.tar         (c) 1,000,000 entries of small files (node_modules-like) in 4 layers, with file whiteouts, a
//                        directory whiteout and an opaque directory;
//   many5m.tar       (d) 5,000,000 entries (only with BENCH_5M=1: it takes ~5 GB of disk and a minute or two).
// No docker is needed: the outer archive is written here (legacy layout, manifest.json last).
// Usage: node scripts/make-bench-image.mjs CACHE_DIR [real|oci|many|many5m]...
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

// The old form, `make-bench-image.mjs OUT.tar` (scripts/bench-tui.mjs uses it): one 250,000-entry image at OUT.tar.
const legacy = process.argv[2]?.endsWith('.tar') ? process.argv[2] : undefined;
const [cache, ...which] = legacy ? [dirname(legacy), 'legacy'] : process.argv.slice(2);
if (!cache) {
  console.error('usage: make-bench-image.mjs CACHE_DIR [real|oci|many|many5m]...');
  process.exit(2);
}
mkdirSync(cache, { recursive: true });
const MTIME = Math.floor(Date.parse('2024-01-01T00:00:00Z') / 1000);
const sh = (cmd, args, ok = [0]) => {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (!ok.includes(r.status)) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
};

// ---- a tiny ustar writer (names < 100 bytes here, so no prefix/long-name records are needed) ----
const BLOCK = 512;
const ZERO = Buffer.alloc(BLOCK * 20);
function octal(buf, off, len, n) {
  const s = n.toString(8).padStart(len - 1, '0');
  buf.write(s, off, len - 1, 'latin1');
  buf[off + len - 1] = 0;
}
function header(name, { size = 0, type = '0', mode = 0o644, linkname = '' } = {}) {
  const h = Buffer.alloc(BLOCK);
  if (Buffer.byteLength(name) >= 100) throw new Error(`name too long: ${name}`);
  h.write(name, 0);
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, MTIME);
  h.fill(0x20, 148, 156);
  h[156] = type.charCodeAt(0);
  if (linkname) h.write(linkname, 157);
  h.write('ustar\u000000', 257, 'latin1');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i];
  h.write(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 'latin1');
  return h;
}

/** Writes a tar to `fd` through a 4 MiB buffer, hashing it; returns { bytes, sha256 }. */
class TarWriter {
  constructor(fd) {
    this.fd = fd;
    this.buf = Buffer.allocUnsafe(4 << 20);
    this.n = 0;
    this.bytes = 0;
    this.hash = createHash('sha256');
  }
  put(b) {
    if (this.n + b.length > this.buf.length) this.flush();
    if (b.length > this.buf.length) {
      this.hash.update(b);
      writeSync(this.fd, b);
    } else {
      b.copy(this.buf, this.n);
      this.n += b.length;
    }
    this.bytes += b.length;
  }
  flush() {
    if (this.n === 0) return;
    const part = this.buf.subarray(0, this.n);
    this.hash.update(part);
    writeSync(this.fd, part);
    this.n = 0;
  }
  file(name, size, fill) {
    this.put(header(name, { size }));
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    const body = Buffer.alloc(padded);
    body.fill(fill, 0, size);
    this.put(body);
  }
  dir(name) {
    this.put(header(name.endsWith('/') ? name : `${name}/`, { type: '5', mode: 0o755 }));
  }
  end() {
    this.put(ZERO.subarray(0, BLOCK * 2));
    this.flush();
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }
}

/** Copies a file into the writer as one entry of the outer tar. */
async function putFile(w, name, path) {
  const size = statSync(path).size;
  w.put(header(name, { size }));
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) w.put(chunk);
  const pad = (BLOCK - (size % BLOCK)) % BLOCK;
  if (pad) w.put(ZERO.subarray(0, pad));
}

/** A docker-archive (legacy layout) from layer tar files already on disk; returns nothing, writes `out`. */
async function dockerArchive(out, layers, tag) {
  const diffIds = [];
  for (const l of layers) {
    const r = spawnSync('sha256sum', [l.path], { encoding: 'utf8' });
    diffIds.push(`sha256:${r.stdout.split(' ')[0]}`);
  }
  const iso = new Date(MTIME * 1000).toISOString();
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: iso,
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: layers.map((l) => ({ created: iso, created_by: l.createdBy })),
    }),
  );
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  const ids = diffIds.map((d) => d.slice(7));
  const tmp = `${out}.part`;
  const fd = openSync(tmp, 'w');
  const w = new TarWriter(fd);
  for (const [i, l] of layers.entries()) {
    w.dir(ids[i]);
    await putFile(w, `${ids[i]}/layer.tar`, l.path);
  }
  const put = (name, bytes) => {
    w.put(header(name, { size: bytes.length }));
    w.put(Buffer.concat([bytes, ZERO.subarray(0, (BLOCK - (bytes.length % BLOCK)) % BLOCK)]));
  };
  put(configName, config);
  put(
    'manifest.json',
    Buffer.from(JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: ids.map((id) => `${id}/layer.tar`) }])),
  );
  w.end();
  closeSync(fd);
  renameSync(tmp, out);
}

// ---- (a) real files ----
async function realImage() {
  const out = join(cache, 'real.tar');
  if (existsSync(out)) return;
  const work = join(cache, 'real-work');
  mkdirSync(work, { recursive: true });
  const l1 = join(work, 'layer1.tar');
  const l2 = join(work, 'layer2.tar');
  // GNU tar, as a build would: hard links kept, sockets skipped; exit 1 only means "a file changed as we read it".
  const opts = [
    '--ignore-failed-read',
    '--warning=no-file-changed',
    '--warning=no-file-ignored',
    '--warning=no-file-removed',
    '--exclude=usr/lib/x86_64-linux-gnu/dri',
  ];
  console.error('bench: tarring /etc /usr/bin /usr/sbin /usr/lib/x86_64-linux-gnu (layer 1) …');
  sh('tar', ['-C', '/', ...opts, '-cf', l1, 'etc', 'usr/bin', 'usr/sbin', 'usr/lib/x86_64-linux-gnu'], [0, 1]);
  console.error('bench: tarring /usr/share /usr/include (layer 2) …');
  sh('tar', ['-C', '/', ...opts, '-cf', l2, 'usr/share', 'usr/include'], [0, 1]);
  await dockerArchive(
    out,
    [
      { path: l1, createdBy: '/bin/sh -c #(nop) ADD rootfs.tar /' },
      { path: l2, createdBy: '/bin/sh -c apt-get install -y build-essential' },
    ],
    'slimtui/bench-real:latest',
  );
  rmSync(work, { recursive: true, force: true });
}

// ---- (b) its OCI gzip twin ----
function ociTwin() {
  const out = join(cache, 'real-oci');
  if (existsSync(join(out, 'index.json'))) return;
  console.error('bench: skopeo copy docker-archive → oci (gzip) …');
  rmSync(out, { recursive: true, force: true });
  sh('skopeo', [
    'copy',
    '--quiet',
    '--dest-compress',
    '--dest-compress-format',
    'gzip',
    `docker-archive:${join(cache, 'real.tar')}`,
    `oci:${out}:latest`,
  ]);
}

// ---- (c)/(d) many small files ----
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const small = () => 100 + Math.floor(rand() * 1400);

/** `total` entries in four layers: packages, an update that rewrites and deletes, caches, then a cleanup. */
async function manyImage(name, total) {
  const out = join(cache, name);
  if (existsSync(out)) return;
  const work = join(cache, `${name}-work`);
  mkdirSync(work, { recursive: true });
  const per = 25; // files per package directory
  const layerFile = (i) => join(work, `layer${i}.tar`);
  const write = (i, fill) => {
    const fd = openSync(layerFile(i), 'w');
    const w = new TarWriter(fd);
    fill(w);
    w.end();
    closeSync(fd);
  };
  const pkgs0 = Math.floor((total * 0.6) / (per + 1));
  const pkgs1 = Math.floor((total * 0.25) / (per + 1));
  const pkgs2 = Math.floor((total * 0.15) / (per + 1));
  const tree = (w, root, pkgs, from = 0) => {
    w.dir(root);
    for (let p = from; p < from + pkgs; p++) {
      const d = `${root}/p${p % 997}/pkg-${p}`;
      if (p < 997 + from) w.dir(`${root}/p${p % 997}`);
      w.dir(d);
      for (let f = 0; f < per; f++) w.file(`${d}/m${f}.js`, small(), 0x61);
    }
  };
  console.error(`bench: writing ${name} (${total} entries) …`);
  write(0, (w) => {
    w.dir('app');
    tree(w, 'app/node_modules', pkgs0);
  });
  write(1, (w) => {
    // npm update: rewrites the first 10% of packages, deletes 5% of files and one whole package tree.
    for (let p = 0; p < pkgs0 / 10; p++) w.file(`app/node_modules/p${p % 997}/pkg-${p}/m0.js`, small(), 0x62);
    for (let p = 0; p < pkgs0 / 20; p++) w.file(`app/node_modules/p${p % 997}/pkg-${p}/.wh.m1.js`, 0, 0);
    w.file(`app/node_modules/p${(pkgs0 - 1) % 997}/.wh.pkg-${pkgs0 - 1}`, 0, 0);
    tree(w, 'usr/lib/node', pkgs1, 0);
  });
  write(2, (w) => {
    w.dir('root');
    tree(w, 'root/.npm/_cacache', pkgs2, 0);
  });
  write(3, (w) => {
    // rm -rf /root/.npm && mkdir /root/.npm: an opaque directory; and a log file.
    w.dir('root/.npm');
    w.file('root/.npm/.wh..wh..opq', 0, 0);
    w.file('root/.npm/build.log', 4096, 0x63);
  });
  await dockerArchive(
    out,
    [0, 1, 2, 3].map((i) => ({
      path: layerFile(i),
      createdBy: [
        '/bin/sh -c #(nop) COPY node_modules /app',
        '/bin/sh -c npm update',
        '/bin/sh -c npm cache add',
        '/bin/sh -c rm -rf /root/.npm && mkdir /root/.npm',
      ][i],
    })),
    `slimtui/bench-${name.replace('.tar', '')}:latest`,
  );
  rmSync(work, { recursive: true, force: true });
}

for (const w of which.length > 0 ? which : ['real', 'oci', 'many']) {
  if (w === 'real') await realImage();
  else if (w === 'oci') ociTwin();
  else if (w === 'many') await manyImage('many.tar', 1_000_000);
  else if (w === 'many5m') await manyImage('many5m.tar', 5_000_000);
  else if (w === 'many100k') await manyImage('many100k.tar', 100_000);
  else if (w === 'legacy') await manyImage(basename(legacy), 250_000);
  else throw new Error(`unknown image ${w}`);
}
