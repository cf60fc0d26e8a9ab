// A private Podman for tests: Debian's `podman system service --time=0 unix://DIR/podman.sock` with its
// storage (vfs driver), run state and temp files under a temp dir the test owns, cgroupfs and file events (no
// systemd), and no container ever started (so no network). Images get in with `podman load` using the same
// storage flags. stop() ends the service (by its pid) and removes the dir.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestPodman {
  readonly socketPath: string;
  /** `unix://…`, for CONTAINER_HOST. */
  readonly containerHost: string;
  podman(args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startPodman(): Promise<TestPodman> {
  const dir = await mkdtemp(join(tmpdir(), 'slimtui-podman-'));
  const flags = [
    '--root',
    join(dir, 'root'),
    '--runroot',
    join(dir, 'run'),
    '--storage-driver',
    'vfs',
    '--cgroup-manager',
    'cgroupfs',
    '--events-backend',
    'file',
    '--tmpdir',
    join(dir, 'tmp'),
  ];
  // No registries.conf or storage.conf from the machine: the flags above say everything.
  await writeFile(
    join(dir, 'storage.conf'),
    `[storage]\ndriver = "vfs"\nrunroot = "${join(dir, 'run')}"\ngraphroot = "${join(dir, 'root')}"\n`,
  );
  await writeFile(join(dir, 'registries.conf'), 'unqualified-search-registries = []\n');
  const env = {
    ...process.env,
    CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf'),
    CONTAINERS_REGISTRIES_CONF: join(dir, 'registries.conf'),
    XDG_RUNTIME_DIR: join(dir, 'xdg'),
  };
  const socketPath = join(dir, 'podman.sock');
  const child = spawn('podman', [...flags, 'system', 'service', '--time=0', `unix://${socketPath}`], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (b: Buffer) => (log += b.toString()));
  child.stderr.on('data', (b: Buffer) => (log += b.toString()));
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  child.on('error', (e) => (log += `spawn: ${e.message}`));
  const deadline = Date.now() + 30_000;
  while (!existsSync(socketPath)) {
    if (exited !== undefined || Date.now() > deadline) {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
      throw new Error(`podman system service did not start (exit ${exited}):\n${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    socketPath,
    containerHost: `unix://${socketPath}`,
    podman: async (args) => (await run('podman', [...flags, ...args], { env, maxBuffer: 1 << 26 })).stdout,
    stop: async () => {
      if (exited === undefined) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await gone;
        clearTimeout(t);
      }
      // vfs layers are plain directories; podman's own cleanup of them needs the same flags.
      await run('podman', [...flags, 'system', 'reset', '--force'], { env }).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
