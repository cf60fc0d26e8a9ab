/**
 * The explorer's export writer with a Dockerfile known: writing the plan file also writes ./slimtui-fixes.patch,
 * made asynchronously (the patch weighs rebuilt Go binaries on their bytes), and the write resolves only once the
 * patch is on disk; other names are written as they are, synchronously.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cwdExportWriter, PATCH_EXPORT_NAME } from '../../src/cli/tui-export.js';

test('plan file → the patch beside it, awaited; other files untouched by the patch maker', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'slimtui-tui-export-'));
  try {
    const seen: string[] = [];
    const w = cwdExportWriter(cwd, async (text) => {
      seen.push(text);
      await new Promise((r) => setTimeout(r, 20));
      return `patch for ${text}\n`;
    });
    assert.equal(w('slimtui-fixes.md', '# fixes\n'), join(cwd, 'slimtui-fixes.md'));
    assert.deepEqual(seen, []);
    const pending = w('slimtui-plan.json', '{"x":1}');
    assert.ok(pending instanceof Promise);
    assert.equal(await pending, join(cwd, 'slimtui-plan.json'));
    assert.equal(readFileSync(join(cwd, PATCH_EXPORT_NAME), 'utf8'), 'patch for {"x":1}\n');
    // No patch when the maker has none (the plan file did not parse).
    rmSync(join(cwd, PATCH_EXPORT_NAME));
    const none = cwdExportWriter(cwd, async () => undefined);
    await none('slimtui-plan.json', '{}');
    assert.equal(existsSync(join(cwd, PATCH_EXPORT_NAME)), false);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
