// A synthetic image with many small files (node_modules-like), for the explorer's scale tests: `files`
// files under usr/lib/node_modules in layer 0 (every 10th has 100 bytes, the rest are empty), layer 1
// deletes every 7th (whiteouts) and rewrites every 11th, layer 2 adds a small app. Legacy docker-archive
// layout; the ustar headers are written directly (the fixture builder takes minutes at this size).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';

export const bigPath = (i: number): string =>
  `usr/lib/node_modules/pkg${Math.floor(i / 500)}/lib/sub${Math.floor(i / 50) % 10}/module-file-${i}.js`;

function header(name: string, size: number, type: '0' | '5'): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(type === '5' ? '0000755\0' : '0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('14563726000\0', 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

/** A tar of the given entries (a string: that content; a number: that many zero bytes; null: a directory). */
function tar(entries: Iterable<[string, string | number | null]>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, body] of entries) {
    if (body === null) parts.push(header(name, 0, '5'));
    else {
      const data = typeof body === 'string' ? Buffer.from(body) : Buffer.alloc(body);
      parts.push(header(name, data.length, '0'), data, Buffer.alloc((512 - (data.length % 512)) % 512));
    }
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

export async function writeBigImage(path: string, files: number): Promise<void> {
  if (existsSync(path)) return;
  function* layer0(): Generator<[string, string | number | null]> {
    yield ['usr/', null];
    yield ['usr/lib/', null];
    yield ['usr/lib/node_modules/', null];
    for (let i = 0; i < files; i++) {
      if (i % 500 === 0) {
        yield [`usr/lib/node_modules/pkg${i / 500}/`, null];
        yield [`usr/lib/node_modules/pkg${i / 500}/lib/`, null];
      }
      if (i % 50 === 0)
        yield [`usr/lib/node_modules/pkg${Math.floor(i / 500)}/lib/sub${Math.floor(i / 50) % 10}/`, null];
      yield [bigPath(i), i % 10 === 0 ? 100 : 0];
    }
  }
  function* layer1(): Generator<[string, string | number | null]> {
    for (let i = 0; i < files; i++) {
      const p = bigPath(i);
      if (i % 7 === 0) yield [p.replace(/[^/]+$/, (n) => `.wh.${n}`), 0];
      else if (i % 11 === 0) yield [p, 200];
    }
  }
  const blobs = [
    tar(layer0()),
    tar(layer1()),
    tar([
      ['app/', null],
      ['app/main.js', 'console.log("hi")\n'],
    ]),
  ];
  const ids = blobs.map((b, i) => sha(`${i}:${sha(b)}`));
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: blobs.map((b) => `sha256:${sha(b)}`) },
      history: [
        { created_by: '/bin/sh -c npm install' },
        { created_by: '/bin/sh -c npm prune' },
        { created_by: '/bin/sh -c #(nop) COPY app /app' },
      ],
    }),
  );
  const configName = `${sha(config)}.json`;
  const outer: [string, string | number | null][] = [];
  const out: Buffer[] = [];
  blobs.forEach((b, i) => outer.push([`${ids[i]}/`, null]));
  const manifest = JSON.stringify([
    { Config: configName, RepoTags: ['big/synthetic:1'], Layers: ids.map((id) => `${id}/layer.tar`) },
  ]);
  out.push(tar(outer).subarray(0, -1024));
  blobs.forEach((b, i) =>
    out.push(header(`${ids[i]}/layer.tar`, b.length, '0'), b, Buffer.alloc((512 - (b.length % 512)) % 512)),
  );
  out.push(
    tar([
      [configName, config.toString()],
      ['manifest.json', manifest],
    ]),
  );
  await writeFile(path, Buffer.concat(out));
}
