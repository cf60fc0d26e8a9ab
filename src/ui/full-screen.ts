import { render } from 'ink';
import type { ReactElement } from 'react';

const ENTER_ALT = '\x1b[?1049h\x1b[H';
const LEAVE_ALT = '\x1b[?25h\x1b[?1049l';

/**
 * Renders a root full-screen (the explorer, the compare view): enters the alternate screen, renders, and on
 * every way out (q, Ctrl+C, an error while rendering, SIGTERM/SIGHUP) unmounts ink and leaves the alternate
 * screen, so the shell's screen comes back as it was. Resolves with the exit code.
 */
export async function runFullScreen(
  element: ReactElement,
  stdout: NodeJS.WriteStream,
  stdin: NodeJS.ReadStream,
): Promise<number> {
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
    instance = render(element, { stdout, stdin, exitOnCtrlC: false, patchConsole: true });
    await instance.waitUntilExit();
    return 0;
  } finally {
    restore();
    process.off('exit', restore);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}
