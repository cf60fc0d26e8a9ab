import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Analysis } from '../model/analysis.js';
import { dockerfilePatch, type DockerfilePatch, type PatchOptions } from '../model/dockerfile/patch.js';
import { fixList } from '../model/plan/fix-list.js';
import { buildPlan } from '../model/plan/build-plan.js';
import { parsePlanFile } from '../model/plan/plan-file.js';
import { projectPlan } from '../model/plan/project-plan.js';
import { modelPredictors } from '../model/plan/model-predictors.js';
import { formatBytes } from '../model/byte-units.js';
import { SlimError, messages, writeOutput } from '../io/errors.js';
import type { LoadedDockerfile } from './plan-dockerfile.js';
import type { PlanRun } from './plan-output.js';
import type { ReadFiles } from '../model/ports.js';
import { goRebuildTargets } from '../model/dockerfile/go-rebuild.js';
import { measureRebuiltGo } from '../io/rebuilt-go-size.js';

/** True for an export file that asks for the Dockerfile patch. */
export const isPatchFile = (file: string): boolean => /\.(patch|diff)$/i.test(file);

/** The runtime bases the patch may choose (SLIMTUI_GLIBC_BASE / SLIMTUI_MUSL_BASE override the defaults). */
export function patchOptions(env: NodeJS.ProcessEnv = process.env): PatchOptions {
  return {
    ...(env['SLIMTUI_GLIBC_BASE'] ? { glibcBase: env['SLIMTUI_GLIBC_BASE'] } : {}),
    ...(env['SLIMTUI_MUSL_BASE'] ? { muslBase: env['SLIMTUI_MUSL_BASE'] } : {}),
  };
}

export function makePatch(
  analysis: Analysis,
  run: PlanRun,
  df: LoadedDockerfile | undefined,
  what: string,
  extra: Pick<PatchOptions, 'rebuiltGo'> = {},
): DockerfilePatch {
  if (!df)
    throw new SlimError(
      messages.usage(`${what} needs the Dockerfile: --dockerfile PATH (or a ./Dockerfile the image's history matches)`),
    );
  if (!df.mapping.matched)
    throw new SlimError(
      `${what}: the image's layers do not line up with ${df.path} (${df.mapping.notes[0] ?? 'no match'}): no patch`,
    );
  return dockerfilePatch(analysis, df.parsed, df.mapping, fixList(analysis, run.projection), {
    ...patchOptions(),
    ...extra,
    name: basename(df.path),
  });
}

/**
 * The Go binaries the patch rebuilds with -s -w, weighed on their own bytes (read again from the source):
 * what `makePatch`'s projection needs to be right for them. Empty when the patch rebuilds none.
 */
export async function rebuiltGoOf(
  analysis: Analysis,
  df: LoadedDockerfile | undefined,
  readFiles: ReadFiles | undefined,
  onNote: (note: string) => void = () => undefined,
): Promise<Pick<PatchOptions, 'rebuiltGo'>> {
  if (!df?.mapping.matched) return {};
  const targets = goRebuildTargets(analysis, df.parsed, df.mapping);
  if (targets.length === 0) return {};
  const { sizes, note } = await measureRebuiltGo(readFiles, targets);
  if (note) onNote(note);
  return { rebuiltGo: sizes };
}

/** The patch's text: the diff, then what stays advice (as a trailer `patch` ignores). */
export function patchText(p: DockerfilePatch): string {
  const advice =
    p.advice.length > 0
      ? `\nNot expressible as a Dockerfile change (see the fix list):\n${p.advice.map((a) => `  - ${a}`).join('\n')}\n`
      : '';
  return `${p.diff}${advice}`;
}

/** Writes the patch; returns the line to tell the user. */
export async function exportPatch(
  analysis: Analysis,
  run: PlanRun,
  df: LoadedDockerfile | undefined,
  file: string,
  readFiles: ReadFiles | undefined,
): Promise<string> {
  const notes: string[] = [];
  const p = makePatch(
    analysis,
    run,
    df,
    `--export ${file}`,
    await rebuiltGoOf(analysis, df, readFiles, (n) => notes.push(n)),
  );
  writeOutput(() => writeFileSync(file, patchText(p)), file);
  return `${notes.map((n) => `slimtui: ${n}\n`).join('')}slimtui: Dockerfile patch (${p.hunks.length} change${p.hunks.length === 1 ? '' : 's'}, ${p.advice.length} left as advice; projected ${formatBytes(p.projected.size)} on disk, ${formatBytes(p.projected.compressed)} compressed) written to ${file}\n`;
}

/**
 * For the explorer's `E`: the plan file it writes, turned into the Dockerfile patch (undefined without a
 * Dockerfile, or when the plan file does not parse).
 */
export function explorerPatch(
  analysisNow: () => Analysis,
  df: LoadedDockerfile | undefined,
  readFiles: ReadFiles | undefined,
): ((planFileText: string) => Promise<string | undefined>) | undefined {
  if (!df) return undefined;
  return async (text) => {
    try {
      const analysis = analysisNow();
      const file = parsePlanFile(JSON.parse(text));
      const plan = buildPlan(analysis, file.actions);
      const projection = projectPlan(analysis, plan, modelPredictors(analysis.image), { codec: file.codec ?? 'gzip' });
      const rebuilt = await rebuiltGoOf(analysis, df, readFiles);
      return patchText(
        dockerfilePatch(analysis, df.parsed, df.mapping, fixList(analysis, projection), {
          ...patchOptions(),
          ...rebuilt,
          name: basename(df.path),
        }),
      );
    } catch {
      return undefined;
    }
  };
}
