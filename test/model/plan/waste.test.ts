import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../src/model/analysis.js';
import { classifyWaste } from '../../../src/model/plan/index.js';
import { sampleImage } from './sample.js';

test('classes of the sample image, with bytes per layer and in the final filesystem', () => {
  const w = classifyWaste(analyze(sampleImage()));
  const byId = new Map(w.classes.map((c) => [c.id, c]));
  // apt lists: l1 4000 + l2 1000, written by layer 1, still in the final fs.
  assert.equal(byId.get('apt-lists')?.storedBytes, 5000);
  assert.equal(byId.get('apt-lists')?.finalBytes, 5000);
  assert.deepEqual(byId.get('apt-lists')?.perLayer, [0, 5000, 0, 0, 0]);
  assert.deepEqual(
    byId.get('apt-lists')?.paths.map((p) => p.path),
    ['var/lib/apt/lists'],
  );
  assert.equal(byId.get('docs')?.storedBytes, 300);
  assert.equal(byId.get('vcs')?.storedBytes, 700);
  assert.deepEqual(
    byId.get('vcs')?.paths.map((p) => p.path),
    ['app/.git'],
  );
  // big.bin: 20000 in layer 1, deleted by layer 2.
  assert.equal(byId.get('deleted')?.storedBytes, 20000);
  assert.deepEqual(byId.get('deleted')?.perLayer, [0, 20000, 0, 0, 0]);
  // app/data: copied in layer 3, re-emitted by `chmod` in layer 4 with the same sha: the layer-3 copy is waste.
  assert.equal(byId.get('chmod-copied')?.storedBytes, 600);
  assert.deepEqual(byId.get('chmod-copied')?.perLayer, [0, 0, 0, 600, 0]);
  assert.equal(byId.has('overwritten'), false);
  // app/data (layer 4) and app/data2 (layer 3) hold the same bytes: keep the lower-layer copy, 600 extra.
  assert.equal(byId.get('duplicates')?.storedBytes, 600);
  assert.deepEqual(byId.get('duplicates')?.perLayer, [0, 0, 0, 0, 600]);
  assert.equal(w.duplicates[0]?.copies[0]?.path, 'app/data2');
  assert.equal(w.haveDigests, true);
});

test('the first matching rule wins: a .git inside the Go module cache is module cache', () => {
  const img = sampleImage();
  const w = classifyWaste(
    analyze({
      ...img,
      layers: [
        {
          ...img.layers[0]!,
          entries: [
            { path: 'root/go/pkg/mod/x@v1/.git/HEAD', kind: 'file', size: 10, mode: 0o644, uid: 0, gid: 0, mtime: 0 },
            { path: 'usr/local/go/pkg/tool/x.a', kind: 'file', size: 20, mode: 0o644, uid: 0, gid: 0, mtime: 0 },
            {
              path: 'usr/lib/x86_64-linux-gnu/libfoo.a',
              kind: 'file',
              size: 30,
              mode: 0o644,
              uid: 0,
              gid: 0,
              mtime: 0,
            },
            {
              path: 'srv/node_modules/left-pad/test/t.js',
              kind: 'file',
              size: 40,
              mode: 0o644,
              uid: 0,
              gid: 0,
              mtime: 0,
            },
            {
              path: 'srv/node_modules/@s/pkg/tests/t.js',
              kind: 'file',
              size: 50,
              mode: 0o644,
              uid: 0,
              gid: 0,
              mtime: 0,
            },
            { path: 'src/build/x.o', kind: 'file', size: 60, mode: 0o644, uid: 0, gid: 0, mtime: 0 },
            { path: 'root/.cache/pip/wheels/a.whl', kind: 'file', size: 70, mode: 0o644, uid: 0, gid: 0, mtime: 0 },
          ],
        },
      ],
    }),
  );
  const got = Object.fromEntries(w.classes.map((c) => [c.id, c.storedBytes]));
  assert.deepEqual(got, {
    'go-mod-cache': 10,
    'go-sdk': 20,
    'static-archives': 30,
    'dependency-tests': 90,
    'object-files': 60,
    'pip-cache': 70,
  });
});
