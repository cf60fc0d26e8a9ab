// Shared by the ELF tests: a Go environment that writes only inside the test's own temp dir, and the rule
// that a missing build tool fails the test in CI (CI=true) instead of skipping it.
import { join } from 'node:path';

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

export { needTool } from '../../helpers/need-tool.js';
