// io/tar-end.ts passes a tar stream through to its end-of-archive marker and swallows what follows (as GNU tar
// reads it: eStargz keeps its table of contents there). Judge: GNU tar's own `--block-number` listing of where the
// archive's end marker lies, over archives in each format (PAX records, GNU long names, directories, empty and
// block-sized files) with bytes appended after them, fed in chunks of every awkward size — a header across two
// chunks, or whole inside one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TarEndOfArchive } from '../../src/io/tar-end.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'slimtui-tarend-'));
  const tree = join(dir, 'tree');
  const deep = join(tree, 'd'.repeat(90), 'e'.repeat(60));
  mkdirSync(deep, { recursive: true });
  for (const size of [0, 1, 512, 1000, 70_000]) writeFileSync(join(tree, `f${size}`), Buffer.alloc(size, 0x41));
  // A file of zero blocks: its data must not read as the end marker.
  writeFileSync(join(tree, 'zeros'), Buffer.alloc(4096));
  writeFileSync(join(deep, 'g'.repeat(80)), 'deep');
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The archive's bytes up to and through its end marker, by GNU tar's listing of where the marker is. */
function throughEnd(tar: string): number {
  const listing = execFileSync('tar', ['-tvR', '-f', tar], { encoding: 'utf8' });
  const block = /^block (\d+): \*\* Block of NULs \*\*$/m.exec(listing);
  assert.ok(block, listing);
  return (Number(block[1]) + 2) * 512;
}

async function passed(bytes: Buffer, chunk: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunk) parts.push(bytes.subarray(at, at + chunk));
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(parts),
    new TarEndOfArchive(),
    new Writable({
      write(c: Buffer, _e, done) {
        out.push(Buffer.from(c));
        done();
      },
    }),
  );
  return Buffer.concat(out);
}

for (const format of ['gnu', 'posix', 'ustar']) {
  test(`${format}: what passes is the archive through its end marker, in any chunking`, async () => {
    const tar = join(dir, `${format}.tar`);
    execFileSync('tar', ['-c', `--format=${format}`, '--sort=name', '-f', tar, '-C', join(dir, 'tree'), '.']);
    const end = throughEnd(tar);
    const archive = execFileSync('cat', [tar]);
    assert.ok(end < archive.length, 'GNU tar pads after the marker');
    // What follows the marker (a TOC, another archive) is not passed on.
    const bytes = Buffer.concat([archive, Buffer.from('{"toc": "after the end"}'), archive]);
    for (const chunk of [1, 100, 511, 512, 513, 4096, 65536, bytes.length]) {
      const got = await passed(bytes, chunk);
      assert.equal(got.length, end, `chunks of ${chunk}`);
      assert.ok(got.equals(archive.subarray(0, end)), `chunks of ${chunk}`);
    }
  });
}
