import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../src/model/analysis.js';
import {
  buildPlan,
  fixList,
  parsePlanFile,
  planFile,
  projectPlan,
  recommendedPlan,
  renderFixListMarkdown,
  renderProjectionTable,
  actionsFromFlags,
  PlanFileError,
} from '../../../src/model/plan/index.js';
import { matchesGlob } from '../../../src/model/plan/glob.js';
import { sampleImage } from './sample.js';

test('the fix list of the recommended plan: grouped by the layer to change, concrete edits', () => {
  const a = analyze(sampleImage());
  const r = recommendedPlan(a);
  const f = fixList(a, projectPlan(a, buildPlan(a, r.actions)));
  const texts = f.groups.flatMap((g) => g.items.map((i) => `${g.layer}: ${i.text} [${i.bytes}]`));
  const find = (re: RegExp) => texts.find((t) => re.test(t));
  assert.ok(
    find(
      /^1: in `RUN apt-get update && apt-get install -y app` add `&& rm -rf \/var\/lib\/apt\/lists\/\*` .*\[5000\]$/,
    ),
    texts.join('\n'),
  );
  assert.ok(
    find(
      /^1: `\/big\.bin` is deleted in layer 2 \(`RUN rm \/big\.bin`\): delete it in the same RUN that created it .*\[20000\]$/,
    ),
    texts.join('\n'),
  );
  assert.ok(find(/^3: add to \.dockerignore: `\.git\/` .*\[700\]$/), texts.join('\n'));
  assert.ok(
    find(/^3: `\/app\/data`: layer 4 .* only changes mode or owner.*COPY --chmod=755.*\[600\]$/),
    texts.join('\n'),
  );
  assert.ok(find(/^1: in `RUN apt-get .*` add `&& strip --strip-all \/usr\/bin\/app` .*\[3000\]$/), texts.join('\n'));
  assert.ok(find(/^0: documentation .* comes from the base image/), texts.join('\n'));
  const total = f.groups.reduce((s, g) => s + g.bytes, 0);
  assert.equal(total, f.saved.size);
  const md = renderFixListMarkdown(f);
  assert.match(md, /^# Slimming fix list for `hand\/image:1`/);
  assert.match(md, /## Layer 1: `RUN apt-get update && apt-get install -y app`/);
  assert.match(md, /## How these numbers were estimated/);
  assert.ok(f.notes.some((n) => n.startsWith('not in this plan: duplicate content')));
  assert.match(renderProjectionTable(projectPlan(a, buildPlan(a, r.actions))), /^layer\s+size now/);
});

test('plan files round-trip and reject bad input; flags make actions', () => {
  const actions = actionsFromFlags({
    remove: ['/var/lib/apt/lists/**', '/big.bin', 'class:vcs'],
    strip: ['all'],
    upx: ['/usr/bin/*'],
    finalOnly: true,
  });
  assert.deepEqual(actions, [
    { kind: 'remove-glob', glob: '/var/lib/apt/lists/**' },
    { kind: 'remove-path', path: '/big.bin' },
    { kind: 'remove-class', class: 'vcs' },
    { kind: 'final-only' },
    { kind: 'strip', target: 'all' },
    { kind: 'upx', target: '/usr/bin/*' },
  ]);
  const back = parsePlanFile(JSON.parse(JSON.stringify(planFile(actions, 'x:1', 'zstd'))));
  assert.deepEqual(back.actions, actions);
  assert.equal(back.codec, 'zstd');
  assert.throws(
    () => parsePlanFile({ schema: 'slimtui-plan/1', actions: [{ kind: 'remove-class', class: 'nope' }] }),
    PlanFileError,
  );
  assert.throws(() => parsePlanFile({ schema: 'other', actions: [] }), /schema/);
});

test('globs', () => {
  assert.ok(matchesGlob('var/lib/apt/lists/x', '/var/lib/apt/lists'));
  assert.ok(matchesGlob('var/lib/apt/lists/x', '/var/lib/apt/lists/*'));
  assert.ok(!matchesGlob('var/lib/apt/listsx', '/var/lib/apt/lists'));
  assert.ok(matchesGlob('a/b/c/.git/HEAD', '**/.git'));
  assert.ok(matchesGlob('.git', '**/.git'));
  assert.ok(matchesGlob('usr/lib/libz.a', '**/*.a'));
  assert.ok(!matchesGlob('usr/lib/libz.so', '**/*.a'));
  assert.ok(matchesGlob('home/bob/.cache/pip/x', '{root,home/*}/.cache/pip'));
});
