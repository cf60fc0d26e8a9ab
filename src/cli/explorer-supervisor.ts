// The explorer runs in a child node process with a heap sized from the machine's RAM, watched by this one:
// when the child still runs out of memory, V8 aborts it (a native stack on stderr, the terminal left in
// raw mode in the alternate screen). The parent then restores the terminal and says so in one line, exit 2.
// Only interactive explorer runs are supervised; --json, --ci and the rest run in-process as before.
import { spawn, spawnSync } from 'node:child_process';
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { parseCliArgs } from './args.js';
import { wantsPlanner } from './plan-args.js';

const CHILD = 'SLIMTUI_EXPLORER_CHILD';
const MIB = 1024 * 1024;
/** What V8 prints first when it gives up on the heap (then the JS and native stacks). */
const OOM_MARKERS = ['<--- Last few GCs --->', 'FATAL ERROR:', 'JavaScript heap out of memory'];

/** The heap limit the user set (NODE_OPTIONS or node's own flags), in MiB; undefined when none. */
export function userHeapLimit(execArgv: readonly string[], nodeOptions: string | undefined): number | undefined {
  const all = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)];
  for (const a of all) {
    const m = /^--max[-_]old[-_]space[-_]size=(\d+)$/.exec(a);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** The child's heap: what the user set, else ~70 % of RAM (leaving ≥ 2 GiB), never below node's default. */
export function explorerHeapMiB(total: number, defaultLimit: number, user: number | undefined): number {
  if (user !== undefined) return user;
  return Math.max(Math.floor(defaultLimit / MIB), Math.floor(Math.min(total * 0.7, total - 2048 * MIB) / MIB));
}

function wantsExplorer(argv: readonly string[]): boolean {
  try {
    const args = parseCliArgs(argv, process.env);
    if (args.help || args.version || args.mode !== 'tui' || wantsPlanner(args.plan)) return false;
    return args.tuiForced || (process.stdout.isTTY === true && process.stdin.isTTY === true);
  } catch {
    return false; // main reports the bad arguments
  }
}

/**
 * Runs the explorer in a supervised child and resolves with the exit code; undefined when this process
 * should go on itself (not an explorer run, or this is the child).
 */
export async function superviseExplorer(argv: readonly string[], script: string): Promise<number | undefined> {
  if (process.env[CHILD]) {
    // The child's stderr is a pipe to the parent, which forwards it to the terminal: progress lines still draw.
    const cols = Number(process.env[CHILD]);
    if (cols > 0) Object.assign(process.stderr, { isTTY: true, columns: cols });
    return undefined;
  }
  if (!wantsExplorer(argv)) return undefined;
  const user = userHeapLimit(process.execArgv, process.env['NODE_OPTIONS']);
  const heap = explorerHeapMiB(totalmem(), getHeapStatistics().heap_size_limit, user);
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv.filter((a) => userHeapLimit([a], undefined) === undefined),
      `--max-old-space-size=${heap}`,
      '--max-semi-space-size=32',
      script,
      ...argv,
    ],
    {
      stdio: ['inherit', 'inherit', 'pipe'],
      env: { ...process.env, [CHILD]: String(process.stderr.isTTY ? process.stderr.columns || 100 : 0) },
    },
  );
  let oom = false;
  child.stderr.on('data', (chunk: Buffer) => {
    if (oom) return;
    const text = chunk.toString('utf8');
    const at = Math.min(...OOM_MARKERS.map((m) => text.indexOf(m)).filter((i) => i >= 0));
    if (Number.isFinite(at)) {
      oom = true;
      process.stderr.write(text.slice(0, at).replace(/\n+$/, ''));
    } else process.stderr.write(chunk);
  });
  // Ctrl+C is a key to the explorer (raw mode); signals sent to this process go on to the child.
  const forward = (sig: NodeJS.Signals) => (): void => void child.kill(sig);
  const onTerm = forward('SIGTERM'),
    onHup = forward('SIGHUP');
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', onHup);
  process.on('SIGINT', () => undefined);
  // 'close': the child has exited and its stderr is drained.
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((res) =>
    child.on('close', (c, s) => res([c, s])),
  );
  process.off('SIGTERM', onTerm);
  process.off('SIGHUP', onHup);
  if (!oom && signal !== 'SIGABRT' && signal !== 'SIGKILL' && code !== 134)
    return code ?? (signal === 'SIGTERM' ? 143 : signal === 'SIGHUP' ? 129 : 1);
  restoreTerminal();
  const why =
    oom || signal === 'SIGABRT' || code === 134
      ? `ran out of memory (a ${heap} MiB heap)`
      : 'was killed (SIGKILL: most likely the system ran out of memory)';
  process.stderr.write(
    `\r\x1b[Kslimtui: the explorer ${why}; this image needs more memory than this machine or NODE_OPTIONS=--max-old-space-size=… allows (--json needs less)\n`,
  );
  return 2;
}

/** Out of the alternate screen, cursor back, the line discipline as a shell expects it. */
function restoreTerminal(): void {
  if (process.stdout.isTTY) process.stdout.write('\x1b[?25h\x1b[?1049l');
  if (process.stdin.isTTY) spawnSync('stty', ['sane'], { stdio: ['inherit', 'ignore', 'ignore'] });
}
