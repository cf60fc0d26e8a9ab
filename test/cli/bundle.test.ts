// `bin/slimtui` runs dist/bundle/ (scripts/bundle.mjs: the CLI, its workers and node_modules in a few ES module
// files). The bundle must be the same program as dist/: byte-identical outputs from both, on the paths that load
// a bundle file of their own (layer workers, the diff worker, the engine-less archive sources, the planner).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT, baseEnv, ensureBuilt } from '../helpers/cli.js';
import { sharedPath } from '../helpers/shared.js';

const DIST_MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const BUNDLE_MAIN = join(ROOT, 'dist', 'bundle', 'main.js');
const KANIKO = sharedPath('fixtures/third-party-dive/test-kaniko-image.tar');
const OCI_GZIP = sharedPath('fixtures/third-party-dive/test-oci-gzip-image.tar');

/** Runs `node SCRIPT ARGS` from the repo root; layers go to the worker threads whatever their size. */
function run(script: string, args: string[]) {
  const r = spawnSync(process.execPath, [script, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: baseEnv({ SLIMTUI_PARALLEL: 'force' }),
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the build writes the bundle beside dist/, no older than what tsc wrote, with one file per entry point', () => {
  ensureBuilt();
  assert.ok(existsSync(BUNDLE_MAIN), 'dist/bundle/main.js');
  assert.ok(statSync(BUNDLE_MAIN).mtimeMs >= statSync(DIST_MAIN).mtimeMs, 'bundle at least as new as dist/');
  const files = readdirSync(join(ROOT, 'dist', 'bundle'));
  for (const f of ['main.js', 'explorer-supervisor.js', 'layer-worker.js', 'diff-worker.js'])
    assert.ok(files.includes(f), f);
  // ink, react and the UI are in the bundle: the explorer's chunks load with no node_modules in reach (copied to
  // a directory with none above it), where an import of a package would fail.
  const runTui = files.find((f) => f.startsWith('run-tui-'));
  assert.ok(runTui, 'the explorer has a chunk of its own (loaded only by the explorer)');
  const away = mkdtempSync(join(tmpdir(), 'slimtui-bundle-'));
  try {
    cpSync(join(ROOT, 'dist', 'bundle'), join(away, 'bundle'), { recursive: true });
    const r = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `await import(${JSON.stringify(join(away, 'bundle', runTui))});`],
      { cwd: away, encoding: 'utf8', env: baseEnv({ NODE_ENV: 'production' }) },
    );
    assert.equal(r.status, 0, r.stderr);
  } finally {
    rmSync(away, { recursive: true, force: true });
  }
});

for (const [name, args] of [
  ['--json on the demo image', ['--json']],
  ['--json on a kaniko archive (layer workers)', ['--json', KANIKO]],
  ['--ci on an OCI gzip archive', ['--ci', OCI_GZIP]],
  ['--what-if --json (the planner)', ['--what-if', '--json', KANIKO]],
  ['diff --json (the diff worker)', ['diff', '--json', KANIKO, OCI_GZIP]],
] as const) {
  test(`bin/slimtui (the bundle) and dist/cli/main.js print the same: ${name}`, () => {
    ensureBuilt();
    const bundled = run(BIN, [...args]);
    const plain = run(DIST_MAIN, [...args]);
    assert.equal(bundled.code, plain.code, `${bundled.stderr}\n${plain.stderr}`);
    assert.ok(bundled.stdout.length > 100, bundled.stderr);
    assert.equal(bundled.stdout, plain.stdout);
    assert.equal(bundled.stderr, plain.stderr);
  });
}
