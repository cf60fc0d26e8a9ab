#!/usr/bin/env node
// Writes "version 1.5" of the bundled demo image for the compare-view screenshot: demo/demo-image.tar plus one
// layer, `RUN pip install requests && rm /app/static/legacy.html && sed -i … /app/config.yaml`, which adds a
// (generated) Python package tree, deletes a file (a whiteout) and rewrites a config file. tar-stream only.
//   node scripts/make-diff-demo.mjs OUT.tar
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { buffer as collect } from 'node:stream/consumers';
import { Readable } from 'node:stream';
import tarStream from 'tar-stream';

const out = process.argv[2];
if (!out) {
  console.error('usage: make-diff-demo.mjs OUT.tar');
  process.exit(2);
}
const MTIME = new Date('2024-02-01T00:00:00Z');
const CMD = 'pip install requests==2.31.0 && rm /app/static/legacy.html && sed -i s/warning/info/ /app/config.yaml';

let seed = 7;
const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const text = (n, tag) =>
  Buffer.from(
    Array.from({ length: Math.ceil(n / 40) }, (_, i) => `# ${tag} ${i} ${'x'.repeat(28)}\n`)
      .join('')
      .slice(0, n),
  );

async function pack(entries) {
  const p = tarStream.pack();
  const done = collect(p);
  for (const e of entries)
    p.entry(
      {
        uid: 0,
        gid: 0,
        mtime: MTIME,
        mode: e.type === 'directory' ? 0o755 : 0o644,
        ...e,
        ...(e.data ? { size: e.data.length } : {}),
      },
      e.data,
    );
  p.finalize();
  return done;
}

async function main() {
  const input = readFileSync('demo/demo-image.tar');
  const files = new Map();
  const ex = tarStream.extract();
  const reading = (async () => {
    for await (const entry of ex) files.set(entry.header.name, { header: entry.header, data: await collect(entry) });
  })();
  Readable.from([input]).pipe(ex);
  await reading;
  const manifest = JSON.parse(files.get('manifest.json').data.toString());
  const config = JSON.parse(files.get(manifest[0].Config).data.toString());
  const site = 'usr/lib/python3.11/site-packages';
  const layer = [
    { name: 'usr/lib/python3.11/', type: 'directory' },
    { name: `${site}/`, type: 'directory' },
  ];
  for (const [pkg, n, size] of [
    ['requests', 18, 9000],
    ['urllib3', 40, 12000],
    ['idna', 8, 40000],
    ['charset_normalizer', 22, 16000],
    ['certifi', 2, 140000],
  ]) {
    layer.push({ name: `${site}/${pkg}/`, type: 'directory' });
    for (let i = 0; i < n; i++)
      layer.push({ name: `${site}/${pkg}/mod${i}.py`, data: text(Math.floor(size * (0.5 + rand())), pkg) });
  }
  layer.push({ name: 'app/', type: 'directory', mode: 0o755, uid: 1000, gid: 1000 });
  layer.push({ name: 'app/static/', type: 'directory', mode: 0o755, uid: 1000, gid: 1000 });
  layer.push({ name: 'app/static/.wh.legacy.html', data: Buffer.alloc(0) });
  layer.push({
    name: 'app/config.yaml',
    data: Buffer.from('debug: false\nlog_level: info\nlisten: 0.0.0.0:8080\n'),
    uid: 1000,
    gid: 1000,
  });
  const tar = await pack(layer);
  const diffId = `sha256:${createHash('sha256').update(tar).digest('hex')}`;
  const id = createHash('sha256').update(`diff-demo:${diffId}`).digest('hex');
  config.rootfs.diff_ids.push(diffId);
  config.history.push({ created: MTIME.toISOString(), created_by: `/bin/sh -c ${CMD}` });
  config.config.Labels = { ...config.config.Labels, 'org.opencontainers.image.version': '1.5.0' };
  const configText = JSON.stringify(config);
  const configName = `${createHash('sha256').update(configText).digest('hex')}.json`;
  manifest[0].Config = configName;
  manifest[0].RepoTags = ['slimtui/demo:1.5'];
  manifest[0].Layers.push(`${id}/layer.tar`);
  const outer = [];
  for (const [name, f] of files)
    if ((name !== 'manifest.json' && !name.endsWith('.json')) || name.endsWith('/json'))
      outer.push({ ...f.header, name, data: f.header.type === 'file' ? f.data : undefined });
  outer.push(
    { name: `${id}/`, type: 'directory' },
    { name: `${id}/layer.tar`, data: tar },
    { name: configName, data: Buffer.from(configText) },
    { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest)) },
  );
  writeFileSync(out, await pack(outer));
  console.error(`wrote ${out}`);
}
await main();
