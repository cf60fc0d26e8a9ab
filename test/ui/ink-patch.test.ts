// patches/ink+6.8.0.patch (applied by patch-package on install): ink keeps one set of output caches for every
// frame instead of a new one per frame, and its renderer takes a text's width from the measure cache. Without
// it a keystroke's frame in the explorer recomputes every line's tokens, styled characters and widths (~60 % of
// the frame). These check the installed ink is the patched one, through its own modules.
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
