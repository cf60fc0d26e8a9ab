// The real UPX model in the explorer: the plan shows the planner's rough guess at once, marks the UPX numbers
// as estimating, asks the injected model (once per file) and projects again with its answer.
import { test, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup } from 'ink-testing-library';
import type { AppProps, UpxModel } from '../../src/ui/app.js';
import type { Analysis } from '../../src/model/analysis.js';
import type { Entry } from '../../src/model/entry.js';
import { UPX_BY_MODEL } from '../../src/model/plan/model-predictors.js';
import type { UpxPrediction } from '../../src/model/plan/predictors.js';
import type { UpxTarget } from '../../src/model/plan/upx-target.js';
import { KEY, waitFor } from '../helpers/ink.js';
import { jump, mountApp, status, type MountedApp } from '../helpers/demo-app.js';
import { demoWithElf, storedBytesUnder } from '../helpers/demo-elf.js';

let demo: Analysis;
before(async () => {
  demo = await demoWithElf();
});
afterEach(() => cleanup());

const mount = (extra: Partial<AppProps> = {}): MountedApp => mountApp(demo, extra);

/** A fake model that answers when the test says so, and records what it was asked. */
function fakeModel() {
  const calls: (readonly UpxTarget[])[] = [];
  let answer!: (r: Map<Entry, UpxPrediction>) => void;
  let fail!: (e: Error) => void;
  const model: UpxModel = (targets) => {
    calls.push(targets);
    return new Promise((res, rej) => {
      answer = (results) => res({ results });
      fail = rej;
    });
  };
  return { model, calls, answer: (r: Map<Entry, UpxPrediction>) => answer(r), fail: (e: Error) => fail(e) };
}

test('P on demo-app: the rough guess at once (33 % of 25.2 kB: UPX 4.2 packs files ≥ 4096 B), "estimating…", then the injected model\'s size; asked once', async () => {
  const fake = fakeModel();
  const ui = mount({ upxModel: fake.model });
  await waitFor(() => ui.frame().includes('Files ·') && status(ui.frame()).includes('→'), 'first frame with sizes');
  const before = demo.image.layers.reduce((s, l) => s + l.size, 0);
  // demo-app: 25,200 bytes (tar -tv of its layer); real UPX 4.2 packs anything ≥ 4096 B, and so does the guess.
  assert.equal(storedBytesUnder(demo, 'usr/local/bin/demo-app'), 25_200);
  await jump(ui, 'demo-app', 'demo-app');
  let f = await ui.press('P', (f) => status(f).includes('UPX estimating…'), 'rough projection, model asked');
  assert.equal(fake.calls.length, 1);
  assert.deepEqual(
    fake.calls[0]!.map((t) => t.path),
    ['usr/local/bin/demo-app'],
  );
  f = await ui.press('v', (f) => f.includes('Plan · 1 action'), 'plan view');
  assert.match(f, /Plan · 1 action · UPX estimating…/);
  // The rough guess: 33 % of 25,200 = 8,316 bytes, i.e. 16,884 fewer (by hand).
  assert.match(f, /−16\.9 kB\s+\S+ \S+\s+UPX-pack \/usr\/local\/bin\/demo-app .*\(rough guess, estimati/);
  assert.doesNotMatch(f, /refused by UPX/);
  // The model packs it to 10,000 bytes: 15,200 fewer on disk.
  const entry = fake.calls[0]![0]!.entry;
  fake.answer(new Map([[entry, { size: 10_000, gzipSize: 9_990, estimatedBy: UPX_BY_MODEL }]]));
  f = await ui.press('', (f) => !f.includes('estimating') && f.includes('−15.2 kB'), 'model projection');
  assert.match(f, /−15\.2 kB\s+\S+ \S+\s+.*demo-app/);
  assert.ok(
    f.includes(`exact: ${before.toLocaleString('en-US')} → ${(before - 15_200).toLocaleString('en-US')} bytes on disk`),
    f,
  );
  assert.ok(status(f).includes('(−15.2 kB)'), status(f));
  // Out of the plan and back in: the cached answer, the model is not asked again.
  f = await ui.press(KEY.esc, (f) => !f.includes('Plan ·'), 'plan closed');
  f = await ui.press('P', (f) => !status(f).includes('(−15.2 kB)'), 'unpacked');
  f = await ui.press('P', (f) => status(f).includes('(−15.2 kB)'), 'packed again');
  assert.ok(!status(f).includes('estimating'), status(f));
  assert.equal(fake.calls.length, 1);
});

test('the UPX model fails: the rough guess stays and the status line says so', async () => {
  const fake = fakeModel();
  const ui = mount({ upxModel: fake.model });
  await waitFor(() => ui.frame().includes('Files ·') && status(ui.frame()).includes('→'), 'first frame with sizes');
  await jump(ui, 'busybox', 'busybox');
  await ui.press('P', (f) => status(f).includes('UPX estimating…'), 'model asked');
  const rough = status(ui.frame()).replace(' · UPX estimating…', '').split('  ')[0];
  fake.fail(new Error('xz: not found'));
  const f = await ui.press(
    '',
    (f) => status(f).includes('UPX model failed, rough guess kept: xz: not found'),
    'failure shown',
  );
  assert.ok(!status(f).includes('estimating'), status(f));
  assert.ok(status(f).includes(rough!), `${rough}\n${status(f)}`);
});
