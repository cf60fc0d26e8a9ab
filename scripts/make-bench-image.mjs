// Writes a synthetic docker-archive for the benchmark: >= 1 GB, >= 200,000 entries, 12 layers, with
// real-looking trees (a distro base, language packages, node_modules, an app), overwrites, deletions
// (file whiteouts, a directory whiteout) and an opaque directory. Deterministic (seeded), legacy layout,
// manifest.json last. Usage: node scripts/make-bench-image.mjs OUT.tar
import { createWriteStream } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { PassThrough } from 'node:stream';
import tar from 'tar-stream';

const out = process.argv[2];
if (!out) {
  console.error('usage: make-bench-image.mjs OUT.tar');
  process.exit(2);
}

let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pool = randomBytes(64 << 20); // content pool; bytes need not be reproducible, sizes and names are
const MTIME = new Date('2024-01-01T00:00:00Z');

function content(size) {
  const off = Math.floor(rand() * (pool.length - Math.min(size, pool.length)));
  if (size <= pool.length - off) return pool.subarray(off, off + size);
  const parts = [];
  for (let left = size; left > 0; left -= pool.length) parts.push(pool.subarray(0, Math.min(left, pool.length)));
  return Buffer.concat(parts);
}

/** Builds one layer as a list of [header, size] records (content made at write time). */
function layerSpecs() {
  const layers = [];
  const L = (name) => {
    const l = { name, items: [] };
    layers.push(l);
    return l;
  };
  const dir = (l, p) => l.items.push({ name: p + '/', type: 'directory', mode: 0o755 });
  const file = (l, p, size, mode = 0o644) => l.items.push({ name: p, type: 'file', size, mode });
  const tree = (l, root, dirs, filesPerDir, sizeFn, ext) => {
    dir(l, root);
    for (let d = 0; d < dirs; d++) {
      const dp = `${root}/pkg${d}`;
      dir(l, dp);
      for (let f = 0; f < filesPerDir; f++) file(l, `${dp}/mod_${f}.${ext}`, sizeFn());
    }
  };
  const small = () => 200 + Math.floor(rand() * 3000);
  const medium = () => 2000 + Math.floor(rand() * 12000);

  const base = L('ADD rootfs.tar.xz /');
  for (const d of ['bin', 'etc', 'lib', 'usr', 'usr/bin', 'usr/lib', 'usr/share', 'var', 'var/cache', 'tmp']) dir(base, d);
  tree(base, 'usr/lib/x86_64-linux-gnu', 150, 40, small, 'so');
  tree(base, 'usr/share/doc', 300, 20, small, 'txt');
  for (let i = 0; i < 20; i++) file(base, `usr/bin/tool${i}`, 3_000_000 + Math.floor(rand() * 2_000_000), 0o755);

  const apt = L('RUN apt-get update && apt-get install -y build-essential python3');
  tree(apt, 'var/lib/apt/lists', 20, 20, medium, 'list');
  tree(apt, 'usr/lib/gcc/x86_64-linux-gnu/12', 40, 50, medium, 'a');
  for (let i = 0; i < 10; i++) file(apt, `usr/lib/gcc/x86_64-linux-gnu/12/cc1-${i}`, 25_000_000, 0o755);
  tree(apt, 'usr/include', 200, 40, small, 'h');

  const py = L('RUN pip install -r requirements.txt');
  tree(py, 'usr/local/lib/python3.11/site-packages', 1000, 40, small, 'py');
  tree(py, 'root/.cache/pip', 50, 20, medium, 'whl');

  const node = L('RUN npm ci');
  tree(node, 'app/node_modules', 3800, 30, small, 'js');
  for (let i = 0; i < 8; i++) file(node, `app/node_modules/big${i}/dist/bundle.js`, 8_000_000);

  const app = L('COPY . /app');
  tree(app, 'app/src', 200, 20, small, 'ts');
  for (let i = 0; i < 6; i++) file(app, `app/assets/video${i}.bin`, 30_000_000);

  // Overwrites: rewrite part of the python tree and some binaries.
  const over = L('RUN pip install --upgrade -r requirements.txt');
  for (let d = 0; d < 300; d++) for (let f = 0; f < 10; f++) over.items.push({ name: `usr/local/lib/python3.11/site-packages/pkg${d}/mod_${f}.py`, type: 'file', size: small(), mode: 0o644 });
  for (let i = 0; i < 10; i++) file(over, `usr/bin/tool${i}`, 3_500_000, 0o755);

  const chmod = L('RUN chmod -R g+w /app/assets');
  for (let i = 0; i < 6; i++) file(chmod, `app/assets/video${i}.bin`, 30_000_000, 0o664);

  const del = L('RUN rm -rf /var/lib/apt/lists/* /root/.cache && rm /app/assets/video0.bin');
  for (let d = 0; d < 20; d++) del.items.push({ name: `var/lib/apt/lists/.wh.pkg${d}`, type: 'file', size: 0, mode: 0o644 });
  del.items.push({ name: 'root/.wh..cache', type: 'file', size: 0, mode: 0o644 });
  del.items.push({ name: 'app/assets/.wh.video0.bin', type: 'file', size: 0, mode: 0o644 });

  const opq = L('RUN rm -rf /usr/share/doc && mkdir /usr/share/doc && echo kept > /usr/share/doc/README');
  opq.items.push({ name: 'usr/share/doc/', type: 'directory', mode: 0o755 });
  opq.items.push({ name: 'usr/share/doc/.wh..wh..opq', type: 'file', size: 0, mode: 0o644 });
  file(opq, 'usr/share/doc/README', 5);

  const more = L('COPY dist/ /app/dist/');
  tree(more, 'app/dist', 400, 25, medium, 'js');
  const logs = L('RUN ./build.sh > /var/log/build.log');
  tree(logs, 'var/log/build', 50, 40, small, 'log');
  for (let i = 0; i < 5; i++) file(logs, `var/cache/build/blob${i}`, 20_000_000);
  const last = L('RUN rm -rf /var/cache/build');
  last.items.push({ name: 'var/cache/.wh.build', type: 'file', size: 0, mode: 0o644 });
  return layers;
}

async function layerTar(items, sink) {
  const pack = tar.pack();
  const hash = createHash('sha256');
  const done = (async () => {
    for await (const chunk of pack) {
      hash.update(chunk);
      await sink(chunk);
    }
  })();
  for (const it of items) {
    const header = { name: it.name, type: it.type, mode: it.mode, mtime: MTIME, uid: 0, gid: 0, size: it.type === 'file' ? it.size : 0 };
    await new Promise((res, rej) => pack.entry(header, it.type === 'file' ? content(it.size) : undefined, (e) => (e ? rej(e) : res())));
  }
  pack.finalize();
  await done;
  return hash.digest('hex');
}

const tarBytes = (items) => items.reduce((s, it) => s + 512 + (it.type === 'file' ? Math.ceil(it.size / 512) * 512 : 0), 0) + 1024;

async function main() {
  const layers = layerSpecs();
  const outer = tar.pack();
  const file = createWriteStream(out);
  const writing = pipeline(outer, file);
  const diffIds = [];
  let entries = 0;
  for (const [i, l] of layers.entries()) {
    const id = createHash('sha256').update(`bench-layer-${i}`).digest('hex');
    const size = tarBytes(l.items);
    entries += l.items.length;
    const pt = new PassThrough();
    const entry = outer.entry({ name: `${id}/layer.tar`, size, mtime: MTIME, mode: 0o644 });
    const piped = pipeline(pt, entry);
    const diff = await layerTar(l.items, (chunk) => (pt.write(chunk) ? undefined : new Promise((r) => pt.once('drain', r))));
    pt.end();
    await piped;
    diffIds.push(`sha256:${diff}`);
    l.id = id;
  }
  const config = JSON.stringify({
    architecture: 'amd64', os: 'linux', created: MTIME.toISOString(),
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['node', '/app/dist/server.js'], WorkingDir: '/app' },
    rootfs: { type: 'layers', diff_ids: diffIds },
    // As the classic builder writes them: RUN as `/bin/sh -c CMD`, the other instructions as `#(nop)`.
    history: layers.map((l) => ({ created: MTIME.toISOString(), created_by: l.name.startsWith('RUN ') ? `/bin/sh -c ${l.name.slice(4)}` : `/bin/sh -c #(nop) ${l.name}` })),
  });
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  outer.entry({ name: configName, mtime: MTIME }, config);
  outer.entry({ name: 'manifest.json', mtime: MTIME }, JSON.stringify([{ Config: configName, RepoTags: ['slimtui/bench:latest'], Layers: layers.map((l) => `${l.id}/layer.tar`) }]));
  outer.finalize();
  await writing;
  console.error(`wrote ${out}: ${layers.length} layers, ${entries} entries`);
}
await main();
