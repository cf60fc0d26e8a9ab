// patches/ink+6.8.0.patch (applied by patch-package on install): ink keeps one set of output caches for every
// frame instead of a new one per frame, draws a screen row again only when the writes that make it changed, and
// its renderer takes a text's width from the measure cache. Without it a keystroke's frame in the explorer
// rebuilds every row of the screen cell by cell (~20 ms of a 23 ms frame on the bench image). These check the
// installed ink is the patched one, through its own modules, and that a frame still shows what was written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const INK = join(process.cwd(), 'node_modules', 'ink');

test('the installed ink is the version the patch was made for', () => {
  const { version } = JSON.parse(readFileSync(join(INK, 'package.json'), 'utf8')) as { version: string };
  assert.equal(version, '6.8.0', 'a new ink needs the patch remade (npx patch-package ink) or dropped');
});

test("ink's frames share their output caches, and a line's styled characters are computed once", async () => {
  type Output = {
    caches: { getStyledChars(line: string): unknown[] };
    write(...a: unknown[]): void;
    get(): { output: string };
  };
  const { default: Output } = (await import(pathToFileURL(join(INK, 'build', 'output.js')).href)) as {
    default: new (o: { width: number; height: number }) => Output;
  };
  const a = new Output({ width: 20, height: 2 });
  const b = new Output({ width: 20, height: 2 });
  assert.equal(a.caches, b.caches);
  const line = '\x1b[31m├── red\x1b[39m';
  assert.equal(a.caches.getStyledChars(line), b.caches.getStyledChars(line));
  // The frame itself is unchanged by the cache: the same text on both.
  a.write(0, 0, line, { transformers: [] });
  b.write(0, 0, line, { transformers: [] });
  assert.equal(a.get().output, b.get().output);
  assert.equal(a.get().output, '\x1b[31m├── red\x1b[39m\n');
});

test('a row drawn from the same writes is the same string; a changed write changes only its row', async () => {
  type Output = {
    write(x: number, y: number, t: string, o: { transformers: unknown[] }): void;
    get(): { output: string };
  };
  const { default: Output } = (await import(pathToFileURL(join(INK, 'build', 'output.js')).href)) as {
    default: new (o: { width: number; height: number }) => Output;
  };
  const frame = (rows: [number, number, string][]): string => {
    const o = new Output({ width: 12, height: 3 });
    for (const [x, y, t] of rows) o.write(x, y, t, { transformers: [] });
    return o.get().output;
  };
  const first = frame([
    [0, 0, 'layers'],
    [7, 0, '├── a'],
    [0, 1, '\x1b[1mbold\x1b[22m'],
    [0, 2, 'x'],
  ]);
  assert.equal(first, 'layers ├── a\n\x1b[1mbold\x1b[22m\nx');
  // Row 1 written again with other text, rows 0 and 2 as before (drawn from the rows cache).
  const second = frame([
    [0, 0, 'layers'],
    [7, 0, '├── a'],
    [0, 1, 'plain'],
    [0, 2, 'x'],
  ]);
  assert.equal(second, 'layers ├── a\nplain\nx');
  // The same text at another column is another row; a later write over an earlier one wins, as in ink.
  assert.equal(frame([[2, 0, 'x']]), '  x\n\n');
  assert.equal(
    frame([
      [0, 0, 'abcd'],
      [1, 0, 'Z'],
    ]),
    'aZcd\n\n',
  );
  // A wide character takes two cells, and what follows it is placed after them.
  assert.equal(
    frame([
      [0, 0, '中'],
      [2, 0, 'b'],
    ]),
    '中b\n\n',
  );
});
