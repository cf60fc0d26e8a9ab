import { parseArgs } from 'node:util';
import type { SourceKind } from '../model/image.js';
import { SOURCE_NAMES } from '../io/sources/source-spec.js';
import { SlimError, messages } from '../io/errors.js';
import { PLAN_HELP, PLAN_OPTIONS, planArgsOf, type PlanArgs } from './plan-args.js';

export type Mode = 'tui' | 'json' | 'ci' | 'summary';

export interface CliArgs {
  readonly mode: Mode;
  readonly image?: string;
  readonly jsonFile?: string;
  readonly source?: SourceKind;
  readonly platform?: string;
  readonly ciConfig?: string;
  readonly ruleFlags: Readonly<Record<string, string>>;
  readonly help: boolean;
  readonly version: boolean;
  /** 'auto': only where something uses them (the planner and the explorer: duplicates, chmod-copies). */
  readonly digests: 'auto' | 'on' | 'off';
  /** Run the ELF and text content analysers (binaries, libc, findings). */
  readonly elf: boolean;
  /** `--cpu-level v1…v4`: the x86-64 level glibc-hwcaps copies are chosen for (default: this machine's). */
  readonly cpuLevel?: 1 | 2 | 3 | 4;
  /** The slimming planner's flags (--what-if, --export, --remove, …). */
  readonly plan: PlanArgs;
  /** `--tui`: the explorer was asked for explicitly (overrides CI=true and a non-terminal stdout). */
  readonly tuiForced: boolean;
  /** `--verify`: a digest mismatch (diff_id, blob digest) is an error, not a warning. */
  readonly verify: boolean;
  /** The registry source's flags (--registry-ca, --insecure-registry, --registry-parallel). */
  readonly registry: { readonly caFiles: readonly string[]; readonly insecure: boolean; readonly parallel?: number };
}

export const RULE_FLAGS = [
  'lowestEfficiency',
  'highestWastedBytes',
  'highestUserWastedPercent',
  'highestReclaimableBytes',
  'failOnFindings',
] as const;

export const HELP = `Usage: slimtui [IMAGE] [options]
       slimtui diff A B [options]   compare two images (slimtui diff --help)

Explore a container image layer by layer: wasted bytes, reclaimable bytes, layer commands.
With no IMAGE, opens the bundled demo image.

IMAGE
  name[:tag], id, digest      from the Docker Engine (DOCKER_HOST honoured); docker://NAME
  podman://NAME               from Podman's Docker-compatible socket
  FILE.tar | docker-archive:F  a docker save archive (legacy or OCI layout, compressed layers too)
  oci-archive:FILE[:tag]      an OCI archive
  oci:DIR[:tag] | DIR          an OCI image layout directory (one holding index.json)
  dir:DIR                      a folder analysed as a one-layer image
  registry://HOST/REPO[:TAG|@DIGEST]  straight from a registry, no daemon (alpine = docker.io/library/alpine);
                              also used when no docker daemon answers and IMAGE names its registry host

Options
  --json [FILE]               write the analysis as JSON (schemaVersion 1) to stdout or FILE
  --ci                        check CI rules and exit 0 (pass) or 1 (fail); CI=true selects it
  --ci-config FILE            rules file (default: .slimtui-ci.yaml, else dive's .dive-ci)
  --lowestEfficiency N        fail below this dive efficiency (0..1)
  --highestWastedBytes SIZE   fail above this many dive wasted bytes (20MB, 1.5GiB, 1234)
  --highestUserWastedPercent N  fail above this wasted/user-size ratio (0..1)
  --highestReclaimableBytes SIZE  fail above this many reclaimable bytes
  --failOnFindings SEV         fail on any binary finding of this severity or worse (error, warning, info, disabled)
  --summary                   print a text summary instead of opening the explorer
  --tui                       open the explorer even when CI=true or output is not a terminal
  --source KIND               force the source: ${SOURCE_NAMES.join(', ')}
  --platform OS/ARCH[/VAR]    pick a platform from a multi-platform index
  --registry-ca FILE          trust this CA (PEM) for registries, besides the system's and SSL_CERT_FILE
  --insecure-registry         allow plain HTTP and unverified TLS for any registry (loopback needs no flag)
  --registry-parallel N       layers fetched at once from a registry (default 4; SLIMTUI_REGISTRY_PARALLEL)
  --no-digests                skip content digests in the explorer and planner (faster; no duplicate detection)
  --digests                   compute content digests in every mode (they cost ~0.6 s per GB)
  --no-elf                    skip ELF analysis (no binaries, libc resolution or findings)
  --cpu-level v1|v2|v3|v4     x86-64 level for glibc-hwcaps library copies (default: this machine's)
  --verify                    a layer whose diff_id or blob digest does not match is an error (exit 2), not a warning
  -h, --help                  this help
  -v, --version               the version

${PLAN_HELP}

Exit codes: 0 success or CI pass, 1 CI fail, 2 usage or input error.`;

/** `--json FILE`: the flag takes the next word as its file when that word ends in .json or is '-'. */
function splitJsonFile(argv: readonly string[]): { argv: string[]; jsonFile?: string } {
  const out: string[] = [];
  let jsonFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--json=')) {
      out.push('--json');
      jsonFile = a.slice('--json='.length);
    } else if (a === '--json' && i + 1 < argv.length && (/\.json$/i.test(argv[i + 1]!) || argv[i + 1] === '-')) {
      out.push('--json');
      jsonFile = argv[++i];
    } else out.push(a);
  }
  return { argv: out, ...(jsonFile && jsonFile !== '-' ? { jsonFile } : {}) };
}

export function parseCliArgs(rawArgv: readonly string[], env: NodeJS.ProcessEnv): CliArgs {
  const { argv, jsonFile } = splitJsonFile(rawArgv);
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
        source: { type: 'string' },
        platform: { type: 'string' },
        'no-digests': { type: 'boolean' },
        digests: { type: 'boolean' },
        'no-elf': { type: 'boolean' },
        'registry-ca': { type: 'string', multiple: true },
        'insecure-registry': { type: 'boolean' },
        'registry-parallel': { type: 'string' },
        'cpu-level': { type: 'string' },
        verify: { type: 'boolean' },
        ...PLAN_OPTIONS,
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        ...Object.fromEntries(RULE_FLAGS.map((r) => [r, { type: 'string' as const }])),
      },
    });
  } catch (e) {
    throw new SlimError(messages.usage((e as Error).message.split('\n')[0]!.replace(/\. To specify.*$/, '')));
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  if (parsed.positionals.length > 1)
    throw new SlimError(
      messages.usage(`expected one image, got ${parsed.positionals.length}: ${parsed.positionals.join(' ')}`),
    );
  const source = v['source'] as string | undefined;
  if (source !== undefined && !SOURCE_NAMES.includes(source as SourceKind))
    throw new SlimError(messages.usage(`--source must be one of ${SOURCE_NAMES.join(', ')}`));
  const rp = v['registry-parallel'] as string | undefined;
  if (rp !== undefined && !/^([1-9]|[12][0-9]|3[0-2])$/.test(rp))
    throw new SlimError(messages.usage(`--registry-parallel must be a whole number from 1 to 32, got ${rp}`));
  const cpuLevel = typeof v['cpu-level'] === 'string' ? /^(?:x86-64-)?v?([1-4])$/.exec(v['cpu-level'])?.[1] : undefined;
  if (typeof v['cpu-level'] === 'string' && cpuLevel === undefined)
    throw new SlimError(messages.usage('--cpu-level must be v1, v2, v3 or v4'));
  const ruleFlags: Record<string, string> = {};
  for (const r of RULE_FLAGS) if (typeof v[r] === 'string') ruleFlags[r] = v[r] as string;
  const asked: Mode | undefined = v['json']
    ? 'json'
    : v['ci']
      ? 'ci'
      : v['summary']
        ? 'summary'
        : v['tui']
          ? 'tui'
          : undefined;
  const ciEnv = (env['CI'] ?? '').toLowerCase() === 'true';
  const mode: Mode = asked ?? (ciEnv || Object.keys(ruleFlags).length > 0 ? 'ci' : 'tui');
  return {
    mode,
    ...(parsed.positionals[0] !== undefined ? { image: parsed.positionals[0] } : {}),
    ...(jsonFile ? { jsonFile } : {}),
    ...(source ? { source: source as SourceKind } : {}),
    ...(typeof v['platform'] === 'string' ? { platform: v['platform'] } : {}),
    ...(typeof v['ci-config'] === 'string' ? { ciConfig: v['ci-config'] } : {}),
    ruleFlags,
    help: v['help'] === true,
    version: v['version'] === true,
    digests: v['no-digests'] === true ? 'off' : v['digests'] === true ? 'on' : 'auto',
    elf: v['no-elf'] !== true,
    ...(cpuLevel !== undefined ? { cpuLevel: Number(cpuLevel) as 1 | 2 | 3 | 4 } : {}),
    plan: planArgsOf(v),
    tuiForced: v['tui'] === true,
    verify: v['verify'] === true,
    registry: {
      caFiles: ((parsed.values as Record<string, unknown>)['registry-ca'] as string[] | undefined) ?? [],
      insecure: v['insecure-registry'] === true,
      ...(rp ? { parallel: Number(rp) } : {}),
    },
  };
}
