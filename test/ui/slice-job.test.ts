// The explorer's background slices (ui/slice-job.ts) give way to keys: while keys keep coming no step runs, the
// job goes on once they have been quiet for QUIET_MS, and `finish` still answers at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SliceJob } from '../../src/ui/slice-job.js';
import { QUIET_MS, noteKey } from '../../src/ui/input-quiet.js';
import type { Steps } from '../../src/model/steps.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `n` steps, counting those taken in `taken.n`; the value is the step count. */
function* counted(n: number, taken: { n: number }): Steps<number> {
  for (let i = 0; i < n; i++) {
    taken.n++;
    yield;
  }
  return n;
}

test('no key: the job runs to its end in slices', async () => {
  const taken = { n: 0 };
  let value: number | undefined;
  new SliceJob(counted(500, taken), (v) => (value = v)).start();
  await sleep(QUIET_MS + 200);
  assert.equal(value, 500);
  assert.equal(taken.n, 500);
});

test('while keys come every 10 ms no step runs; the job ends once they stop', async () => {
  const taken = { n: 0 };
  let value: number | undefined;
  noteKey();
  const job = new SliceJob(counted(500, taken), (v) => (value = v)).start();
  for (let i = 0; i < 30; i++) {
    await sleep(10);
    noteKey();
  }
  assert.equal(taken.n, 0, 'no step while keys came');
  assert.equal(value, undefined);
  await sleep(QUIET_MS + 300);
  assert.equal(value, 500, 'done once keys were quiet');
  job.cancel();
});

test('finish answers at once, keys or not; cancel stops a job that waits', async () => {
  noteKey();
  const taken = { n: 0 };
  const job = new SliceJob(counted(100, taken), () => undefined).start();
  assert.equal(job.finish(), 100);
  assert.equal(taken.n, 100);
  noteKey();
  const other = { n: 0 };
  let value: number | undefined;
  const waiting = new SliceJob(counted(100, other), (v) => (value = v)).start();
  waiting.cancel();
  await sleep(QUIET_MS + 100);
  assert.equal(other.n, 0);
  assert.equal(value, undefined);
});
