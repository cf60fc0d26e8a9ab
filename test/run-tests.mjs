// Runs the whole test suite (after `tsc -p tsconfig.test.json`) against ONE private Docker daemon:
// starts it, passes it to every test process in SLIMTUI_TEST_DOCKER_HOST, runs
// `node --test --test-concurrency=1` on all .build/test/**/*.test.js (sorted), stops the daemon
// (also on SIGINT/SIGTERM) and exits with the test runner's code.
// Extra arguments are passed to `node --test` before the files (e.g. --test-name-pattern=...).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = process.cwd();
const buildTest = resolve(root, '.build/test');

function findTests(dir) {
  const out = [];
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) out.push(...findTests(p));
    else if (ent.isFile() && ent.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

if (!existsSync(buildTest)) {
  console.error('run-tests: .build/test is missing; run `tsc -p tsconfig.test.json` first');
  process.exit(1);
}
const files = findTests(buildTest)
  .map((p) => relative(root, p))
  .sort();
if (files.length === 0) {
  console.error('run-tests: no .build/test/**/*.test.js files found');
  process.exit(1);
}

const helper = pathToFileURL(resolve(root, '.build/test/helpers/docker-daemon.js')).href;
const { startDaemon, TEST_DOCKER_HOST_ENV } = await import(helper);

let daemon;
const t0 = Date.now();
try {
  daemon = await startDaemon();
} catch (e) {
  const msg = e instanceof Error ? e.message : String(e);
  const [first, ...rest] = msg.split('\n');
  console.error(`run-tests: FAILED: the tests need a Docker daemon and none could be started: ${first}`);
  if (rest.length > 0) console.error(rest.join('\n'));
  process.exit(1);
}
console.log(
  `run-tests: Docker daemon at ${daemon.dockerHost} (ready in ${Date.now() - t0} ms); ${files.length} test files`,
);

let child;
let stopPromise;
function stopDaemon() {
  stopPromise ??= daemon.stop().catch((e) => {
    console.error(`run-tests: stopping the Docker daemon failed: ${e instanceof Error ? e.message : e}`);
  });
  return stopPromise;
}

let gotSignal;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (gotSignal) return; // second signal: keep waiting for the cleanup already under way
    gotSignal = sig;
    console.error(`run-tests: ${sig}: stopping the tests and the Docker daemon`);
    if (child && child.exitCode === null && child.signalCode === null) child.kill(sig);
    else void stopDaemon().then(() => process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1)));
  });
}

let code = 1;
try {
  const args = ['--test', '--test-concurrency=1', ...process.argv.slice(2), ...files];
  child = spawn(process.execPath, args, {
    stdio: 'inherit',
    env: { ...process.env, [TEST_DOCKER_HOST_ENV]: daemon.dockerHost },
  });
  code = await new Promise((resolveExit) => {
    child.on('error', (e) => {
      console.error(`run-tests: cannot run node --test: ${e.message}`);
      resolveExit(1);
    });
    child.on('exit', (c, signal) => {
      if (c !== null) resolveExit(c);
      else resolveExit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1, SIGKILL: 9 }[signal] ?? 1));
    });
  });
} finally {
  // Nothing is printed here on success: the test runner's summary stays the last lines of output.
  await stopDaemon();
}
if (gotSignal && code === 0) code = 128 + (gotSignal === 'SIGINT' ? 2 : gotSignal === 'SIGTERM' ? 15 : 1);
process.exit(code);
