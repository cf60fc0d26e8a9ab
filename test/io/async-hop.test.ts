// AsyncHop: what it is for is that an upstream's push returns before the downstream has handled the chunk
// (gunzip's completion callback starts the next inflate only after its push returns). Without the hop a piped
// downstream runs inside the push; these tests show both, then that the bytes arrive whole and in order, and
// that the hop holds back at `ahead` bytes rather than buffering a whole layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gzipSync } from 'node:zlib';
import { AsyncHop } from '../../src/io/async-hop.js';

/** A source whose push we can watch: records how many chunks the sink had taken when each push returned. */
function watchedPushes(chunks: readonly Buffer[], taken: () => number): { source: Readable; seen: number[] } {
  const seen: number[] = [];
  let i = 0;
  const source = new Readable({
    read() {
      // From a timer, as a pool thread's completion callback comes: not inside the sink's own call stack.
      setTimeout(() => {
        if (i === chunks.length) {
          this.push(null);
          return;
        }
        this.push(chunks[i++]);
        seen.push(taken());
      }, 1);
    },
  });
  return { source, seen };
}

async function run(withHop: boolean): Promise<number[]> {
  let taken = 0;
  const sink = new Writable({
    write(_c, _e, done) {
      taken++;
      done();
    },
  });
  const chunks = Array.from({ length: 5 }, (_, k) => Buffer.alloc(1000, k));
  const { source, seen } = watchedPushes(chunks, () => taken);
  if (withHop) await pipeline(source, new AsyncHop(1 << 20), sink);
  else await pipeline(source, sink);
  return seen;
}

test('piped directly, the sink takes each chunk inside the push; behind the hop, after it returns', async () => {
  assert.deepEqual(await run(false), [1, 2, 3, 4, 5]);
  assert.deepEqual(await run(true), [0, 1, 2, 3, 4]);
});

test('gunzip behind the hop: the same bytes, in order', async () => {
  const plain = Buffer.concat([randomBytes(3 << 20), Buffer.alloc(5 << 20, 7), randomBytes(1 << 20)]);
  const gz = gzipSync(plain);
  const hash = createHash('sha256');
  let n = 0;
  const sink = new Writable({
    write(c: Buffer, _e, done) {
      hash.update(c);
      n += c.length;
      done();
    },
  });
  const pieces = Array.from({ length: Math.ceil(gz.length / 65536) }, (_, k) =>
    gz.subarray(k * 65536, (k + 1) * 65536),
  );
  await pipeline(Readable.from(pieces), createGunzip({ chunkSize: 256 * 1024 }), new AsyncHop(4 << 20), sink);
  assert.equal(n, plain.length);
  assert.equal(hash.digest('hex'), createHash('sha256').update(plain).digest('hex'));
});

test('the hop holds at most about `ahead` bytes while its reader is stalled', async () => {
  const hop = new AsyncHop(64 * 1024);
  const stalled = new PassThrough({ highWaterMark: 1 });
  hop.pipe(stalled);
  let accepted = 0;
  // Write until the hop says stop (nobody reads `stalled`).
  for (let k = 0; k < 1000; k++) {
    accepted += 16 * 1024;
    await new Promise((r) => setImmediate(r));
    if (!hop.write(Buffer.alloc(16 * 1024))) break;
  }
  assert.ok(accepted <= 64 * 1024 + 3 * 16 * 1024, `took ${accepted} bytes before saying stop`);
  assert.ok(accepted >= 64 * 1024, `said stop after only ${accepted} bytes`);
  hop.destroy();
  stalled.destroy();
});
