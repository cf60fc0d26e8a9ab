import type { Analysis } from '../model/analysis.js';
import { formatBytes } from '../model/byte-units.js';
import {
  describeAction,
  fixList,
  planFile,
  renderFixListMarkdown,
  type Codec,
  type PlanAction,
  type Projection,
} from '../model/plan/index.js';
import type { DetailLine } from './elf-details.js';

/** A saving as the plan shows it: `−1.2 MB`, `+3 kB` when the action grows the image. */
export const saving = (n: number): string => (n === 0 ? '0 B' : n > 0 ? `−${formatBytes(n)}` : `+${formatBytes(-n)}`);

/**
 * The plan view's rows: each action with its saving on disk and compressed (blank while it is projected);
 * `upxEstimating`: the UPX rows carry the rough guess while the UPX model runs.
 */
export function planLines(
  actions: readonly PlanAction[],
  proj: Projection | undefined,
  upxEstimating = false,
): DetailLine[] {
  return actions.map((a, i) => {
    const p = proj?.actions[i];
    const label = describeAction(a);
    if (!p) return `${'…'.padStart(10)} ${'…'.padStart(8)}  ${label}`;
    const warn = proj!.warnings.some((w) => w.actionId === p.id);
    const text = `${saving(p.size).padStart(10)} ${saving(p.compressed).padStart(8)}  ${label}${p.entries === 0 ? ' (matches nothing)' : ''}${warn ? ' ⚠' : ''}${upxEstimating && a.kind === 'upx' ? ' (rough guess, estimating…)' : ''}`;
    return warn ? { text, tone: 'warn' } : p.entries === 0 ? { text, tone: 'dim' } : text;
  });
}

const UPX_CAVEATS =
  'UPX: packed executables are unpacked into memory at every start (more RAM, slower start, no shared pages), are harder to profile and debug, and some scanners flag them; the pull-size saving is small because packed bytes do not compress.';

const exact = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Under the plan list: totals, the selected action's details, safety warnings, UPX caveats. */
export function planFooter(proj: Projection | undefined, cursor: number): DetailLine[] {
  if (!proj) return ['projecting the plan…'];
  const { before, after } = proj.total;
  const out: DetailLine[] = [
    `total: on disk ${formatBytes(before.size)} → ${formatBytes(after.size)} (${saving(before.size - after.size)}) · ${proj.codec} ${formatBytes(before.compressed)} → ${formatBytes(after.compressed)} (${saving(before.compressed - after.compressed)})`,
    `exact: ${exact(before.size)} → ${exact(after.size)} bytes on disk`,
  ];
  const a = proj.actions[cursor];
  if (a) {
    const extra = [
      `${a.entries} entries`,
      a.unchanged > 0 ? `${a.unchanged} unchanged` : '',
      a.refusals.length > 0
        ? `${a.refusals.length} refused by UPX (e.g. ${a.refusals[0]!.path}: ${a.refusals[0]!.reason})`
        : '',
    ].filter(Boolean);
    out.push(`${a.id} ${a.label}: ${extra.join(', ')}`);
  }
  for (const w of proj.warnings.slice(0, 4)) out.push({ text: `⚠ ${w.message}`, tone: 'warn' });
  if (proj.plan.actions.some((p) => p.action.kind === 'upx')) out.push({ text: UPX_CAVEATS, tone: 'dim' });
  return out;
}

/** The export files, by bare name: written in the working directory, never anywhere else. */
export const EXPORT_NAMES = { fixList: 'slimtui-fixes.md', plan: 'slimtui-plan.json' } as const;

/** The fix list (markdown) and the plan file (`--plan` format) of a projected plan. */
export function exportTexts(
  analysis: Analysis,
  proj: Projection,
  actions: readonly PlanAction[],
  codec: Codec,
  recommended: boolean,
): { markdown: string; planFile: string } {
  const md = renderFixListMarkdown(fixList(analysis, proj));
  const note = recommended ? "\n_The plan was empty when exported: this is slimtui's recommended plan._\n" : '';
  const image = analysis.image.repoTags[0] ?? analysis.image.reference;
  return { markdown: `${md}${note}`, planFile: `${JSON.stringify(planFile(actions, image, codec), null, 2)}\n` };
}
