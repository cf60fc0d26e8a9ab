import type { Analysis } from '../model/analysis.js';
import type { ImageDiff } from '../model/diff/index.js';
import { CompareApp } from './compare-app.js';
import { runFullScreen } from './full-screen.js';
import { colorEnabled } from './theme.js';

/** Runs the compare view full-screen; the terminal is restored on every way out (see full-screen.ts). */
export async function runCompareTui(
  diff: ImageDiff,
  a: Analysis,
  b: Analysis,
  opts: { stdout?: NodeJS.WriteStream; stdin?: NodeJS.ReadStream; env?: NodeJS.ProcessEnv } = {},
): Promise<number> {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  return runFullScreen(
    <CompareApp diff={diff} a={a} b={b} color={colorEnabled(opts.env ?? process.env, stdout)} />,
    stdout,
    stdin,
  );
}
