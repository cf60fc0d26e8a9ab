// The explorer's analysis once the content pass is in (cli/explorer-content.ts afterContent), on hand-made
// images: the facts the pass put on the entries are seen through the first frame's own tree; each layer gets the
// pass's layer facts merged over what the Dockerfile mapping put there; the warnings are the pass's; and when the
// pass saw other entries (`reloaded`), everything is built again from its image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterContent } from '../../src/cli/explorer-content.js';
import { treeAnalysis } from '../../src/state/later-analyses.js';
import type { Entry } from '../../src/model/entry.js';
import type { Image, Layer } from '../../src/model/image.js';
import { entryAt } from '../../src/model/file-tree.js';

const entry = (path: string, size: number): Entry => ({
  path,
  kind: 'file',
  size,
  mode: 0o644,
  uid: 0,
  gid: 0,
  mtime: 0,
});
const layer = (index: number, entries: Entry[], facts?: Record<string, unknown>): Layer => ({
  index,
  size: entries.reduce((s, e) => s + e.size, 0),
  tarSize: 10240,
  compression: 'none',
  entries,
  ...(facts ? { facts } : {}),
});
const image = (layers: Layer[]): Image => ({
  reference: 'x.tar',
  source: 'docker-archive',
  digest: 'sha256:00',
  repoTags: [],
  repoDigests: [],
  platform: { os: 'linux', architecture: 'amd64' },
  config: { env: [], labels: {} },
  history: [],
  layers,
  warnings: [],
});

test('facts land on the first frame’s entries; layer facts merge over the Dockerfile’s; the warnings are the pass’s', () => {
  const a = entry('bin/a', 5);
  const first = treeAnalysis(image([layer(0, [a], { dockerfile: { line: 3 } })]), { elf: false });
  // What the content pass does: facts on the same entry object, its own layer facts and a warning.
  a.facts = { sha256: 'ab' };
  const passImage = {
    ...image([layer(0, [a], { gzipEstimate: { bytes: 3 } })]),
    warnings: [{ code: 'digest-mismatch' as const, message: 'm', layer: 0 }],
  };
  const done = afterContent(first, { image: passImage, reloaded: false }, (i) => i, { elf: false });
  assert.equal(done.tree, first.tree, 'the tree stands');
  assert.deepEqual(done.image.layers[0]!.facts, { dockerfile: { line: 3 }, gzipEstimate: { bytes: 3 } });
  assert.deepEqual(done.image.warnings, passImage.warnings);
  const node = done.tree.byPath.get('bin/a')!;
  assert.equal(entryAt(node, 0)?.facts?.sha256, 'ab');
});

test('reloaded: the tree is built again from the new image, with the Dockerfile attached again', () => {
  const first = treeAnalysis(image([layer(0, [entry('bin/a', 5)])]), { elf: false });
  const other = image([layer(0, [entry('bin/a', 5), entry('bin/b', 7)])]);
  let attached = 0;
  const done = afterContent(
    first,
    { image: other, reloaded: true },
    (i) => {
      attached++;
      return i;
    },
    { elf: false },
  );
  assert.notEqual(done.tree, first.tree);
  assert.ok(done.tree.byPath.has('bin/b'));
  assert.equal(attached, 1);
  assert.equal(done.image.layers[0]!.size, 12);
});
