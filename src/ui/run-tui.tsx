import type { BinaryOptions } from '../model/libc/binaries.js';
import type { Analysis } from '../model/analysis.js';
import type { Codec, Predictors } from '../model/plan/index.js';
import type { ReadFile, UpxModel, WriteExport } from '../model/ports.js';
import { App } from './app.js';
import { runFullScreen } from './full-screen.js';
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
  /** The analysis once the content pass is in, when the first frame comes from the headers only. */
  readonly content?: () => Promise<Analysis>;
}

/** Runs the explorer full-screen; the terminal is restored on every way out (see full-screen.ts). */
export async function runTui(analysis: Analysis, opts: RunTuiOptions = {}): Promise<number> {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  const env = opts.env ?? process.env;
  return runFullScreen(
    <App
      analysis={analysis}
      {...(opts.readFile ? { readFile: opts.readFile } : {})}
      {...(opts.previewNote ? { previewNote: opts.previewNote } : {})}
      {...(opts.predictors ? { predictors: opts.predictors } : {})}
      {...(opts.codec ? { codec: opts.codec } : {})}
      {...(opts.writeExport ? { writeExport: opts.writeExport } : {})}
      {...(opts.upxModel ? { upxModel: opts.upxModel } : {})}
      {...(opts.binaryOptions ? { binaryOptions: opts.binaryOptions } : {})}
      {...(opts.content ? { content: opts.content } : {})}
      color={colorEnabled(env, stdout)}
    />,
    stdout,
    stdin,
  );
}
