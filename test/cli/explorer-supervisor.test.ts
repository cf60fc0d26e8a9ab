// The explorer's heap: the user's --max-old-space-size wins (NODE_OPTIONS or node's flags); otherwise ~70 %
// of RAM leaving at least 2 GiB, never below node's own default. Values worked out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explorerHeapMiB, userHeapLimit } from '../../src/cli/explorer-supervisor.js';

const GiB = 1024 ** 3;

test('the user heap limit is read from node flags and NODE_OPTIONS', () => {
  assert.equal(userHeapLimit(['--max-old-space-size=640'], undefined), 640);
  assert.equal(userHeapLimit([], '--trace-gc --max_old_space_size=200'), 200);
  assert.equal(userHeapLimit(['--max-semi-space-size=32'], ''), undefined);
});

test('the child heap: user first, else 70 % of RAM (≥ 2 GiB left), never below the default', () => {
  assert.equal(explorerHeapMiB(24 * GiB, 4 * GiB, 640), 640);
  assert.equal(explorerHeapMiB(24 * GiB, 4 * GiB, undefined), Math.floor(24 * 1024 * 0.7)); // 17203
  assert.equal(explorerHeapMiB(4 * GiB, 2 * GiB, undefined), 2048); // 4 GiB − 2 GiB = 2048 < 70 % (2867)
  assert.equal(explorerHeapMiB(2 * GiB, 1 * GiB, undefined), 1024); // never below the default
});
