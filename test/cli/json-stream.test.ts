// The --json text written in pieces (cli/json-stream.ts) is exactly JSON.stringify(value, null, 2) + '\n' —
// JSON.stringify itself is the reference — for the demo image's report and for the awkward values plain data
// can hold, at any piece size; and no piece is much larger than asked for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { MappedList, writeJson, writeJsonTo } from '../../src/cli/json-stream.js';
import { jsonReport } from '../../src/cli/json-report.js';
import { analyze } from '../../src/model/analysis.js';
import { loadImage } from '../../src/io/load-image.js';

const demo = fileURLToPath(new URL('../../../demo/demo-image.tar', import.meta.url));

function pieces(value: unknown, chunk?: number): string[] {
  const out: string[] = [];
  writeJson(value, (s) => out.push(s), chunk);
  return out;
}

const odd = {
  empty: [],
  emptyObject: {},
  nested: [[], [[]], [{}], [1, [2, [3]]], { a: [] }],
  holes: [undefined, () => 1, Symbol('s'), null, NaN, Infinity, -0, 1e21, 5e-7],
  skipped: undefined,
  fn: () => 0,
  text: 'line\nbreak "quoted" \\ \u2028 \u0000 é 😀 \ud800',
  date: new Date(0),
  map: new Map([[1, 2]]),
  bare: Object.assign(Object.create(null) as object, { x: [1, { y: [] }] }),
  klass: new (class {
    a = [1];
  })(),
  json: { toJSON: () => ({ swapped: [1, 2] }) },
  deep: { a: { b: { c: [{ d: [{ e: 'f' }] }] } } },
  list: Array.from({ length: 50 }, (_, i) => ({ i, s: `p${i}`, l: [i, i + 1], o: { n: null } })),
  mapped: new MappedList([1, 2, 3], (n) => (n === 2 ? undefined : { n, l: [n], e: [] })),
  mappedEmpty: new MappedList([], (n: number) => n),
};

test('the pieces join to JSON.stringify(value, null, 2) + newline, at any piece size', () => {
  for (const v of [odd, [], {}, 'x', 3, null, [odd, [odd]]]) {
    const want = `${JSON.stringify(v, null, 2)}\n`;
    for (const chunk of [1, 7, 100, undefined]) assert.equal(pieces(v, chunk).join(''), want, `chunk ${chunk}`);
  }
});

test('the demo image report, written in small pieces, is the same text', async () => {
  const image = await loadImage(
    { kind: 'docker-archive', location: demo },
    { analysers: [], platform: { os: 'linux', architecture: 'amd64' }, platformExplicit: false },
  );
  const report = jsonReport(analyze(image, { elf: false }), { name: 'slimtui', version: '0' });
  const want = `${JSON.stringify(report, null, 2)}\n`;
  const got = pieces(report, 4096);
  assert.equal(got.join(''), want);
  assert.ok(got.length > 2, `${got.length} pieces`);
  // A piece ends once it reaches the size: at most one item over it (no report item here is 4 KiB).
  assert.ok(Math.max(...got.map((s) => s.length)) < 2 * 4096);
});

test('to a stream: the same text, and no more than a piece waits in its queue while it is full', async () => {
  const value = { list: Array.from({ length: 20_000 }, (_, i) => ({ i, s: `p${i}`, l: [i] })) };
  const want = `${JSON.stringify(value, null, 2)}\n`;
  const got: string[] = [];
  let queuedMost = 0;
  // A slow reader: each write completes on a later turn, so the queue fills unless the writer waits for 'drain'.
  const slow = new Writable({
    highWaterMark: 16 * 1024,
    decodeStrings: false,
    write(piece: string, _e, done) {
      got.push(piece);
      setImmediate(done);
    },
  });
  const write = slow.write.bind(slow);
  slow.write = ((piece: string) => {
    const ok = write(piece);
    queuedMost = Math.max(queuedMost, slow.writableLength);
    return ok;
  }) as typeof slow.write;
  await writeJsonTo(slow, value, 8 * 1024);
  assert.equal(got.join(''), want);
  assert.ok(want.length > 100 * 8 * 1024, 'the report is many pieces');
  assert.ok(queuedMost < 16 * 1024 + 2 * 8 * 1024, `at most ${queuedMost} characters queued`);
});

test('to a stream that fails (a reader gone): the write rejects instead of waiting for a drain that never comes', async () => {
  const broken = new Writable({
    highWaterMark: 1024,
    write(_p, _e, done) {
      setImmediate(() => done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })));
    },
  });
  broken.on('error', () => undefined);
  const value = { list: Array.from({ length: 5000 }, (_, i) => ({ i })) };
  await assert.rejects(writeJsonTo(broken, value, 2048), /EPIPE/);
});

test('long lists whose items are stringified in runs: walked items between them, items of every size, each mapped once', () => {
  // Items alternate in runs of varied length between plain ones (stringified together) and ones holding an
  // array (walked), and grow from a few characters to several KiB, so that a run's measured size is wrong
  // for the next one.
  const item = (i: number): unknown =>
    i % 97 === 5
      ? { walked: [i, { deep: [i] }] }
      : i % 89 === 3
        ? 'x'.repeat(i * 7)
        : { i, s: `p${i}`, o: { n: null } };
  const plain = Array.from({ length: 3000 }, (_, i) => item(i));
  let calls = 0;
  const mapped = new MappedList(
    Array.from({ length: 3000 }, (_, i) => i),
    (i) => {
      calls++;
      return item(i);
    },
  );
  const want = `${JSON.stringify({ plain, mapped: plain }, null, 2)}\n`;
  for (const chunk of [1, 300, 4096, undefined]) {
    calls = 0;
    const got = pieces({ plain, mapped }, chunk);
    assert.equal(got.join(''), want, `chunk ${chunk}`);
    assert.equal(calls, 3000, `chunk ${chunk}: each item mapped once`);
    // A run is sized from the last one's measure to fill about a piece: the biggest item here is ~21 KiB.
    if (chunk === 4096) assert.ok(Math.max(...got.map((s) => s.length)) < 2 * 4096 + 22 * 1024);
  }
});
