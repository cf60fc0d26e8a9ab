// The sliced sort against the native one (V8's TimSort, stable): same order on random arrays full of ties,
// at the sizes around its run length, and it hands control back while it works on a big array.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sortSteps } from '../../src/model/sort-steps.js';
import { runSteps, STEP_ITEMS } from '../../src/model/steps.js';
import { rng } from '../helpers/rng.js';

test('sortSteps gives the native stable sort, ties in their original order', () => {
  const sizes = [0, 1, 2, STEP_ITEMS - 1, STEP_ITEMS, STEP_ITEMS + 1, 3 * STEP_ITEMS + 5, 9 * STEP_ITEMS + 77];
  for (const [s, n] of sizes.entries()) {
    const r = rng(s + 1);
    // Few distinct keys: most comparisons are ties, and `seq` shows whether their order was kept.
    const items = Array.from({ length: n }, (_, seq) => ({ key: Math.floor(r() * 50), seq }));
    const cmp = (a: { key: number }, b: { key: number }) => a.key - b.key;
    const expected = [...items].sort(cmp);
    assert.deepEqual(runSteps(sortSteps([...items], cmp)), expected, `n=${n}`);
  }
});

test('sortSteps sorts in place and yields between runs and merges', () => {
  const n = 5 * STEP_ITEMS;
  const items = Array.from({ length: n }, (_, i) => (i * 7919) % n);
  const gen = sortSteps(items, (a, b) => a - b);
  let steps = 0;
  let r = gen.next();
  while (!r.done) {
    steps++;
    r = gen.next();
  }
  assert.ok(steps >= 5 + 3 * 5, `${steps} steps: five runs and three rounds of merges`);
  assert.equal(r.value, items);
  assert.deepEqual(
    items,
    Array.from({ length: n }, (_, i) => i),
  );
});
