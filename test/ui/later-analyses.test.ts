// The first frame comes first: the explorer mounted on the tree alone (the binaries report pending, as the
// CLI hands it over) draws layers and tree in its first frame and says what is still running; the findings
// and waste classes land after it. The demo image's four findings are known by hand (see planner.test.ts).
import { test, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup } from 'ink-testing-library';
import type { Analysis } from '../../src/model/analysis.js';
import type { Entry } from '../../src/model/entry.js';
import { treeAnalysis } from '../../src/state/later-analyses.js';
import { waitFor, KEY } from '../helpers/ink.js';
import { mountApp, status } from '../helpers/demo-app.js';
import { demoWithElf } from '../helpers/demo-elf.js';

let demo: Analysis;
before(async () => {
  demo = await demoWithElf();
});
afterEach(() => cleanup());

test('first frame before the wasted bytes, the ELF/libc analysis and the waste classes; all land after it, keys live', async () => {
  const first = treeAnalysis(demo.image);
  const ui = mountApp(first);
  // The very first frame (render is synchronous): layers and tree are drawn, the analyses are still to run.
  const f0 = ui.frame();
  assert.match(f0, /Files · layer 4\/4 aggregated/);
  assert.match(f0, /slimtui\/demo:latest/);
  assert.ok(status(f0).includes('analysing: wasted bytes, ELF/libc, waste classes…'), status(f0));
  // The figures that need a pass over the entries say they are coming, not 0.
  assert.match(f0, /Reclaimable … {3}dive: efficiency …, wasted …/);
  assert.match(f0, /Layer 4: .*, reclaimable …/);
  assert.doesNotMatch(f0, /!/, 'no wasted marks before the wasted bytes are known');
  await waitFor(() => !status(ui.frame()).includes('analysing'), 'the later analyses to finish');
  // The demo's reclaimable bytes, by hand (demo-image.test.ts): 944 + 65,094 + 618,247 = 684,285 bytes.
  assert.match(ui.frame(), /Reclaimable 684 kB /);
  assert.match(ui.frame(), /!/, 'the wasted marks once known');
  let f = await ui.press('F', (f) => f.includes('Findings (4)'), 'findings view with the four findings');
  assert.doesNotMatch(f, /so far/);
  assert.match(f, /ERROR interpreter-missing \/usr\/local\/bin\/legacy-tool/);
  f = await ui.press(KEY.esc, (f) => !f.includes('Findings ('), 'closed');
  f = await ui.press('W', (f) => f.includes('Waste classes'), 'waste classes view');
  assert.doesNotMatch(f, /classifying the waste/);
});

test('the findings view while the ELF/libc analysis runs says the count is not final', async () => {
  // The later analyses are held back until the test lets them run.
  const held: (() => void)[] = [];
  const ui = mountApp(treeAnalysis(demo.image), { scheduleLater: (run) => (held.push(run), () => undefined) });
  const f = await ui.press('F', (f) => f.includes('Findings ('), 'findings view');
  assert.match(f, /Findings \(0 so far…\)/);
  assert.match(f, /the ELF\/libc analysis is still running/);
  assert.ok(status(f).includes('analysing: wasted bytes, ELF/libc, waste classes…'), status(f));
  assert.equal(held.length, 1, 'only the wasted bytes were scheduled (the ELF/libc analysis and the classes follow)');
  held.shift()!();
  await waitFor(() => !status(ui.frame()).includes('wasted bytes'), 'the wasted bytes, in slices');
  await waitFor(() => held.length === 1, 'the ELF/libc analysis scheduled after the wasted bytes');
  assert.ok(status(ui.frame()).includes('analysing: ELF/libc, waste classes…'), status(ui.frame()));
  held.shift()!();
  await waitFor(() => ui.frame().includes('Findings (4)'), 'the final count');
  await waitFor(() => held.length === 1, 'the waste classes scheduled after the ELF/libc analysis');
  assert.ok(status(ui.frame()).includes('analysing: waste classes…'), status(ui.frame()));
  held.shift()!();
  await waitFor(() => !status(ui.frame()).includes('analysing'), 'all analyses done');
});

/** The demo image as a skim gives it: the same entries without the content analysers' facts, no layer facts. */
function skimmedDemo(): { first: Analysis; complete: () => Analysis } {
  const skim = {
    ...demo.image,
    layers: demo.image.layers.map((l) => {
      const { facts: _, ...rest } = l;
      // Field by field: an image's entries are views over its layer's columns (model/entry-table.ts), whose
      // fields a spread would not copy.
      const plain = (e: Entry): Entry => ({
        path: e.path,
        kind: e.kind,
        size: e.size,
        mode: e.mode,
        uid: e.uid,
        gid: e.gid,
        mtime: e.mtime,
        ...(e.linkTarget !== undefined ? { linkTarget: e.linkTarget } : {}),
        ...(e.implicit ? { implicit: true } : {}),
      });
      return { ...rest, entries: l.entries.map(plain) };
    }),
  };
  const first = treeAnalysis(skim);
  // What io/skim-load.ts and cli/explorer-content.ts do when the content pass lands: the facts go on the first
  // frame's own entries, and each layer gets its layer facts.
  const complete = (): Analysis => {
    skim.layers.forEach((l, i) =>
      l.entries.forEach((e, k) => {
        const facts = demo.image.layers[i]!.entries[k]!.facts;
        if (facts) e.facts = facts;
      }),
    );
    const layers = skim.layers.map((l, i) => {
      const facts = demo.image.layers[i]!.facts;
      return facts ? { ...l, facts } : l;
    });
    return { ...first, image: { ...skim, layers } };
  };
  return { first, complete };
}

test('opened from the headers: the contents come first, then ELF/libc and the waste classes; an export waits for them', async () => {
  const { first, complete } = skimmedDemo();
  assert.ok(
    first.image.layers.every((l) => l.entries.every((e) => e.facts === undefined)),
    'the first frame has no content facts',
  );
  let land: (a: Analysis) => void = () => undefined;
  const content = new Promise<Analysis>((r) => (land = r));
  const written = new Map<string, string>();
  const ui = mountApp(first, {
    content: () => content,
    writeExport: async (name, text) => {
      written.set(name, text);
      return `/out/${name}`;
    },
  });
  assert.ok(
    status(ui.frame()).includes('analysing: contents, wasted bytes, ELF/libc, waste classes…'),
    status(ui.frame()),
  );
  // Nothing that needs the contents runs before them: the findings view says the count is not final.
  await new Promise((r) => setTimeout(r, 100));
  let f = await ui.press('F', (f) => f.includes('Findings ('), 'findings view');
  assert.match(f, /Findings \(0 so far…\)/);
  f = await ui.press(KEY.esc, (f) => !f.includes('Findings ('), 'closed');
  // E now: the export waits for the contents (its fix list must name the binary that will not start).
  f = await ui.press('E', (f) => status(f).includes('exporting…'), 'export waiting');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(written.size, 0, 'nothing written before the contents are in');
  assert.ok(status(ui.frame()).includes('analysing: contents'), status(ui.frame()));
  land(complete());
  await waitFor(() => status(ui.frame()).includes('fix list written to'), 'the export after the contents');
  const md = [...written.entries()].find(([n]) => n.endsWith('.md'))?.[1] ?? '';
  assert.match(md, /legacy-tool/, 'the fix list knows the ELF facts');
  await waitFor(() => !status(ui.frame()).includes('analysing'), 'the later analyses to finish');
  f = await ui.press('F', (f) => f.includes('Findings (4)'), 'the four findings');
  assert.match(f, /ERROR interpreter-missing \/usr\/local\/bin\/legacy-tool/);
});
