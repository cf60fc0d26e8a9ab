import type { Analysis } from '../analysis.js';
import { buildPlan } from './build-plan.js';
import { classifyWaste, type WasteReport } from './classify-waste.js';
import { elfOf } from './elf-facts.js';
import { finalEntries } from './entry-index.js';
import { describeAction, type PlanAction } from './plan-action.js';
import { checkSafety } from './safety.js';
import type { WasteCategory } from './waste-rules.js';

export interface RecommendedPlan {
  readonly actions: readonly PlanAction[];
  /** Actions considered and left out, with the reason (a safety warning). */
  readonly skipped: readonly { readonly action: PlanAction; readonly label: string; readonly why: string }[];
}

const REMOVABLE: ReadonlySet<WasteCategory> = new Set([
  'package-cache',
  'toolchain',
  'docs',
  'vcs',
  'temp',
  'dependency-tests',
]);

/**
 * The plan slimtui suggests when none is given: remove every path class found (caches, toolchains,
 * docs, VCS dirs, temp and object files, tests inside dependencies), drop the layer waste (final-only) and
 * strip unstripped ELF files. Not UPX (its costs are the user's call) and not duplicates (removing a
 * copy breaks its path; the fix list advises links instead). A removal that would break something the
 * safety checks can see is left out, and said so.
 */
export function recommendedPlan(analysis: Analysis, waste: WasteReport = classifyWaste(analysis)): RecommendedPlan {
  let actions: PlanAction[] = [];
  for (const c of waste.classes) {
    if (REMOVABLE.has(c.category) && (c.storedBytes > 0 || c.category === 'vcs'))
      actions.push({ kind: 'remove-class', class: c.id });
  }
  if (waste.classes.some((c) => c.category === 'layer-waste')) actions.push({ kind: 'final-only' });
  if (
    finalEntries(analysis).some((f) => {
      const elf = elfOf(f.entry);
      return (
        elf !== undefined &&
        elf.stripped === false &&
        elf.kind !== 'object' &&
        analysis.binaries.byPath.get(`/${f.node.path}`)?.verdict?.status !== 'will not start'
      );
    })
  )
    actions.push({ kind: 'strip', target: 'all' });

  const skipped: { action: PlanAction; label: string; why: string }[] = [];
  for (let round = 0; round < 8; round++) {
    const plan = buildPlan(analysis, actions, { waste });
    const warnings = checkSafety(analysis, plan);
    const bad = new Set(warnings.map((w) => w.actionId).filter((id): id is string => id !== undefined));
    if (bad.size === 0) break;
    const keep: PlanAction[] = [];
    plan.actions.forEach((pa) => {
      if (bad.has(pa.id) && pa.action.kind !== 'final-only') {
        const w = warnings.find((x) => x.actionId === pa.id)!;
        skipped.push({ action: pa.action, label: describeAction(pa.action), why: w.message });
      } else keep.push(pa.action);
    });
    if (keep.length === actions.length) break;
    actions = keep;
  }
  return { actions, skipped };
}
