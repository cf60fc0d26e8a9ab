// Runs the real CLI (`node bin/slimtui …`) in a child process. bin/slimtui runs dist/bundle/ (or dist/), so both
// are rebuilt (`npm run build`: tsc, then scripts/bundle.mjs) once per test process when any src/ file is newer.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = process.cwd();
export const BIN = join(ROOT, 'bin', 'slimtui');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

let built = false;
export function ensureBuilt(): void {
  if (built) return;
  const main = join(ROOT, 'dist', 'cli', 'main.js');
  if (!existsSync(main) || statSync(main).mtimeMs < newest(join(ROOT, 'src'))) buildDist();
  built = true;
}

/** `npm run build`: dist/ from the sources (tsc), then dist/bundle/ from dist/ (scripts/bundle.mjs). */
export function buildDist(): void {
  const main = join(ROOT, 'dist', 'cli', 'main.js');
  // tsc emits even when it reports type errors (noEmitOnError is off): only a missing output is fatal.
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json')],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (!existsSync(main))
    throw new Error(`tsc -p tsconfig.json did not produce dist/cli/main.js:\n${r.stdout}${r.stderr}`);
  const b = spawnSync(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`scripts/bundle.mjs failed:\n${b.stdout}${b.stderr}`);
  built = true;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  /** Run through this wrapper (e.g. ['setpriv', '--reuid=65534', …]). */
  wrap?: string[];
  timeoutMs?: number;
}

/** The environment tests start from: no CI, no DOCKER_HOST, no colour or TTY-dependent settings. */
export function baseEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['CI', 'DOCKER_HOST', 'DOCKER_CONTEXT', 'CONTAINER_HOST', 'SLIMTUI_DEBUG']) delete env[k];
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function runCli(args: string[], opts: CliOptions): Promise<CliResult> {
  ensureBuilt();
  const cmd = opts.wrap ? opts.wrap[0]! : process.execPath;
  const argv = opts.wrap ? [...opts.wrap.slice(1), process.execPath, BIN, ...args] : [BIN, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: opts.cwd, env: baseEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
