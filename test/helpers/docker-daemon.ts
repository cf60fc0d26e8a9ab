// A private Docker engine for tests that need a real daemon.
//
// No engine runs on the development/CI machines, so tests start one: Debian's `dockerd` (package
// docker.io) with everything it writes kept under one private temp dir, so that several daemons
// (and a system one, if any) never collide:
//
//   dockerd --config-file DIR/daemon.json   (an empty "{}": ignore /etc/docker/daemon.json)
//           --data-root  DIR/data           (images, containers; managed containerd's root is DIR/data/containerd)
//           --exec-root  DIR/exec           (runtime state; managed containerd's state, config and
//                                            grpc socket are under DIR/exec/containerd)
//           --pidfile    DIR/docker.pid
//           --host       unix://DIR/docker.sock
//           --storage-driver vfs            (works on any filesystem, no overlay mounts to leak)
//           --iptables=false --ip-masq=false --ip-forward=false --bridge=none
//                                            (touch no host firewall, sysctl or network interface;
//                                             containers get no network, which tests never need)
//
// A test that needs the daemon must FAIL when it cannot start: startDaemon() throws with the tail of
// the daemon's log, and nothing here skips.
//
// getTestDaemon() is what tests call: under `npm test`, test/run-tests.mjs starts ONE daemon for the
// whole run and passes it in SLIMTUI_TEST_DOCKER_HOST; a test file run on its own starts (and caches)
// its own daemon, which a detached watchdog stops when the test process exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile, mkdir, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface DockerRunOptions {
  /** Written to the CLI's stdin (then stdin is closed). */
  input?: Buffer | string;
  cwd?: string;
  /** Extra environment for this call (DOCKER_HOST is always this daemon's). */
  env?: Record<string, string>;
  /** Kill the CLI and reject after this many ms (default: no limit). */
  timeoutMs?: number;
}

export interface DockerResult {
  stdout: string;
  stderr: string;
}

export interface TestDaemon {
  /** Absolute path of the daemon's unix socket. */
  socketPath: string;
  /** `unix://` + socketPath, for DOCKER_HOST or dockerode. */
  dockerHost: string;
  /** Runs the docker CLI against this daemon; rejects with an Error carrying stderr on failure. */
  docker(args: string[], opts?: DockerRunOptions): Promise<DockerResult>;
  /** Stops the daemon and removes its temp dir; a no-op for a daemon taken from SLIMTUI_TEST_DOCKER_HOST. */
  stop(): Promise<void>;
}

export const TEST_DOCKER_HOST_ENV = 'SLIMTUI_TEST_DOCKER_HOST';

const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 20_000;
const LOG_TAIL_LINES = 40;
/** Where Debian puts dockerd, runc (/usr/sbin) and containerd, its shims, docker-init (/usr/bin). */
const SYSTEM_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** PATH with the system dirs appended, so dockerd finds containerd, runc and docker-init. */
function daemonPath(): string {
  const parts = (process.env['PATH'] ?? '').split(delimiter).filter((p) => p !== '');
  for (const p of SYSTEM_PATH) if (!parts.includes(p)) parts.push(p);
  return parts.join(delimiter);
}

function findOnPath(name: string): string | undefined {
  for (const dir of daemonPath().split(delimiter)) {
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The dockerd binary: $SLIMTUI_DOCKERD, else `dockerd` on PATH (or the system dirs). */
function dockerdBinary(): string {
  const fromEnv = process.env['SLIMTUI_DOCKERD'];
  if (fromEnv) return fromEnv;
  const found = findOnPath('dockerd');
  if (!found) throw new Error('cannot start a test Docker daemon: no `dockerd` found (apt-get install docker.io)');
  return found;
}

/**
 * The docker CLI: $SLIMTUI_DOCKER_CLI, else Debian's /usr/bin/docker (same release as Debian's
 * dockerd), else `docker` on PATH. (These machines also carry a newer client in /usr/local/bin;
 * it works too, negotiating the daemon's API version down.)
 */
export function dockerCliBinary(): string {
  const fromEnv = process.env['SLIMTUI_DOCKER_CLI'];
  if (fromEnv) return fromEnv;
  if (isExecutable('/usr/bin/docker')) return '/usr/bin/docker';
  return findOnPath('docker') ?? 'docker';
}

/** Environment for the docker CLI: this daemon only, no contexts/TLS settings from the caller's env. */
function cliEnv(dockerHost: string, extra?: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: daemonPath(), DOCKER_HOST: dockerHost, ...extra };
  delete env['DOCKER_CONTEXT'];
  delete env['DOCKER_TLS_VERIFY'];
  delete env['DOCKER_CERT_PATH'];
  return env;
}

function runDocker(dockerHost: string, args: string[], opts: DockerRunOptions = {}): Promise<DockerResult> {
  const cli = dockerCliBinary();
  return new Promise((resolve, reject) => {
    const child = spawn(cli, args, {
      cwd: opts.cwd,
      env: cliEnv(dockerHost, opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const outChunks: Buffer[] = [];
    const errChunks: Buffer[] = [];
    let timedOut = false;
    const timer =
      opts.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, opts.timeoutMs)
        : undefined;
    child.stdout.on('data', (b: Buffer) => outChunks.push(b));
    child.stderr.on('data', (b: Buffer) => errChunks.push(b));
    child.stdin.on('error', () => {
      /* the CLI may exit before reading all input; its exit status tells */
    });
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(new Error(`docker ${args.join(' ')}: cannot run ${cli}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const stdout = Buffer.concat(outChunks).toString('utf8');
      const stderr = Buffer.concat(errChunks).toString('utf8');
      if (code === 0) {
        resolve({ stdout, stderr });
        return;
      }
      const why = timedOut ? `timed out after ${opts.timeoutMs} ms` : signal ? `killed by ${signal}` : `exit ${code}`;
      const out = stdout.trim();
      const outTail = out.length > 4000 ? `...${out.slice(-4000)}` : out;
      const e = new Error(
        `docker ${args.join(' ')} failed (${why}):\n${stderr.trim()}${outTail ? `\n--- stdout ---\n${outTail}` : ''}`,
      );
      Object.assign(e, { stdout, stderr, exitCode: code });
      reject(e);
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/** GET /_ping on the unix socket; true when the engine answers 200 "OK". */
function ping(socketPath: string, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve(res.statusCode === 200 && Buffer.concat(chunks).toString() === 'OK'));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function logTail(logPath: string, lines = LOG_TAIL_LINES): Promise<string> {
  try {
    const text = await readFile(logPath, 'utf8');
    const t = text.trimEnd();
    return t === '' ? '(daemon log is empty)' : t.split('\n').slice(-lines).join('\n');
  } catch {
    return '(no daemon log)';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readPid(path: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Decodes the octal escapes (\040 etc.) of /proc/self/mountinfo paths. */
function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

/** Mount points at or under dir, deepest first. */
function mountsUnder(dir: string): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const found = new Set<string>();
  for (const line of text.split('\n')) {
    const field = line.split(' ')[4];
    if (field === undefined) continue;
    const mp = unescapeMountPath(field);
    if (mp === dir || mp.startsWith(dir + '/')) found.add(mp);
  }
  return [...found].sort((a, b) => b.length - a.length);
}

function run(cmd: string, args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { stdio: 'ignore', env: { ...process.env, PATH: daemonPath() } });
    c.on('error', () => resolve(null));
    c.on('close', (code) => resolve(code));
  });
}

/** Unmounts whatever is left under dir (lazily, deepest first), then removes it. */
async function removeTree(dir: string): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const mounts = mountsUnder(dir);
    if (mounts.length === 0) break;
    for (const mp of mounts) await run('umount', ['-l', mp]);
  }
  await rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 200 });
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/**
 * A detached shell that outlives this process: once `ownerPid` is gone it stops the daemon (only if
 * that pid is still our dockerd, checked by its command line naming `dir`), waits, kills it and its
 * managed containerd if needed, unmounts what is left under `dir` and removes `dir`. stop() kills the
 * watchdog first, so it only acts when this process died without stopping its daemon.
 */
const WATCHDOG_SCRIPT = `
owner=$1; daemon=$2; dir=$3
while kill -0 "$owner" 2>/dev/null; do sleep 1; done
ours() { [ -r "/proc/$1/cmdline" ] && tr '\\0' ' ' < "/proc/$1/cmdline" | grep -qF -- "$dir"; }
ctd=$(cat "$dir/exec/containerd/containerd.pid" 2>/dev/null || true)
if ours "$daemon"; then
  kill -TERM "$daemon" 2>/dev/null
  i=0; while ours "$daemon" && [ $i -lt 40 ]; do sleep 0.5; i=$((i+1)); done
  ours "$daemon" && kill -KILL "$daemon" 2>/dev/null
fi
[ -n "$ctd" ] && ours "$ctd" && kill -KILL "$ctd" 2>/dev/null
sleep 0.5
grep -F -- " $dir" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
rm -rf -- "$dir"
`;

function startWatchdog(daemonPid: number, dir: string): ChildProcess | undefined {
  try {
    const w = spawn(
      '/bin/sh',
      ['-c', WATCHDOG_SCRIPT, 'slimtui-dockerd-watchdog', String(process.pid), String(daemonPid), dir],
      {
        detached: true,
        stdio: 'ignore',
        env: { ...process.env, PATH: daemonPath() },
      },
    );
    w.on('error', () => {
      /* best effort */
    });
    w.unref();
    return w;
  } catch {
    return undefined;
  }
}

export interface StartDaemonOptions {
  /** How long to wait for the daemon to answer (default 60 s). */
  timeoutMs?: number;
}

/** Starts a private dockerd; resolves once it answers /_ping; throws with the log tail otherwise. */
export async function startDaemon(options: StartDaemonOptions = {}): Promise<TestDaemon> {
  const timeoutMs = options.timeoutMs ?? START_TIMEOUT_MS;
  const dockerd = dockerdBinary();
  // Short prefix under /tmp: unix socket paths (ours and containerd's) must stay < 108 bytes.
  const dir = await mkdtemp(join(tmpdir(), 'slimtui-dockerd-'));
  const socketPath = join(dir, 'docker.sock');
  const dockerHost = `unix://${socketPath}`;
  const logPath = join(dir, 'dockerd.log');
  const pidFile = join(dir, 'docker.pid');
  await mkdir(join(dir, 'data'));
  await mkdir(join(dir, 'exec'));
  await writeFile(join(dir, 'daemon.json'), '{}\n');

  const args = [
    '--config-file',
    join(dir, 'daemon.json'),
    '--data-root',
    join(dir, 'data'),
    '--exec-root',
    join(dir, 'exec'),
    '--pidfile',
    pidFile,
    '--host',
    dockerHost,
    '--storage-driver',
    'vfs',
    '--iptables=false',
    '--ip-masq=false',
    '--ip-forward=false',
    '--bridge=none',
  ];

  const log = createWriteStream(logPath);
  await new Promise<void>((resolve, reject) => {
    log.once('open', () => resolve());
    log.once('error', reject);
  });
  const child = spawn(dockerd, args, {
    stdio: ['ignore', log, log],
    env: { ...process.env, PATH: daemonPath() },
    // Own process group: a Ctrl-C at the terminal reaches the test runner, which stops us in order.
    detached: true,
  });
  child.unref();
  let spawnError: Error | undefined;
  child.on('error', (e) => {
    spawnError = e;
  });

  const fail = async (why: string): Promise<never> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      child.kill('SIGKILL');
      await waitForExit(child, 5_000);
    }
    killManagedContainerd(dir);
    const tail = await logTail(logPath);
    log.end();
    await removeTree(dir).catch(() => undefined);
    throw new Error(`cannot start a test Docker daemon (${dockerd}): ${why}\n--- dockerd log (tail) ---\n${tail}`);
  };

  const started = Date.now();
  for (;;) {
    if (spawnError) return fail(`spawn failed: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      return fail(`dockerd exited early (${child.exitCode !== null ? `exit ${child.exitCode}` : child.signalCode})`);
    }
    if (existsSync(socketPath) && (await ping(socketPath))) break;
    if (Date.now() - started > timeoutMs) return fail(`no answer on ${socketPath} within ${timeoutMs} ms`);
    await sleep(100);
  }

  const pid = child.pid as number;
  const watchdog = startWatchdog(pid, dir);
  let stopping: Promise<void> | undefined;

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (watchdog?.pid !== undefined && watchdog.exitCode === null) {
        try {
          watchdog.kill('SIGKILL');
        } catch {
          /* already gone */
        }
      }
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        if (!(await waitForExit(child, STOP_GRACE_MS))) {
          try {
            process.kill(-pid, 'SIGKILL'); // dockerd and its managed containerd (same process group)
          } catch {
            child.kill('SIGKILL');
          }
          await waitForExit(child, 5_000);
        }
      }
      killManagedContainerd(dir);
      log.end();
      await removeTree(dir);
    })();
    return stopping;
  };

  return {
    socketPath,
    dockerHost,
    docker: (a, o) => runDocker(dockerHost, a, o),
    stop,
  };
}

/** After dockerd is gone, its managed containerd should be too; if not (dockerd was SIGKILLed), kill it. */
function killManagedContainerd(dir: string): void {
  const ctd = readPid(join(dir, 'exec', 'containerd', 'containerd.pid'));
  if (ctd === undefined || !isAlive(ctd)) return;
  try {
    const cmdline = readFileSync(`/proc/${ctd}/cmdline`, 'utf8');
    if (cmdline.includes(dir)) process.kill(ctd, 'SIGKILL');
  } catch {
    /* gone */
  }
}

/** A TestDaemon for an engine someone else runs (SLIMTUI_TEST_DOCKER_HOST); stop() does nothing. */
export function attachDaemon(host: string): TestDaemon {
  const socketPath = host.startsWith('unix://') ? host.slice('unix://'.length) : host;
  if (!socketPath.startsWith('/')) {
    throw new Error(
      `${TEST_DOCKER_HOST_ENV} must be unix:///absolute/path or an absolute socket path, got ${JSON.stringify(host)}`,
    );
  }
  const dockerHost = `unix://${socketPath}`;
  return {
    socketPath,
    dockerHost,
    docker: (a, o) => runDocker(dockerHost, a, o),
    stop: async () => undefined,
  };
}

let cached: Promise<TestDaemon> | undefined;

/**
 * The daemon a test should use: the shared one from SLIMTUI_TEST_DOCKER_HOST (under `npm test`),
 * else one started for this process and cached (stopping it clears the cache). Rejects — so the
 * test fails — when no daemon can be had.
 */
export function getTestDaemon(): Promise<TestDaemon> {
  const host = process.env[TEST_DOCKER_HOST_ENV];
  if (host) {
    const d = attachDaemon(host);
    return ping(d.socketPath).then((ok) => {
      if (!ok) throw new Error(`${TEST_DOCKER_HOST_ENV}=${host}: no Docker engine answers there`);
      return d;
    });
  }
  if (!cached) {
    const p = startDaemon().then((d) => {
      const stop = d.stop;
      return {
        ...d,
        stop: async () => {
          if (cached === p) cached = undefined;
          await stop();
        },
      };
    });
    cached = p;
    p.catch(() => {
      if (cached === p) cached = undefined;
    });
  }
  return cached;
}
