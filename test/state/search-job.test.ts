// The sliced search against fuzzysort itself (the trusted ranking): on the demo image, for each query the
// same total and the same scores, best first, as fuzzysort.go over every prepared path (the old way, which
// needed ~550 MiB at 300,000 paths); stepped one path at a time it ends with the same result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fuzzysort from 'fuzzysort';
import { analyze } from '../../src/model/analysis.js';
import { runSearch, searchIndex, SearchJob, SEARCH_LIMIT, SEARCH_THRESHOLD } from '../../src/state/search.js';
import { loadSpec } from '../helpers/load.js';
import { buildFileTree } from '../../src/model/file-tree.js';
import type { Entry } from '../../src/model/entry.js';
import type { Layer } from '../../src/model/image.js';

test('the sliced search finds what fuzzysort.go finds, with the same scores; stepping does not change it', async () => {
  const demo = analyze(
    await loadSpec({ kind: 'docker-archive', location: join(process.cwd(), 'demo/demo-image.tar') }),
  );
  const prepared = demo.tree.nodes.slice(1).map((n) => fuzzysort.prepare(`/${n.path}`));
  const idx = searchIndex(demo.tree);
  for (const q of ['bin', 'usrlibc', 'a', 'lib so', 'busybox', 'APP/DATA', 'zzzq', 'é']) {
    const want = fuzzysort.go(q, prepared, { limit: SEARCH_LIMIT, threshold: SEARCH_THRESHOLD });
    const got = runSearch(idx, q);
    assert.equal(got.total, want.total, q);
    assert.deepEqual(
      got.hits.map((h) => h.score),
      want.map((r) => r.score),
      q,
    );
    assert.deepEqual(new Set(got.hits.map((h) => h.target)), new Set(want.map((r) => r.target)), q);
    const job = new SearchJob(idx, q);
    let partial = 0;
    while (!job.step(1)) if (job.result().scanned! < job.result().of!) partial++;
    assert.ok(q === '' || partial > 0);
    assert.deepEqual(job.result().hits, got.hits, q);
    assert.equal(job.result().scanned, job.result().of);
  }
});

test('a slice stops once its time is up (the next key waits for no more), and the search still ends whole', () => {
  const file = (path: string): Entry => ({ path, kind: 'file', size: 1, mode: 0o100644, uid: 0, gid: 0, mtime: 0 });
  const entries = Array.from({ length: 5000 }, (_, i) => file(`usr/lib/x86_64-linux-gnu/lib${i}.so.${i % 7}`));
  const layer: Layer = { index: 0, size: entries.length, tarSize: 0, compression: 'none', entries };
  const idx = searchIndex(buildFileTree([layer]));
  const whole = runSearch(idx, 'lib');
  // The 5000 files and the two directories whose paths hold l…i…b (usr/lib, usr/lib/x86_64-linux-gnu); not usr.
  assert.equal(whole.total, 5002);
  const job = new SearchJob(idx, 'lib');
  let steps = 0;
  // A deadline already past: each step looks at most to the next check (every 256 paths), never at nothing.
  for (let before = 0; !job.step(100_000, 0); steps++) {
    const scanned = job.result().scanned!;
    assert.ok(scanned > before && scanned - before <= 256, `step ${steps}: ${before} -> ${scanned}`);
    before = scanned;
  }
  assert.ok(steps >= Math.floor(5000 / 256) - 1, `${steps} steps`);
  assert.deepEqual(job.result(), whole);
  // Without a deadline, one step of enough paths does it all.
  assert.equal(new SearchJob(idx, 'lib').step(100_000), true);
});
