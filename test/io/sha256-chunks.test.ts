/**
 * Content digests (io/sha256-analyser.ts) of every regular file of a GNU-tar layer equal `sha256sum`'s, whether a
 * file's data arrives as one chunk (hashed in one call) or as many (read in 1000-byte and 1 MiB chunks); an empty
 * file, a directory, a symlink and a hard link get none.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, linkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSha256Analyser } from '../../src/io/sha256-analyser.js';
import { fileChunks } from '../../src/io/file-chunks.js';
import { readLayer } from '../../src/io/layer-reader.js';

let dir = '';
let tar = '';
/** Path in the layer → sha256sum's digest. */
const want = new Map<string, string>();
const SIZES = [1, 100, 511, 512, 513, 999, 1000, 1001, 65535, 65536, 65537, (1 << 20) + 1, 3 << 20];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'slimtui-sha256-chunks-'));
  const root = join(dir, 'root');
  mkdirSync(join(root, 'd'), { recursive: true });
  for (const [i, size] of SIZES.entries()) {
    const bytes = Buffer.alloc(size);
    for (let k = 0; k < size; k++) bytes[k] = (k * 31 + i * 7) & 0xff;
    writeFileSync(join(root, 'd', `f${size}`), bytes);
  }
  writeFileSync(join(root, 'd', 'same-as-f100'), readFileSync(join(root, 'd', 'f100')));
  writeFileSync(join(root, 'empty'), '');
  symlinkSync('d/f100', join(root, 'link'));
  linkSync(join(root, 'd', 'f513'), join(root, 'hard'));
  tar = join(dir, 'layer.tar');
  execFileSync('tar', ['--format=gnu', '--sort=name', '-C', root, '-cf', tar, '.']);
  const sums = execFileSync('sh', ['-c', 'find . -type f -size +0 | sort | xargs sha256sum'], {
    cwd: root,
    encoding: 'utf8',
  });
  for (const line of sums.trim().split('\n')) {
    const [hex, path] = line.split(/\s+/);
    want.set(path!, hex!);
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

for (const chunk of [1000, 1 << 20]) {
  test(`every regular file's digest is sha256sum's (read in ${chunk}-byte chunks)`, async () => {
    const layer = await readLayer(fileChunks(tar, chunk, 4), { what: 'layer', analysers: [createSha256Analyser()] });
    const got = new Map<string, string>();
    for (const e of layer.entries)
      if (e.facts?.['sha256']) got.set(`./${e.path.replace(/^\.\//, '')}`, e.facts['sha256'] as string);
    // The hard link is a link entry in the tar (no data of its own): sha256sum sees it as a file, the layer not.
    const files = new Map([...want].filter(([p]) => p !== './hard'));
    assert.deepEqual(Object.fromEntries([...got].sort()), Object.fromEntries([...files].sort()));
    assert.equal(got.size, SIZES.length + 1);
    assert.equal(got.get('./d/same-as-f100'), got.get('./d/f100'));
  });
}
