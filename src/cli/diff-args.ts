import { parseArgs } from 'node:util';
import type { SourceKind } from '../model/image.js';
import { DIFF_RULES } from '../model/diff/index.js';
import { SOURCE_NAMES } from '../io/sources/source-spec.js';
import { SlimError, messages } from '../io/errors.js';

export type DiffMode = 'tui' | 'json' | 'ci' | 'summary';

export interface DiffArgs {
  readonly mode: DiffMode;
  readonly a: string;
  readonly b: string;
  readonly jsonFile?: string;
  readonly sourceA?: SourceKind;
  readonly sourceB?: SourceKind;
  readonly platform?: string;
  readonly ciConfig?: string;
  readonly ruleFlags: Readonly<Record<string, string>>;
  /** Content digests (on by default: same-size files are told apart by them). */
  readonly digests: boolean;
  readonly elf: boolean;
  readonly help: boolean;
  readonly tuiForced: boolean;
}

export const DIFF_HELP = `Usage: slimtui diff A B [options]

Compare two images (A before, B after): layers matched by diff_id, the final filesystems path by path
(added, removed, changed; the size delta and the layer and command of B that caused it), binaries whose libc,
needed libraries, verdict, Go build settings or strip state changed, findings new and resolved, waste.
A and B are any sources slimtui reads (engine names, archives, oci:DIR, oci-archive:F, dir:DIR), mixed.

Options
  --json [FILE]                 the diff as JSON (diffSchemaVersion 1) to stdout or FILE
  --summary                     Markdown for a pull-request comment
  --ci                          check the diff rules; exit 0 (pass) or 1 (fail); CI=true selects it
  --ci-config FILE              rules file (default .slimtui-ci.yaml; its "diff:" mapping)
  --highestGrowthBytes SIZE     fail when B is more than SIZE larger than A (20MB, 1.5GiB, 1234)
  --highestGrowthPercent N      fail when B grew by more than N of A's size (0.1 or 10%)
  --failOnNewFindings SEV       fail on a new binary finding of this severity or worse (error, warning, info)
  --tui                         open the compare view even when CI=true or output is not a terminal
  --source-a KIND, --source-b KIND   force a source kind: ${SOURCE_NAMES.join(', ')}
  --platform OS/ARCH[/VAR]      pick a platform from multi-platform indexes (both images)
  --no-digests                  skip content digests (same-size content changes are then not seen)
  --no-elf                      skip ELF analysis (no binary changes or findings)

Exit codes: 0 success or CI pass, 1 CI fail, 2 usage or input error.`;

const sourceKind = (v: unknown, flag: string): SourceKind | undefined => {
  if (v === undefined) return undefined;
  if (!SOURCE_NAMES.includes(v as SourceKind))
    throw new SlimError(messages.usage(`${flag} must be one of ${SOURCE_NAMES.join(', ')}`));
  return v as SourceKind;
};

/** `slimtui diff …` (argv after the word `diff`). */
export function parseDiffArgs(rawArgv: readonly string[], env: NodeJS.ProcessEnv): DiffArgs {
  // `--json FILE`: the next word is the file when it ends in .json or is '-' (as for the one-image command).
  const argv: string[] = [];
  let jsonFile: string | undefined;
  for (let i = 0; i < rawArgv.length; i++) {
    const w = rawArgv[i]!;
    if (w.startsWith('--json=')) {
      argv.push('--json');
      jsonFile = w.slice(7);
    } else if (
      w === '--json' &&
      i + 1 < rawArgv.length &&
      (/\.json$/i.test(rawArgv[i + 1]!) || rawArgv[i + 1] === '-')
    ) {
      argv.push('--json');
      jsonFile = rawArgv[++i];
    } else argv.push(w);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        ci: { type: 'boolean' },
        summary: { type: 'boolean' },
        tui: { type: 'boolean' },
        'ci-config': { type: 'string' },
        'source-a': { type: 'string' },
        'source-b': { type: 'string' },
        platform: { type: 'string' },
        'no-digests': { type: 'boolean' },
        'no-elf': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(DIFF_RULES.map((r) => [r, { type: 'string' as const }])),
      },
    });
  } catch (e) {
    throw new SlimError(
      messages.usage(`diff: ${(e as Error).message.split('\n')[0]!.replace(/\. To specify.*$/, '')}`),
    );
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const help = v['help'] === true;
  if (!help && parsed.positionals.length !== 2)
    throw new SlimError(
      messages.usage(
        `diff needs two images (A B), got ${parsed.positionals.length}${parsed.positionals.length > 0 ? `: ${parsed.positionals.join(' ')}` : ''}`,
      ),
    );
  if (parsed.positionals[0] === '-' && parsed.positionals[1] === '-')
    throw new SlimError(messages.usage('diff: only one of A and B can be standard input (-)'));
  const ruleFlags: Record<string, string> = {};
  for (const r of DIFF_RULES) if (typeof v[r] === 'string') ruleFlags[r] = v[r] as string;
  const asked: DiffMode | undefined = v['json']
    ? 'json'
    : v['ci']
      ? 'ci'
      : v['summary']
        ? 'summary'
        : v['tui']
          ? 'tui'
          : undefined;
  const ciEnv = (env['CI'] ?? '').toLowerCase() === 'true';
  const sourceA = sourceKind(v['source-a'], '--source-a');
  const sourceB = sourceKind(v['source-b'], '--source-b');
  return {
    mode: asked ?? (ciEnv || Object.keys(ruleFlags).length > 0 ? 'ci' : 'tui'),
    a: parsed.positionals[0] ?? '',
    b: parsed.positionals[1] ?? '',
    ...(jsonFile && jsonFile !== '-' ? { jsonFile } : {}),
    ...(sourceA ? { sourceA } : {}),
    ...(sourceB ? { sourceB } : {}),
    ...(typeof v['platform'] === 'string' ? { platform: v['platform'] } : {}),
    ...(typeof v['ci-config'] === 'string' ? { ciConfig: v['ci-config'] } : {}),
    ruleFlags,
    digests: v['no-digests'] !== true,
    elf: v['no-elf'] !== true,
    help,
    tuiForced: v['tui'] === true,
  };
}
