import { render } from 'ink';
import type { Analysis } from '../model/analysis.js';
import type { ImageDiff } from '../model/diff/index.js';
import { CompareApp } from './compare-app.js';
import { colorEnabled } from './theme.js';

const ENTER_ALT = '\x1b[?1049h\x1b[H';
const LEAVE_ALT = '\x1b[?25h\x1b[?1049l';

/** Runs the compare view full-screen; the terminal is restored on every way out (as run-tui.tsx does). */
export async function runCompareTui(
  diff: ImageDiff,
  a: Analysis,
  b: Analysis,
  opts: { stdout?: NodeJS.WriteStream; stdin?: NodeJS.ReadStream; env?: NodeJS.ProcessEnv } = {},
): Promise<number> {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    stdout.write(LEAVE_ALT);
  };
  stdout.write(ENTER_ALT);
  process.on('exit', restore);
  let instance: ReturnType<typeof render> | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    try {
      instance?.unmount();
    } finally {
      restore();
      process.exit(signal === 'SIGTERM' ? 143 : 129);
    }
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  try {
    instance = render(<CompareApp diff={diff} a={a} b={b} color={colorEnabled(opts.env ?? process.env, stdout)} />, {
      stdout,
      stdin,
      exitOnCtrlC: false,
      patchConsole: true,
    });
    await instance.waitUntilExit();
    return 0;
  } finally {
    restore();
    process.off('exit', restore);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}
