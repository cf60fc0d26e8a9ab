import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPreview, hexLines, looksBinary, textLines } from '../../src/state/preview-format.js';
import { highlightRuns, runSearch, searchIndex } from '../../src/state/search.js';
import { smallImage } from '../helpers/ink.js';

test('hex dump: offset, two groups of 8 bytes, printable ASCII', () => {
  const bytes = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x41]);
  assert.deepEqual(hexLines(bytes), [
    '00000000  7f 45 4c 46 02 01 01 00  00 00 00 00 00 00 00 00  |.ELF............|',
    '00000010  41                                                |A|',
  ]);
  assert.equal(looksBinary(bytes), true);
});

test('text: numbered lines, tabs expanded; a cut UTF-8 sequence at the cap is not binary', () => {
  assert.deepEqual(textLines(new TextEncoder().encode('a\tb\nc\n')), ['1 │ a    b', '2 │ c']);
  const cut = new TextEncoder().encode('héllo').subarray(0, 2); // 'h' + first byte of 'é'
  assert.equal(looksBinary(cut), false);
  const p = formatPreview(new TextEncoder().encode('x\n'), 100);
  assert.equal(p.kind, 'text');
  assert.equal(p.truncated, true);
});

test('search: every path is searchable, ranked, with match positions', async () => {
  const a = await smallImage();
  const idx = searchIndex(a.tree);
  assert.equal(idx.targets.length, a.tree.nodes.length - 1);
  const r = runSearch(idx, 'zlar');
  assert.equal(r.hits[0]!.target, '/usr/lib/zlarge.so');
  const runs = highlightRuns(r.hits[0]!);
  assert.equal(
    runs
      .filter((x) => x.match)
      .map((x) => x.text)
      .join(''),
    'zlar',
  );
  assert.equal(runSearch(idx, '').hits.length, 0);
  // Scattered letters across segments still match at threshold 0.2: u-l-z.
  assert.ok(runSearch(idx, 'ulz').hits.some((h) => h.target === '/usr/lib/zlarge.so'));
});
