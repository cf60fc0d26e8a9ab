import type { BinaryOptions } from '../model/libc/binaries.js';
import { render } from 'ink';
import type { Analysis } from '../model/analysis.js';
import type { Codec, Predictors } from '../model/plan/index.js';
import type { ReadFile, UpxModel, WriteExport } from '../model/ports.js';
import { App } from './app.js';
import { colorEnabled } from './theme.js';

export interface RunTuiOptions {
  /** Options of the libc pass that runs after the first frame. */
  readonly binaryOptions?: BinaryOptions;
  readonly readFile?: ReadFile;
  readonly previewNote?: string;
  /** The planner's predictors and codec, and the export writer (all from the CLI: the UI never does IO). */
  readonly predictors?: Predictors;
  readonly codec?: Codec;
  readonly writeExport?: WriteExport;
  readonly upxModel?: UpxModel;
  readonly stdout?: NodeJS.WriteStream;
  readonly stdin?: NodeJS.ReadStream;
  readonly env?: NodeJS.ProcessEnv;
}

const ENTER_ALT = '\x1b[?1049h\x1b[H';
const LEAVE_ALT = '\x1b[?25h\x1b[?1049l';

/**
 * Runs the explorer full-screen: enters the alternate screen, renders, and on every way out (q, Ctrl+C,
 * an error while rendering, SIGTERM/SIGHUP) unmounts ink and leaves the alternate screen, so the shell's
 * screen comes back as it was. Resolves with the exit code.
 */
export async function runTui(analysis: Analysis, opts: RunTuiOptions = {}): Promise<number> {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  const env = opts.env ?? process.env;
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    stdout.write(LEAVE_ALT);
  };
  stdout.write(ENTER_ALT);
  const onExit = (): void => restore();
  process.on('exit', onExit);
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
    instance = render(
      <App
        analysis={analysis}
        {...(opts.readFile ? { readFile: opts.readFile } : {})}
        {...(opts.previewNote ? { previewNote: opts.previewNote } : {})}
        {...(opts.predictors ? { predictors: opts.predictors } : {})}
        {...(opts.codec ? { codec: opts.codec } : {})}
        {...(opts.writeExport ? { writeExport: opts.writeExport } : {})}
        {...(opts.upxModel ? { upxModel: opts.upxModel } : {})}
        {...(opts.binaryOptions ? { binaryOptions: opts.binaryOptions } : {})}
        color={colorEnabled(env, stdout)}
      />,
      { stdout, stdin, exitOnCtrlC: false, patchConsole: true },
    );
    await instance.waitUntilExit();
    return 0;
  } finally {
    restore();
    process.off('exit', onExit);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}
