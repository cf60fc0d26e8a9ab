import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, type Analysis } from '../model/analysis.js';
import type { BinaryOptions } from '../model/libc/binaries.js';
import type { Image } from '../model/image.js';
import { completeAnalysis, treeAnalysis } from '../state/later-analyses.js';
import { afterContent } from './explorer-content.js';
import { evaluateCiRules } from '../model/ci-rules.js';
import { hostPlatform, parsePlatform } from '../model/image-config.js';
import { openImage, classifyPath, type LoadedImage } from '../io/load-image.js';
import { parseSourceArg } from '../io/sources/source-spec.js';
import { createSha256Analyser } from '../io/sha256-analyser.js';
import { elfAnalyser } from '../io/elf-analyser.js';
import { hostCpuLevel, hostCpuVendor } from '../io/cpu-level.js';
import { textAnalyser } from '../io/text-analyser.js';
import { gzipEstimateTap } from '../io/gzip-estimate-tap.js';
import { removalCostTap } from '../io/removal-cost-tap.js';
import { SlimError, messages, writeOutput } from '../io/errors.js';
import { HELP, parseCliArgs } from './args.js';
import { collectGarbage } from './collect-garbage.js';
import { jsonReport } from './json-report.js';
import { writeJsonFile, writeJsonTo } from './json-stream.js';
import { wantsPlanner } from './plan-args.js';
import { findingsText } from './findings-text.js';
import { ciText, summaryText } from './text-report.js';
import { progressLine } from './progress-line.js';
import type { LoadedDockerfile } from './plan-dockerfile.js';
import { registryFallback } from '../io/registry/fallback.js';
import { mark } from './trace.js';

export const DEMO_IMAGE = fileURLToPath(new URL('../../demo/demo-image.tar', import.meta.url));

function toolVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

async function run(argv: readonly string[]): Promise<number> {
  // `slimtui diff A B` (src/cli/diff-main.ts); a file named diff is `./diff`.
  if (argv[0] === 'diff')
    return (await import('./diff-main.js')).runDiff(argv.slice(1), { name: 'slimtui', version: toolVersion() });
  const args = parseCliArgs(argv, process.env);
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (args.version) {
    process.stdout.write(`slimtui ${toolVersion()}\n`);
    return 0;
  }
  let platform = hostPlatform(process.platform, process.arch);
  if (args.platform) {
    const p = parsePlatform(args.platform);
    if (!p) throw new SlimError(messages.badPlatform(args.platform));
    platform = p;
  }
  const spec =
    args.image === undefined
      ? { kind: 'docker-archive' as const, location: DEMO_IMAGE }
      : parseSourceArg(args.image, args.source, classifyPath);
  // Rules are read before the image so a bad rules file fails fast.
  // Loaded for --ci only: its YAML parser is a quarter of this module's code, read on every start otherwise.
  const ci =
    args.mode === 'ci'
      ? (await import('./ci-config.js')).loadCiRules(args.ruleFlags, args.ciConfig, process.cwd())
      : undefined;
  const explorer = args.mode === 'tui' && (args.tuiForced || (process.stdout.isTTY === true && process.stdin.isTTY));
  // The explorer's modules (ink, react) load while the image is read, once the layers' threads have their jobs:
  // loading them takes the main thread for ~0.3 s, which must not hold up handing out the layers. Nothing else
  // imports them.
  let explorerModules: ReturnType<typeof loadExplorer> | undefined;
  const explorerLoaded = (): ReturnType<typeof loadExplorer> => {
    if (!explorerModules) {
      explorerModules = loadExplorer();
      // Awaited on the explorer's paths; a failure elsewhere must not surface as an unhandled rejection.
      explorerModules.catch(() => undefined);
    }
    return explorerModules;
  };
  const progress = progressLine(process.stderr);
  let loaded: LoadedImage;
  try {
    // Content digests and the pull-size estimate (sampled gzip of each layer's tar) cost CPU: only the planner
    // and the explorer use them (duplicates, chmod-copies; compressed sizes before and after a plan).
    const planning = wantsPlanner(args.plan) || args.mode === 'tui';
    const digests = args.digests === 'on' || (args.digests === 'auto' && planning);
    const loadOpts = {
      analysers: [...(digests ? [createSha256Analyser()] : []), ...(args.elf ? [elfAnalyser, textAnalyser] : [])],
      // The removal-cost tap deflates every small file once more: only for the planner's outputs, not the explorer.
      ...(planning ? { taps: [gzipEstimateTap(), ...(wantsPlanner(args.plan) ? [removalCostTap()] : [])] } : {}),
      platform,
      platformExplicit: args.platform !== undefined,
      onProgress: (p: Parameters<typeof progress.update>[0]) => {
        if (explorer && p.stage === 'reading') {
          if (!explorerModules) mark('reading');
          void explorerLoaded();
        }
        progress.update(p);
      },
      ...(args.verify ? { verify: 'error' as const } : {}),
      registry: args.registry,
      // The explorer opens from the layers' headers where it can; the content pass follows its first frame.
      // (--verify must fail before any frame; the planner's outputs need the contents first.)
      ...(explorer && !wantsPlanner(args.plan) && !args.verify ? { skim: true } : {}),
    };
    try {
      mark('open');
      loaded = await openImage(spec, loadOpts);
      mark('loaded');
    } catch (e) {
      // No daemon, and IMAGE names a registry host: fetch it from the registry, saying so.
      const fb = registryFallback(
        spec,
        args.source !== undefined || /^(docker:\/\/|docker-daemon:)/.test(args.image ?? ''),
        e,
      );
      if (!fb) throw e;
      progress.clear();
      process.stderr.write(`slimtui: ${fb.note}\n`);
      loaded = await openImage(fb.spec, loadOpts);
    }
  } finally {
    progress.clear();
  }
  // A layer whose bytes do not match its digest is worth a line where the user looks, whatever the output mode
  // (it is in the report's warnings too); --verify made it an error already.
  for (const line of digestWarnings(loaded.image)) process.stderr.write(line);
  const cpuLevel = args.cpuLevel ?? hostCpuLevel();
  // The level may be chosen (--cpu-level); the vendor is this machine's (glibc < 2.37's legacy names follow it).
  const cpu = { cpuLevel, cpuVendor: hostCpuVendor() };
  // The Dockerfile (--dockerfile, or ./Dockerfile when the history matches it): each layer learns its instruction.
  // Its parser (and the planner's modules) load only when there is one: they are a third of what every run
  // would otherwise compile before its first step.
  const dockerfiles =
    args.plan.dockerfile !== undefined || existsSync(join(process.cwd(), 'Dockerfile'))
      ? await import('./plan-dockerfile.js')
      : undefined;
  const dockerfile = dockerfiles?.loadDockerfile(loaded.image, args.plan.dockerfile, process.cwd(), (l) =>
    process.stderr.write(l),
  );
  const image = dockerfile ? dockerfile.image : loaded.image;
  // The explorer draws as soon as the tree exists: the binaries report (libc, findings) follows the first frame.
  if (explorer && !wantsPlanner(args.plan)) {
    const first = treeAnalysis(image, { elf: args.elf, ...cpu });
    mark('tree');
    const pass = loaded.content;
    let analysed: Promise<Analysis> | undefined;
    // Started by the explorer after its first frame (once).
    const content =
      pass &&
      ((): Promise<Analysis> =>
        (analysed ??= pass().then((c) =>
          afterContent(
            first,
            c,
            (img) =>
              dockerfiles?.loadDockerfile(img, args.plan.dockerfile, process.cwd(), () => undefined)?.image ?? img,
            { elf: args.elf, ...cpu },
          ),
        )));
    return runExplorer(await explorerLoaded(), first, loaded, cpu, dockerfile, content);
  }
  // The load's garbage goes before the analyses build on it (collect-garbage.ts: the batch modes' peak memory).
  collectGarbage();
  const analysis = analyze(image, { elf: args.elf, ...cpu });
  let planRun;
  const planner = wantsPlanner(args.plan) ? await import('./plan-output.js') : undefined;
  if (planner) {
    // UPX-packed files are read again from the source and sized with xz (the single pass keeps no bytes).
    const upxProgress = (await import('./upx-progress.js')).upxProgressLine(process.stderr);
    try {
      planRun = await planner.runPlanWithUpx(analysis, args.plan, loaded.readFiles, {
        onProgress: upxProgress.update,
        onNote: (n) => {
          upxProgress.clear();
          process.stderr.write(`slimtui: UPX: ${n}\n`);
        },
      });
    } finally {
      upxProgress.clear();
    }
  }
  if (planner && planRun && args.plan.exportFile) {
    const patches = await import('./plan-patch.js');
    process.stderr.write(
      patches.isPatchFile(args.plan.exportFile)
        ? await patches.exportPatch(analysis, planRun, dockerfile, args.plan.exportFile, loaded.readFiles)
        : planner.exportFixList(analysis, planRun, args.plan.exportFile, args.plan.format),
    );
  }
  if (planRun && args.plan.verifyBuild) {
    // dockerode (and ssh2) load only when a daemon is needed.
    const { verifyBuild } = await import('./verify-build.js');
    return verifyBuild(analysis, planRun, dockerfile, process.stdout, process.stderr, loaded.readFiles);
  }
  if (planner && planRun && args.mode !== 'json') {
    if (args.plan.whatIf || !args.plan.exportFile) process.stdout.write(planner.whatIfText(planRun));
    return 0;
  }
  switch (args.mode) {
    case 'json': {
      const report = {
        ...(jsonReport(analysis, { name: 'slimtui', version: toolVersion() }) as object),
        ...(planner && planRun ? { plan: planner.planJson(planRun) } : {}),
      };
      // Written in pieces (json-stream.ts): the whole text of a big image's report never exists at once.
      if (args.jsonFile) writeOutput(() => writeJsonFile(args.jsonFile!, report), args.jsonFile);
      else await writeJsonTo(process.stdout, report);
      return 0;
    }
    case 'ci': {
      const results = evaluateCiRules(analysis, ci!.rules);
      process.stdout.write(ciText(analysis, results, ci!.from));
      return results.some((r) => r.status === 'fail') ? 1 : 0;
    }
    case 'tui':
      if (explorer) return runExplorer(await explorerLoaded(), analysis, loaded, cpu, dockerfile);
      process.stdout.write(summaryText(analysis) + findingsText(analysis));
      return 0;
    case 'summary':
      process.stdout.write(summaryText(analysis) + findingsText(analysis));
      return 0;
  }
}

/** The Ink explorer's modules, loaded only for it so --json/--ci never import ink or react. */
async function loadExplorer() {
  // ink renders only at exit when it believes it runs in CI (is-in-ci reads these at import time).
  delete process.env['CI'];
  delete process.env['CONTINUOUS_INTEGRATION'];
  // React's development build inspects every prop on every render; with a whole image as a prop that is slow.
  // (The bundle has React's production build only: scripts/bundle.mjs; this is for the modules run unbundled,
  // through an alias that the bundle's compile-time NODE_ENV does not rewrite.)
  const env = process.env;
  env['NODE_ENV'] ??= 'production';
  const [{ runTui }, { modelPredictors }, { cwdExportWriter }, { predictUpxTargets }] = await Promise.all([
    import('../ui/run-tui.js'),
    import('../model/plan/model-predictors.js'),
    import('./tui-export.js'),
    import('../io/upx-targets.js'),
  ]);
  return { runTui, modelPredictors, cwdExportWriter, predictUpxTargets };
}

async function runExplorer(
  m: Awaited<ReturnType<typeof loadExplorer>>,
  analysis: Analysis,
  loaded: LoadedImage,
  binaryOptions: BinaryOptions,
  dockerfile: LoadedDockerfile | undefined,
  content?: () => Promise<Analysis>,
): Promise<number> {
  const { runTui, modelPredictors, cwdExportWriter, predictUpxTargets } = m;
  const preview = loaded.preview;
  // The export and the UPX model read the analysis as complete as it is by then.
  let latest = analysis;
  const started = content && ((): Promise<Analysis> => content().then((a) => (latest = a)));
  const code = await runTui(analysis, {
    ...(started ? { content: started } : {}),
    ...(preview ? { readFile: preview.read } : {}),
    ...(preview?.note ? { previewNote: preview.note } : {}),
    // The planner in the explorer: the CLI's predictors (the app makes its own from the completed image when the
    // contents follow the first frame), and an export writer confined to the working directory.
    ...(content ? {} : { predictors: modelPredictors(analysis.image) }),
    // The patch is made at export time: by then what the first frame left pending (the metrics, the binaries
    // report) is wanted in it.
    writeExport: cwdExportWriter(
      process.cwd(),
      dockerfile &&
        (await import('./plan-patch.js')).explorerPatch(
          () => completeAnalysis(latest, binaryOptions),
          dockerfile,
          loaded.readFiles,
        ),
    ),
    // UPX-packed files are read again from the source and sized with xz, as `--what-if --upx` does.
    upxModel: (targets) => predictUpxTargets(loaded.readFiles, latest, targets),
    binaryOptions,
  });
  // A digest mismatch the content pass found after the first frame: said once the terminal is the shell's again,
  // as a full load says it before the explorer starts.
  if (latest !== analysis) for (const line of digestWarnings(latest.image)) process.stderr.write(line);
  // What is still queued (the content pass, the later analyses' slices) was for a view that is gone: on a
  // million-entry image it kept the process ~13 s after `q`.
  explorerDone = true;
  return code;
}

/** Set once the explorer has returned: the process then ends at once (stderr is synchronous on Linux). */
let explorerDone = false;

/** The stderr lines for an image's digest mismatches (they are in the report's warnings too). */
const digestWarnings = (image: Image): string[] =>
  image.warnings.filter((w) => w.code === 'digest-mismatch').map((w) => `slimtui: warning: ${w.message}\n`);

function fail(e: unknown): number {
  if (e instanceof SlimError) {
    process.stderr.write(`slimtui: ${e.message}\n`);
    return e.exitCode;
  }
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EPIPE') return 0;
  const text = e instanceof Error ? e.message : String(e);
  process.stderr.write(
    `slimtui: unexpected error: ${text.split('\n')[0]}${process.env['SLIMTUI_DEBUG'] ? `\n${(e as Error).stack}` : ''}\n`,
  );
  return 70;
}

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
});

if (process.env['SLIMTUI_REPORT_RSS']) {
  // For the benchmark: the peak resident set of this process (getrusage), on stderr at exit.
  process.on('exit', () => process.stderr.write(`max-rss-bytes=${process.resourceUsage().maxRSS * 1024}\n`));
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    if (explorerDone) process.exit(code);
  },
  (e: unknown) => {
    process.exitCode = fail(e);
  },
);
