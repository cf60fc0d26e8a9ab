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
