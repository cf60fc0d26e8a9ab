import type { Codec } from '../model/plan/predictors.js';
import { SlimError, messages } from '../io/errors.js';

/** What the planner flags ask for. */
export interface PlanArgs {
  readonly remove: readonly string[];
  readonly strip: readonly string[];
  readonly upx: readonly string[];
  readonly finalOnly: boolean;
  readonly planFile?: string;
  readonly whatIf: boolean;
  readonly exportFile?: string;
  readonly format?: 'md' | 'json';
  readonly codec?: Codec;
  /** --dockerfile PATH: the Dockerfile the image was built from (else ./Dockerfile when the history matches it). */
  readonly dockerfile?: string;
  /** --verify-build: build the patched Dockerfile, run it, compare sizes (needs a daemon). */
  readonly verifyBuild: boolean;
}

/** parseArgs options of the planner flags. */
export const PLAN_OPTIONS = {
  remove: { type: 'string', multiple: true },
  strip: { type: 'string', multiple: true },
  upx: { type: 'string', multiple: true },
  'final-only': { type: 'boolean' },
  plan: { type: 'string' },
  'what-if': { type: 'boolean' },
  export: { type: 'string' },
  format: { type: 'string' },
  compression: { type: 'string' },
  dockerfile: { type: 'string' },
  'verify-build': { type: 'boolean' },
} as const;

export const PLAN_HELP = `Slimming plan (what-if and fix list)
  --what-if                   print the projected sizes (on disk and compressed) of the plan as a table
  --export FILE               write the fix list: FILE.md for people, FILE.json for tools
  --format md|json            the fix list format (default: from the extension of FILE)
  --remove GLOB               plan: remove a path, subtree or glob (repeatable); class:ID removes a waste class
  --strip all|GLOB            plan: strip ELF files (repeatable)
  --upx all|GLOB              plan: UPX-pack executables (repeatable)
  --final-only                plan: keep only the final filesystem (a multi-stage build or squash)
  --plan FILE                 plan: a plan file (schema slimtui-plan/1, see docs/PLANNER.md)
  --compression gzip|zstd     the pull-size codec for the projection (default gzip)
  --dockerfile PATH           the Dockerfile the image was built from: layers are mapped to its instructions
                              (default: ./Dockerfile when the image's history matches it)
  --export FILE.patch         write the fix list as a unified diff of the Dockerfile (apply with patch -p1)
  --verify-build              build the patched Dockerfile (needs a daemon), run its default command, and
                              report the real size against the projection
  With --what-if or --export and no plan, slimtui uses its recommended plan. --json gains a "plan" section.`;

export function planArgsOf(v: Record<string, unknown>): PlanArgs {
  const list = (k: string): string[] => (Array.isArray(v[k]) ? (v[k] as string[]) : []);
  const format = v['format'];
  if (format !== undefined && format !== 'md' && format !== 'json')
    throw new SlimError(messages.usage('--format must be md or json'));
  const codec = v['compression'];
  if (codec !== undefined && codec !== 'gzip' && codec !== 'zstd')
    throw new SlimError(messages.usage('--compression must be gzip or zstd'));
  return {
    remove: list('remove'),
    strip: list('strip'),
    upx: list('upx'),
    finalOnly: v['final-only'] === true,
    ...(typeof v['plan'] === 'string' ? { planFile: v['plan'] } : {}),
    whatIf: v['what-if'] === true,
    ...(typeof v['export'] === 'string' ? { exportFile: v['export'] } : {}),
    ...(format ? { format } : {}),
    ...(codec ? { codec } : {}),
    ...(typeof v['dockerfile'] === 'string' ? { dockerfile: v['dockerfile'] } : {}),
    verifyBuild: v['verify-build'] === true,
  };
}

/** True when the flags give a plan (rather than asking for the recommended one). */
export const hasExplicitPlan = (p: PlanArgs): boolean =>
  p.remove.length + p.strip.length + p.upx.length > 0 || p.finalOnly || p.planFile !== undefined;

/** True when some output needs the planner. */
export const wantsPlanner = (p: PlanArgs): boolean =>
  p.whatIf || p.exportFile !== undefined || p.verifyBuild || hasExplicitPlan(p);
