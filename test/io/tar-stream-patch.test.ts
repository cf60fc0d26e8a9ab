// patches/tar-stream+3.2.2.patch (applied by patch-package on install): tar-stream's header decode reads the
// octal fields, magic and strings of a header in place, with no Buffer view and no string per field (7.5 -> 2 µs a
// header; the first frame parses every header of the image). These check that every header decodes exactly as
// upstream tar-stream decodes it — upstream is rebuilt here by reversing the patch on a copy — over headers GNU
// tar wrote in each of its formats and over every odd field form a header can carry, and that the patch is there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLayer } from '../../src/io/layer-reader.js';

type Decode = (buf: Uint8Array, filenameEncoding?: string, allowUnknownFormat?: boolean, lean?: boolean) => unknown;
const ROOT = process.cwd();
const require = createRequire(import.meta.url);
const patched = require(join(ROOT, 'node_modules', 'tar-stream', 'headers.js')) as { decode: Decode };

function upstreamDecode(dir: string): Decode {
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  cpSync(join(ROOT, 'node_modules', 'tar-stream'), join(dir, 'node_modules', 'tar-stream'), { recursive: true });
  execFileSync('git', ['apply', '-R', join(ROOT, 'patches', 'tar-stream+3.2.2.patch')], { cwd: dir });
  const mod = require(join(dir, 'node_modules', 'tar-stream', 'headers.js')) as { decode: Decode };
  assert.notEqual(mod.decode, patched.decode);
  return mod.decode;
}

/** The outcome of a decode: its header, or the error it threw. */
function outcome(decode: Decode, buf: Uint8Array, encoding?: string, unknown = false): unknown {
  try {
    const header = decode(buf, encoding, unknown) as { mtime: Date } | null;
    // The time as its number: an invalid Date (NaN) compares, and prints in a failure.
    return header && { ...header, mtime: header.mtime.getTime() };
  } catch (e) {
    return { threw: (e as Error).message };
  }
}

/**
 * The lean decode (the extract's `lean` option) of a block, with its mtime (seconds) as the Date's number upstream
 * gives, and what upstream's header is expected to be under it: no owner names, no device numbers.
 */
function leanOutcome(buf: Uint8Array, encoding?: string, unknown = false): unknown {
  try {
    const header = patched.decode(buf, encoding, unknown, true) as { mtime: number } | null;
    return header && { ...header, mtime: new Date(1000 * header.mtime).getTime() };
  } catch (e) {
    return { threw: (e as Error).message };
  }
}
const leanOf = (o: unknown): unknown =>
  o && typeof o === 'object' && !('threw' in o) ? { ...o, uname: null, gname: null, devmajor: 0, devminor: 0 } : o;

const FIELD_AT: Readonly<Record<number, string>> = {
  100: 'mode',
  108: 'uid',
  116: 'gid',
  124: 'size',
  136: 'mtime',
  329: 'devmajor',
  337: 'devminor',
};

/**
 * Upstream's outcome with one negative base-256 field read as two's complement: upstream sums the bytes'
 * complements and negates (-n + 1); the patch reads -n, as GNU tar and Go's archive/tar do. `value` is worked by
 * hand from the bytes, and upstream's own reading must be one more (so the difference is only that).
 */
function withNegative(o: unknown, neg: { at: number; value: number } | undefined): unknown {
  if (!neg || !o || typeof o !== 'object' || 'threw' in o) return o;
  const key = FIELD_AT[neg.at]!;
  const h = o as Record<string, number>;
  // (the outcome holds mtime as the Date's milliseconds)
  const scale = key === 'mtime' ? 1000 : 1;
  assert.equal(h[key], (neg.value + 1) * scale, `upstream's ${key}`);
  return { ...h, [key]: neg.value * scale };
}

/** Header blocks of a tar, walked by the size field (enough for the archives GNU tar writes here). */
function headerBlocks(tar: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at + 512 <= tar.length;) {
    const block = tar.subarray(at, at + 512);
    if (block.every((b) => b === 0)) break;
    out.push(Buffer.from(block));
    const type = String.fromCharCode(block[156] ?? 0);
    const size = ['1', '2', '5'].includes(type) ? 0 : parseInt(block.toString('latin1', 124, 136).trim() || '0', 8);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

function withChecksum(block: Buffer): Buffer {
  block.fill(32, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return block;
}

test('every header decodes as upstream tar-stream decodes it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slimtui-tarpatch-'));
  try {
    const upstream = upstreamDecode(join(dir, 'upstream'));
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'd'.repeat(90), 'e'.repeat(40)), { recursive: true });
    writeFileSync(join(tree, 'plain'), 'x'.repeat(1000));
    writeFileSync(join(tree, 'd'.repeat(90), 'e'.repeat(40), 'f'.repeat(60)), 'long');
    writeFileSync(join(tree, Buffer.from('caf\xe9-latin1', 'latin1').toString('latin1')), '');
    writeFileSync(join(tree, 'naïve-utf8'), 'u');
    symlinkSync('plain', join(tree, 'link'));
    execFileSync('mkfifo', [join(tree, 'fifo')]);
    const blocks: Buffer[] = [];
    for (const format of ['v7', 'oldgnu', 'gnu', 'ustar', 'posix']) {
      // gnu/oldgnu store an owner id past 8 octal digits in base-256, the others refuse it.
      const owner = format === 'gnu' || format === 'oldgnu' ? ['--owner=big:4294967294', '--group=:7'] : [];
      // v7 cannot hold the fifo or the long names: GNU tar leaves them out, says so and exits 2; the rest stands.
      const tar = spawnSync('tar', ['-c', `--format=${format}`, '--mtime=@1700000000', ...owner, '-C', tree, '.'], {
        maxBuffer: 1 << 26,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      assert.ok(tar.status === 0 || (format === 'v7' && tar.status === 2), `tar --format=${format}: ${tar.status}`);
      blocks.push(...headerBlocks(tar.stdout));
    }
    const bins = readdirSync('/usr/bin').sort().slice(0, 400);
    blocks.push(...headerBlocks(execFileSync('tar', ['-c', '-C', '/usr/bin', ...bins], { maxBuffer: 1 << 30 })));
    assert.ok(blocks.length > 400);

    // Every odd form of a numeric field: padding with spaces or NULs, a sign, a tab, garbage, base-256 both ways,
    // a field with no terminator, and an empty one; in each numeric field of a real header.
    const base = blocks[1]!;
    const forms = [
      '0000644\0',
      '  644   ',
      '0000644 ',
      '\x00\x00\x00\x00644',
      '+644\0\0\0\0',
      '-12\0\0\0\0\0',
      '\t644\0\0\0',
      '64x4\0\0\0\0',
      'zz\0\0\0\0\0\0',
      '\0\0\0\0\0\0\0\0',
      '        ',
      '77777777',
      '8\0\0\0\0\0\0\0',
      ' 0 7\0\0\0\0',
    ];
    // Blocks with one negative base-256 field: its offset and the value GNU tar means by it.
    const negative = new Map<Buffer, { at: number; value: number }>();
    const fields: [number, number][] = [
      [100, 8],
      [108, 8],
      [116, 8],
      [124, 12],
      [136, 12],
      [329, 8],
      [337, 8],
    ];
    for (const [at, length] of fields) {
      for (const form of forms) {
        const b = Buffer.from(base);
        b.write(form.padEnd(length, '\0').slice(0, length), at, 'latin1');
        blocks.push(withChecksum(b));
      }
      for (const lead of [0x80, 0xff, 0x81]) {
        const b = Buffer.from(base);
        b.fill(0, at, at + length);
        b[at] = lead;
        b[at + length - 1] = 0x2a;
        b[at + length - 2] = 0x01;
        blocks.push(withChecksum(b));
      }
      // Negative base-256 (two's complement), where the patch reads one less than upstream (see below).
      const b = Buffer.from(base);
      b.fill(0xff, at, at + length);
      b[at + length - 1] = 0xd6; // ...ff ff d6 = -42
      negative.set(withChecksum(b), { at, value: -42 });
      blocks.push(b);
    }
    // Magic and version in every combination the decode tells apart, and a header with a wrong checksum.
    for (const magic of ['ustar\0', 'ustar ', 'ustaR\0', '\0\0\0\0\0\0']) {
      for (const version of ['00', ' \0', '\0\0']) {
        const b = Buffer.from(base);
        b.write(magic + version, 257, 'latin1');
        b.write('pre', 345, 'latin1');
        blocks.push(withChecksum(b));
      }
    }
    const bad = Buffer.from(base);
    bad[0] = (bad[0] ?? 0) ^ 1;
    blocks.push(bad, Buffer.alloc(512));

    let compared = 0;
    for (const block of blocks) {
      for (const encoding of ['latin1', undefined, 'utf-8']) {
        for (const unknown of [false, true]) {
          const expected = withNegative(outcome(upstream, block, encoding, unknown), negative.get(block));
          assert.deepEqual(outcome(patched.decode, block, encoding, unknown), expected);
          assert.deepEqual(leanOutcome(block, encoding, unknown), leanOf(expected));
          compared++;
        }
      }
      // A plain Uint8Array (not a Buffer) goes through b4a as before.
      const view = new Uint8Array(block);
      assert.deepEqual(outcome(patched.decode, view, 'latin1'), outcome(upstream, view, 'latin1'));
    }
    assert.ok(compared > 3000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the installed tar-stream is the patched one: a ustar header's decode makes no Buffer view", () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'tar-stream', 'package.json'), 'utf8')) as {
    version: string;
  };
  assert.equal(version, '3.2.2', 'a new tar-stream needs the patch remade (npx patch-package tar-stream) or dropped');
  const tar = execFileSync('tar', ['-c', '--format=ustar', '-C', '/usr/bin', 'env']);
  const header = Buffer.from(tar.subarray(0, 512));
  const subarray = Buffer.prototype.subarray;
  let views = 0;
  Buffer.prototype.subarray = function (this: Buffer, ...a: Parameters<Buffer['subarray']>) {
    views++;
    return subarray.apply(this, a);
  };
  try {
    const decoded = patched.decode(header, 'latin1', false) as { name: string; size: number };
    assert.equal(decoded.name, 'env');
  } finally {
    Buffer.prototype.subarray = subarray;
  }
  assert.equal(views, 0);
});

test("a layer read through the lean extract has each entry's mtime in seconds, as GNU tar wrote it", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slimtui-lean-'));
  try {
    writeFileSync(join(dir, 'new'), 'n');
    writeFileSync(join(dir, 'old'), 'o');
    // Two archives (2023, and a day before 1970: GNU tar writes a negative time in base-256), one layer.
    const part = (name: string, at: string): Buffer =>
      execFileSync('tar', ['-c', '--format=gnu', `--mtime=${at}`, '-C', dir, name]).subarray(0, 1024);
    const tar = Buffer.concat([part('new', '@1700000000'), part('old', '@-86400'), Buffer.alloc(1024)]);
    const layer = await readLayer(
      (async function* () {
        yield tar;
      })(),
      { what: 'test layer', analysers: [] },
    );
    assert.deepEqual(
      layer.entries.map((e) => [e.path, e.mtime]),
      [
        ['new', 1700000000],
        ['old', -86400],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
