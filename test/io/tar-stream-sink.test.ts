// patches/tar-stream+3.2.2.patch also gives tar-stream's extract an `entrySink` option (layer-reader.ts uses it):
// each entry's data is handed to a sink object instead of a Readable per entry. These check that the entries, their
// headers and their data are what the 'entry' event path of the same tar-stream yields — and that the data are the
// files' bytes on disk — over archives GNU tar wrote in each format, fed in chunks of every awkward size, with sinks
// that end at once and sinks that end later; and that a truncated archive or a failing sink fails the parse.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract as tarExtract, type Header } from 'tar-stream';

interface Seen {
  name: string;
  type: string | null | undefined;
  size: number | undefined;
  byteOffset: number;
  linkname: string | null | undefined;
  data: string;
}

let dir = '';
let tree = '';
const archives = new Map<string, Buffer>();

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'slimtui-tarsink-'));
  tree = join(dir, 'tree');
  const deep = join(tree, 'd'.repeat(90), 'e'.repeat(40));
  mkdirSync(deep, { recursive: true });
  for (const size of [0, 1, 511, 512, 513, 4096, 100_000]) {
    const b = Buffer.alloc(size);
    for (let i = 0; i < size; i++) b[i] = (i * 13 + size) & 0xff;
    writeFileSync(join(tree, `f${size}`), b);
  }
  writeFileSync(join(deep, 'f'.repeat(60)), 'long name');
  symlinkSync('f1', join(tree, 'link'));
  linkSync(join(tree, 'f513'), join(tree, 'hard'));
  execFileSync('mkfifo', [join(tree, 'fifo')]);
  for (const format of ['gnu', 'posix', 'ustar'])
    archives.set(
      format,
      execFileSync('tar', ['-c', `--format=${format}`, '--sort=name', '-C', tree, '.'], {
        maxBuffer: 1 << 26,
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    );
});
after(() => rmSync(dir, { recursive: true, force: true }));

const hex = (chunks: Buffer[]): string => Buffer.concat(chunks).toString('hex');
const seenOf = (h: Header, data: Buffer[]): Seen => ({
  name: h.name,
  type: h.type,
  size: h.size,
  byteOffset: (h as Header & { byteOffset: number }).byteOffset,
  linkname: h.linkname,
  data: hex(data),
});

function chunked(bytes: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) parts.push(bytes.subarray(at, at + size));
  return Readable.from(parts);
}

/** The entries through the 'entry' event (tar-stream's own path). */
async function viaEvents(bytes: Buffer, chunk: number): Promise<Seen[]> {
  const out: Seen[] = [];
  const x = tarExtract();
  x.on('entry', (h: Header, source: unknown, next: () => void) => {
    const stream = source as Readable;
    const data: Buffer[] = [];
    stream.on('error', () => undefined); // a truncated archive: the parse's own error is the one asserted
    stream.on('data', (c: Buffer) => data.push(Buffer.from(c)));
    stream.on('end', () => {
      out.push(seenOf(h, data));
      next();
    });
  });
  await pipeline(chunked(bytes, chunk), x as unknown as Writable);
  return out;
}

/** An extract with the option; an unpatched tar-stream would ignore it (and wait forever for an 'entry' listener). */
function patchedExtract(entrySink: (h: Header) => unknown): ReturnType<typeof tarExtract> {
  const x = tarExtract({ entrySink } as Parameters<typeof tarExtract>[0]);
  assert.equal(typeof (x as unknown as { _entrySink?: unknown })._entrySink, 'function', 'tar-stream is not patched');
  return x;
}

/** The entries through `entrySink`; every other sink ends later (on another turn), the rest at once. */
async function viaSinks(bytes: Buffer, chunk: number, fail?: string): Promise<{ seen: Seen[]; aborted: number }> {
  const out: Seen[] = [];
  let n = 0;
  let aborted = 0;
  const entrySink = (h: Header): unknown => {
    const data: Buffer[] = [];
    const later = n++ % 2 === 1;
    return {
      data: (c: Buffer) => data.push(Buffer.from(c)),
      end: (next: (e?: Error | null) => void) => {
        out.push(seenOf(h, data));
        const err = fail && h.name.endsWith(fail) ? new Error(`sink failed on ${fail}`) : null;
        if (later) setImmediate(() => next(err));
        else next(err);
      },
      abort: () => aborted++,
    };
  };
  const x = patchedExtract(entrySink);
  await pipeline(chunked(bytes, chunk), x as unknown as Writable);
  return { seen: out, aborted };
}

for (const format of ['gnu', 'posix', 'ustar']) {
  test(`${format}: entrySink sees the entries, headers and data the 'entry' event path sees, in any chunking`, async () => {
    const bytes = archives.get(format)!;
    const want = await viaEvents(bytes, 1 << 20);
    assert.ok(want.length >= 13, `${want.length} entries`);
    for (const chunk of [1, 7, 511, 512, 513, 65536, bytes.length]) {
      const { seen, aborted } = await viaSinks(bytes, chunk);
      assert.deepEqual(seen, want, `chunks of ${chunk}`);
      assert.equal(aborted, 0);
    }
    // The data are the files' bytes (a hard link and a fifo have none).
    for (const e of want) {
      const path = join(tree, e.name);
      if (e.type === 'file') assert.equal(e.data, readFileSync(path).toString('hex'), e.name);
      else assert.equal(e.data, '', e.name);
    }
    assert.ok(want.some((e) => e.name.endsWith('f'.repeat(60)) && e.data === Buffer.from('long name').toString('hex')));
  });
}

test('a truncated archive fails the parse through entrySink too, and the entry being read is aborted', async () => {
  const bytes = archives.get('gnu')!;
  const want = await viaEvents(bytes, 1 << 20);
  const big = want.find((e) => e.name.endsWith('f100000'))!;
  const cut = bytes.subarray(0, big.byteOffset + 50_000);
  await assert.rejects(viaEvents(cut, 4096), /Unexpected end of data/);
  let aborted = 0;
  const entrySink = (): unknown => ({
    data: () => undefined,
    end: (next: () => void) => next(),
    abort: () => aborted++,
  });
  const x = patchedExtract(entrySink);
  await assert.rejects(pipeline(chunked(cut, 4096), x as unknown as Writable), /Unexpected end of data/);
  assert.equal(aborted, 1);
});

test('a sink that ends with an error fails the parse with that error, at once or later', async () => {
  const bytes = archives.get('posix')!;
  for (const name of ['f512', 'f513'])
    await assert.rejects(viaSinks(bytes, 4096, name), new RegExp(`sink failed on ${name}`));
});

test('a sink that skips the data is never handed any, and the entries and headers stay the same', async () => {
  for (const format of ['gnu', 'posix']) {
    const bytes = archives.get(format)!;
    const want = (await viaEvents(bytes, 1 << 20)).map((e) => ({ ...e, data: '' }));
    for (const chunk of [1, 513, 65536]) {
      const seen: Seen[] = [];
      let handed = 0;
      const x = patchedExtract((h) => ({
        skipData: true,
        data: () => handed++,
        end: (next: () => void) => {
          seen.push(seenOf(h, []));
          next();
        },
        abort: () => undefined,
      }));
      await pipeline(chunked(bytes, chunk), x as unknown as Writable);
      assert.deepEqual(seen, want, `${format}, chunks of ${chunk}`);
      assert.equal(handed, 0);
    }
  }
});
