import type { PlanAction } from './plan-action.js';
import type { Codec } from './predictors.js';
import { WASTE_RULES, type WasteClassId } from './waste-rules.js';

/** The plan file the UI saves and `--plan FILE` reads. Documented in docs/PLANNER.md. */
export const PLAN_FILE_SCHEMA = 'slimtui-plan/1';

export interface PlanFile {
  readonly schema: typeof PLAN_FILE_SCHEMA;
  /** The image the plan was made for (informational). */
  readonly image?: string;
  readonly codec?: Codec;
  readonly actions: readonly PlanAction[];
}

export class PlanFileError extends Error {}

const CLASS_IDS: ReadonlySet<string> = new Set<WasteClassId>([
  ...WASTE_RULES.map((r) => r.id),
  'duplicates',
  'deleted',
  'overwritten',
  'hidden',
  'chmod-copied',
]);

function str(o: Record<string, unknown>, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.trim() === '')
    throw new PlanFileError(`${where}: "${key}" must be a non-empty string`);
  return v;
}

export function parseAction(v: unknown, where: string): PlanAction {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new PlanFileError(`${where}: an action must be an object`);
  const o = v as Record<string, unknown>;
  switch (o['kind']) {
    case 'remove-path':
      return { kind: 'remove-path', path: str(o, 'path', where) };
    case 'remove-glob':
      return { kind: 'remove-glob', glob: str(o, 'glob', where) };
    case 'remove-class': {
      const c = str(o, 'class', where);
      if (!CLASS_IDS.has(c))
        throw new PlanFileError(`${where}: unknown class "${c}" (one of ${[...CLASS_IDS].join(', ')})`);
      return { kind: 'remove-class', class: c as WasteClassId };
    }
    case 'strip':
      return { kind: 'strip', target: str(o, 'target', where) };
    case 'upx':
      return { kind: 'upx', target: str(o, 'target', where) };
    case 'final-only':
      return { kind: 'final-only' };
    default:
      throw new PlanFileError(`${where}: unknown action kind ${JSON.stringify(o['kind'])}`);
  }
}

/** Validates a parsed plan file. */
export function parsePlanFile(json: unknown): PlanFile {
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new PlanFileError('a plan file is a JSON object');
  const o = json as Record<string, unknown>;
  if (o['schema'] !== PLAN_FILE_SCHEMA) throw new PlanFileError(`"schema" must be "${PLAN_FILE_SCHEMA}"`);
  if (!Array.isArray(o['actions'])) throw new PlanFileError('"actions" must be an array');
  const codec = o['codec'];
  if (codec !== undefined && codec !== 'gzip' && codec !== 'zstd')
    throw new PlanFileError('"codec" must be "gzip" or "zstd"');
  const image = o['image'];
  return {
    schema: PLAN_FILE_SCHEMA,
    ...(typeof image === 'string' ? { image } : {}),
    ...(codec ? { codec } : {}),
    actions: o['actions'].map((a, i) => parseAction(a, `actions[${i}]`)),
  };
}

export function planFile(actions: readonly PlanAction[], image?: string, codec?: Codec): PlanFile {
  return { schema: PLAN_FILE_SCHEMA, ...(image ? { image } : {}), ...(codec ? { codec } : {}), actions: [...actions] };
}

/** The plan the CLI flags describe (`--remove`, `--strip`, `--upx`, `--final-only`), in that order. */
export function actionsFromFlags(flags: {
  remove?: readonly string[];
  strip?: readonly string[];
  upx?: readonly string[];
  finalOnly?: boolean;
}): PlanAction[] {
  const out: PlanAction[] = [];
  for (const r of flags.remove ?? []) {
    const cls = r.startsWith('class:') ? r.slice('class:'.length) : undefined;
    if (cls !== undefined) {
      if (!CLASS_IDS.has(cls))
        throw new PlanFileError(`--remove class:${cls}: unknown class (one of ${[...CLASS_IDS].join(', ')})`);
      out.push({ kind: 'remove-class', class: cls as WasteClassId });
    } else if (/[*?{]/.test(r)) out.push({ kind: 'remove-glob', glob: r });
    else out.push({ kind: 'remove-path', path: r });
  }
  if (flags.finalOnly) out.push({ kind: 'final-only' });
  for (const s of flags.strip ?? []) out.push({ kind: 'strip', target: s });
  for (const u of flags.upx ?? []) out.push({ kind: 'upx', target: u });
  return out;
}
