/** `slimtui diff A B`: loads both images at once, compares them, and writes the chosen output. */
import { writeFileSync } from 'node:fs';
import { analyze } from '../model/analysis.js';
import { diffImages, diffInputs, evaluateDiffRules, type ImageDiff } from '../model/diff/index.js';
import type { Analysis } from '../model/analysis.js';
import { hostPlatform, parsePlatform } from '../model/image-config.js';
import { classifyPath } from '../io/load-image.js';
import { parseSourceArg } from '../io/sources/source-spec.js';
import { SlimError, messages, writeOutput } from '../io/errors.js';
import type { Progress } from '../io/progress.js';
import { formatBytes } from '../model/byte-units.js';
import { statusLine } from './progress-line.js';
import { threadCpuMs } from './diff-thread-cpu.js';
import { DIFF_HELP, parseDiffArgs } from './diff-args.js';
import { loadDiffRules } from './diff-ci-config.js';
import { loadDiffInputs, loadPair } from './diff-load.js';
import { diffJson } from './diff-json.js';
import { diffCiText, diffSummaryMarkdown } from './diff-summary.js';

/** Both loads on one status line: `A: 1.2 GB (layer 3 of 12) · B: …`. */
function pairProgress(stream: NodeJS.WriteStream): {
  update: (which: 'A' | 'B', p: Progress) => void;
  clear: () => void;
} {
  const line = statusLine(stream);
  const state: Record<'A' | 'B', string> = { A: 'waiting', B: 'waiting' };
  return {
    update(which, p) {
      state[which] =
        p.stage === 'analysing'
          ? 'analysing'
          : `${formatBytes(p.bytes)}${p.totalBytes ? ` / ${formatBytes(p.totalBytes)}` : ''}${p.layerCount ? ` (layer ${Math.min(p.layersRead + 1, p.layerCount)} of ${p.layerCount})` : ''}`;
      line.show(`reading A: ${state.A} · B: ${state.B}`);
    },
    clear: line.clear,
  };
}

export async function runDiff(argv: readonly string[], tool: { name: string; version: string }): Promise<number> {
  const args = parseDiffArgs(argv, process.env);
  if (args.help) {
    process.stdout.write(`${DIFF_HELP}\n`);
    return 0;
  }
  let platform = hostPlatform(process.platform, process.arch);
  if (args.platform) {
    const p = parsePlatform(args.platform);
    if (!p) throw new SlimError(messages.badPlatform(args.platform));
    platform = p;
  }
  const specA = parseSourceArg(args.a, args.sourceA, classifyPath);
  const specB = parseSourceArg(args.b, args.sourceB, classifyPath);
  // Rules are read before the images so a bad rules file fails fast.
  const ci = args.mode === 'ci' ? loadDiffRules(args.ruleFlags, args.ciConfig, process.cwd()) : undefined;
  const progress = pairProgress(process.stderr);
  const t0 = performance.now();
  const pairOpts = {
    digests: args.digests,
    elf: args.elf,
    platform,
    platformExplicit: args.platform !== undefined,
    onProgress: progress.update,
    serial: process.env['SLIMTUI_DIFF_SERIAL'] === '1',
  };
  // The compare view reads both whole analyses; the other outputs only what the diff reads (a worker sends less).
  const tui =
    args.mode === 'tui' && (args.tuiForced || (process.stdout.isTTY === true && process.stdin.isTTY === true));
  let d: ImageDiff;
  let analyses: [Analysis, Analysis] | undefined;
  try {
    if (tui) {
      const [ia, ib] = await loadPair(specA, specB, pairOpts);
      analyses = [analyze(ia), analyze(ib)];
      d = diffImages(analyses[0], analyses[1]);
    } else {
      const [ia, ib] = await loadDiffInputs(specA, specB, pairOpts);
      const t1 = performance.now();
      d = diffInputs(ia, ib);
      // For the benchmark: where the time goes (SLIMTUI_DIFF_TIMING=1).
      if (process.env['SLIMTUI_DIFF_TIMING'])
        process.stderr.write(
          `diff-timing load+analyse=${(t1 - t0).toFixed(0)} diff=${(performance.now() - t1).toFixed(0)} main-thread-cpu=${threadCpuMs()}\n`,
        );
    }
  } finally {
    progress.clear();
  }
  switch (args.mode) {
    case 'json': {
      const text = `${JSON.stringify(diffJson(d, tool), null, 2)}\n`;
      if (args.jsonFile) writeOutput(() => writeFileSync(args.jsonFile!, text), args.jsonFile);
      else process.stdout.write(text);
      return 0;
    }
    case 'ci': {
      const results = evaluateDiffRules(d, ci!.rules);
      process.stdout.write(diffCiText(d, results, ci!.from));
      return results.some((r) => r.status === 'fail') ? 1 : 0;
    }
    case 'summary':
      process.stdout.write(diffSummaryMarkdown(d));
      return 0;
    case 'tui':
      if (analyses) return runCompare(d, analyses[0], analyses[1]);
      process.stdout.write(diffSummaryMarkdown(d));
      return 0;
  }
}

/** The compare view, loaded only here so --json/--ci/--summary never import ink or react. */
async function runCompare(d: ImageDiff, a: Analysis, b: Analysis): Promise<number> {
  delete process.env['CI'];
  delete process.env['CONTINUOUS_INTEGRATION'];
  // (An alias: the bundle's compile-time NODE_ENV, scripts/bundle.mjs, would rewrite process.env's own.)
  const env = process.env;
  env['NODE_ENV'] ??= 'production';
  const { runCompareTui } = await import('../ui/run-compare.js');
  return runCompareTui(d, a, b);
}
