// Shared by the ELF tests: a Go environment that writes only inside the test's own temp dir, and the rule
// that a missing build tool fails the test in CI (CI=true) instead of skipping it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** GOCACHE/GOPATH/GOMODCACHE (and HOME, which go falls back to) inside `dir`; no network (GOPROXY=off). */
export function goTestEnv(dir: string): Record<string, string> {
  return {
    GOCACHE: join(dir, 'go-cache'),
    GOPATH: join(dir, 'go-path'),
    GOMODCACHE: join(dir, 'go-path', 'pkg', 'mod'),
    GOTMPDIR: dir,
    HOME: dir,
    GOPROXY: 'off',
    GOTOOLCHAIN: 'local',
    GOFLAGS: '-mod=mod',
  };
}

/** Outside CI, skips the test when a tool is missing; in CI the missing tool is a failure. Returns false to stop. */
export function needTool(t: TestContext, ok: boolean, what: string, install: string): boolean {
  if (ok) return true;
  if (process.env['CI']) assert.fail(`${what} is missing in CI (${install})`);
  t.skip(`${what} not installed (${install})`);
  return false;
}
