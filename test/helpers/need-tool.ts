// The rule for a tool a test needs: outside CI a missing tool skips the test (and says which package gives it);
// in CI (CI=true) it is a failure, never a silent skip.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';

/** Returns false (the test was skipped) when the tool is missing outside CI; fails the test in CI. */
export function needTool(t: TestContext, ok: boolean, what: string, install: string): boolean {
  if (ok) return true;
  if (process.env['CI']) assert.fail(`${what} is missing in CI (${install})`);
  t.skip(`${what} not installed (${install})`);
  return false;
}
