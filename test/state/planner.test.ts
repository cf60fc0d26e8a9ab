import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Analysis } from '../../src/model/analysis.js';
import { modelPredictors } from '../../src/model/plan/model-predictors.js';
import { EMPTY_PLAN, removeActionAt, toggleAction, undoPlan } from '../../src/state/plan-state.js';
import { MARK_REMOVE, PlanProjector, planStatusText } from '../../src/state/plan-projector.js';
import { elfLines, elfMarks } from '../../src/state/elf-details.js';
import { findingList } from '../../src/state/findings-view.js';
import { buildLayerView, wasteIndex } from '../../src/state/layer-view.js';
import { flattenRows, visibleNodes, type RowOptions, type Rows } from '../../src/state/tree-rows.js';
import { RowsMemo, singleToggle } from '../../src/state/rows-memo.js';
import { wastedSizes } from '../../src/state/wasted-bytes.js';
import { initialState, reduce, type FrameContext } from '../../src/state/explorer-state.js';
import { demoWithElf, storedBytesUnder } from '../helpers/demo-elf.js';
import { BASE_ROW_OPTIONS } from '../helpers/row-options.js';

let demo: Analysis;
before(async () => {
  demo = await demoWithElf();
});

const BASE: RowOptions = BASE_ROW_OPTIONS;
const rowsArr = (r: Rows) => {
  const all = r.window(0, r.count);
  return {
    ids: all.map((x) => x.id),
    depth: all.map((x) => x.depth),
    last: all.map((x) => x.last),
    parentRow: all.map((x) => x.parentRow),
    hasKids: all.map((x) => x.hasKids),
  };
};

test('plan state: toggle adds and removes, drop by index, undo walks back', () => {
  const a = { kind: 'remove-path', path: '/app/data' } as const;
  const b = { kind: 'strip', target: 'all' } as const;
  let p = toggleAction(EMPTY_PLAN, a);
  p = toggleAction(p, b);
  assert.deepEqual(p.actions, [a, b]);
  p = toggleAction(p, { kind: 'remove-path', path: '/app/data' });
  assert.deepEqual(p.actions, [b], 'the same action again takes it out');
  p = removeActionAt(p, 0);
  assert.deepEqual(p.actions, []);
  p = undoPlan(p);
  assert.deepEqual(p.actions, [b]);
  p = undoPlan(undoPlan(p));
  assert.deepEqual(p.actions, [a]);
  assert.equal(undoPlan(undoPlan(p)).actions.length, 0);
});

test('expanding / collapsing one directory patches the rows exactly as a full flatten (every directory, both sorts)', () => {
  const view = buildLayerView(demo.tree, 4, 'aggregated');
  for (const sort of ['name', 'size'] as const) {
    for (const expandAll of [true, false]) {
      const opts0: RowOptions = { ...BASE, sort, expandAll };
      const vis = visibleNodes(demo.tree, view, wasteIndex(demo).marks, opts0);
      const memo = new RowsMemo();
      memo.rows(demo.tree, view, vis, opts0);
      let toggled = new Set<string>();
      for (const node of demo.tree.nodes) {
        if (node.children.size === 0 || node.id === 0) continue;
        toggled = new Set(toggled);
        toggled.add(node.path);
        const opts: RowOptions = { ...opts0, toggled };
        const patched = memo.rows(demo.tree, view, vis, opts);
        assert.deepEqual(
          rowsArr(patched),
          rowsArr(flattenRows(demo.tree, view, vis, opts)),
          `${sort} ${expandAll} toggle ${node.path}`,
        );
      }
      // And back, one at a time.
      for (const p of [...toggled]) {
        toggled = new Set(toggled);
        toggled.delete(p);
        const opts: RowOptions = { ...opts0, toggled };
        assert.deepEqual(
          rowsArr(memo.rows(demo.tree, view, vis, opts)),
          rowsArr(flattenRows(demo.tree, view, vis, opts)),
          `untoggle ${p}`,
        );
      }
    }
  }
  assert.equal(singleToggle(new Set(['a']), new Set(['a', 'b'])), 'b');
  assert.equal(singleToggle(new Set(['a', 'c']), new Set(['a', 'b'])), undefined);
});

test('wasted only at the last layer lists /usr/include (deleted by a directory whiteout in layer 3), sorted by wasted bytes', () => {
  const view = buildLayerView(demo.tree, 4, 'aggregated');
  const opts: RowOptions = { ...BASE, wastedOnly: true, sort: 'size' };
  const wasted = wastedSizes(demo, 4);
  const rows = flattenRows(demo.tree, view, visibleNodes(demo.tree, view, wasteIndex(demo).marks, opts), opts, wasted);
  const paths = rows.window(0, rows.count).map((r) => demo.tree.nodes[r.id]!.path);
  assert.ok(paths.includes('usr/include'), 'the deleted directory');
  assert.ok(paths.includes('usr/include/stdio.h') && paths.includes('usr/include/bits/alltypes.h'));
  // Wasted bytes of /usr/include: every header layer 1 and 2 stored there (all deleted in layer 3).
  assert.equal(wasted[demo.tree.byPath.get('usr/include')!.id], storedBytesUnder(demo, 'usr/include'));
  // Top level by wasted bytes: /app (big.bin, 614 kB deleted) before /usr (the headers) before /lib, /etc.
  const top = paths.filter((p) => !p.includes('/'));
  assert.equal(top[0], 'app');
  assert.equal(top[1], 'usr');
  // Children of /usr/include by wasted bytes, largest first: unistd.h (13,478 bytes) is the largest file.
  const inc = paths.filter((p) => /^usr\/include\/[^/]+$/.test(p));
  const sizes = inc.map((p) => wasted[demo.tree.byPath.get(p)!.id]!);
  assert.deepEqual(
    sizes,
    [...sizes].sort((x, y) => y - x),
  );
  assert.equal(inc[0], 'usr/include/bits', 'bits/ holds 17 kB of headers');
  assert.equal(inc[1], 'usr/include/unistd.h');
});

test('ELF marks and details: legacy-tool is a glibc binary in a musl image and will not start', () => {
  const marks = elfMarks(demo);
  const id = (p: string) => demo.tree.byPath.get(p)!.id;
  assert.equal(marks.tag.get(id('usr/local/bin/legacy-tool')), 'glibc');
  assert.equal(marks.tag.get(id('usr/local/bin/demo-app')), 'musl');
  assert.equal(marks.tag.get(id('bin/busybox')), 'static');
  assert.deepEqual(
    [...marks.failing].map((i) => demo.tree.nodes[i]!.path),
    ['usr/local/bin/legacy-tool'],
  );
  const text = elfLines(demo, demo.tree.byPath.get('usr/local/bin/legacy-tool')).map((l) =>
    typeof l === 'string' ? l : `[${l.tone}] ${l.text}`,
  );
  assert.ok(text.includes('ELF dynamic-exec · x86-64 · 64-bit · needs glibc'), text.join('\n'));
  assert.ok(text.some((l) => l.startsWith('[error] ✗ interpreter /lib64/ld-linux-x86-64.so.2')));
  assert.ok(text.some((l) => l.startsWith('[error] ✗ will not start')));
  assert.ok(text.includes('needed libm.so.6, libc.so.6'));
  assert.ok(text.includes('[error]   ✗ libm.so.6 not found'));
  assert.ok(text.includes('min GLIBC 2.34'));
  assert.ok(text.some((l) => l.startsWith('[error] ERROR interpreter-missing: glibc binary in a musl-only image')));
  const app = elfLines(demo, demo.tree.byPath.get('usr/local/bin/demo-app')).map((l) =>
    typeof l === 'string' ? l : l.text,
  );
  assert.ok(app.includes('  libc.so ⇒ /lib/ld-musl-x86_64.so.1 (layer 0, musl-self)'), app.join('\n'));
  assert.deepEqual(elfLines(demo, demo.tree.byPath.get('etc/passwd')), []);
  assert.equal(findingList(demo)[0]!.code, 'interpreter-missing');
});

test('projector: removing a path saves exactly the bytes its entries store; memoised by plan; marks the nodes', () => {
  const pr = new PlanProjector(demo, modelPredictors(demo.image));
  const none = pr.project([]);
  const before = demo.image.layers.reduce((s, l) => s + l.size, 0);
  assert.equal(none.projection.total.before.size, before);
  assert.equal(none.projection.total.after.size, before);
  const act = [{ kind: 'remove-path', path: '/app/data' }] as const;
  const r = pr.project(act);
  const expected = storedBytesUnder(demo, 'app/data');
  assert.ok(expected > 600_000, 'big.bin and README.txt');
  assert.equal(before - r.projection.total.after.size, expected);
  assert.ok(r.projection.total.after.compressed < r.projection.total.before.compressed);
  assert.equal(pr.project([{ kind: 'remove-path', path: '/app/data' }]), r, 'same plan, same result');
  assert.ok(r.marks[demo.tree.byPath.get('app/data/big.bin')!.id]! & MARK_REMOVE);
  assert.equal(r.marks[demo.tree.byPath.get('app/config.yaml')!.id], 0);
  assert.match(planStatusText(r.projection), /^3\.5 MB → 2\.9 MB \(−614 kB\) · gzip .* → .* \(−/);
});

test('reduce: x marks the node under the cursor, again unmarks it; z undoes; S on a non-ELF says so', () => {
  const view = buildLayerView(demo.tree, 4, 'aggregated');
  const vis = visibleNodes(demo.tree, view, wasteIndex(demo).marks, BASE);
  const rows = flattenRows(demo.tree, view, vis, BASE);
  const ctx: FrameContext = {
    analysis: demo,
    view,
    rows,
    treeHeight: 20,
    layerHeight: 5,
    overlayHeight: 20,
    previewLines: 0,
    helpLines: 0,
  };
  const s0 = { ...initialState(5), cursorId: demo.tree.byPath.get('app/config.yaml')!.id };
  const s1 = reduce(s0, 'markRemove', ctx);
  assert.deepEqual(s1.plan.actions, [{ kind: 'remove-path', path: '/app/config.yaml' }]);
  assert.match(s1.message, /plan: remove \/app\/config\.yaml/);
  const s2 = reduce(s1, 'markRemove', ctx);
  assert.deepEqual(s2.plan.actions, []);
  const s3 = reduce(s2, 'undo', ctx);
  assert.equal(s3.plan.actions.length, 1);
  const s4 = reduce(s3, 'toggleStrip', ctx);
  assert.equal(s4.plan.actions.length, 1);
  assert.match(s4.message, /not an ELF file/);
  const onElf = { ...s3, cursorId: demo.tree.byPath.get('usr/local/bin/demo-app')!.id };
  assert.deepEqual(reduce(onElf, 'toggleStrip', ctx).plan.actions.at(-1), {
    kind: 'strip',
    target: '/usr/local/bin/demo-app',
  });
  const inPlan = reduce({ ...s3, overlay: 'plan' }, 'removeAction', ctx);
  assert.deepEqual(inPlan.plan.actions, []);
});
