import type { HistoryEntry, ImageConfig, Platform } from './image.js';

/** What slimtui reads from an image config JSON (OCI / Docker). Tolerant: missing fields become empty. */
export interface ParsedConfig {
  readonly platform: Platform;
  readonly config: ImageConfig;
  readonly history: HistoryEntry[];
  readonly diffIds: string[];
  readonly created?: string;
}

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strList = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;

export function parseImageConfig(json: unknown): ParsedConfig {
  const root = obj(json);
  const c = obj(root['config'] ?? root['container_config']);
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(c['Labels']))) if (typeof v === 'string') labels[k] = v;
  const entrypoint = strList(c['Entrypoint']);
  const cmd = strList(c['Cmd']);
  const user = str(c['User']);
  const workdir = str(c['WorkingDir']);
  const config: ImageConfig = {
    env: strList(c['Env']) ?? [],
    labels,
    ...(entrypoint ? { entrypoint } : {}),
    ...(cmd ? { cmd } : {}),
    ...(user ? { user } : {}),
    ...(workdir ? { workdir } : {}),
    exposedPorts: Object.keys(obj(c['ExposedPorts'])),
  };
  const history: HistoryEntry[] = (Array.isArray(root['history']) ? root['history'] : []).map((h: unknown) => {
    const o = obj(h);
    const createdBy = str(o['created_by']);
    const created = str(o['created']);
    const comment = str(o['comment']);
    return {
      emptyLayer: o['empty_layer'] === true,
      ...(createdBy !== undefined ? { createdBy } : {}),
      ...(created ? { created } : {}),
      ...(comment ? { comment } : {}),
    };
  });
  const variant = str(root['variant']);
  const created = str(root['created']);
  return {
    platform: {
      os: str(root['os']) ?? 'unknown',
      architecture: str(root['architecture']) ?? 'unknown',
      ...(variant ? { variant } : {}),
    },
    config,
    history,
    diffIds: strList(obj(root['rootfs'])['diff_ids']) ?? [],
    ...(created ? { created } : {}),
  };
}

/** Parses `os/arch[/variant]`; undefined when malformed. */
export function parsePlatform(text: string): Platform | undefined {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) return undefined;
  return { os: parts[0]!, architecture: parts[1]!, ...(parts[2] ? { variant: parts[2] } : {}) };
}

/** Node's names for this host → OCI's. */
export function hostPlatform(nodePlatform: string, nodeArch: string): Platform {
  const arch: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm',
    ia32: '386',
    ppc64: 'ppc64le',
    s390x: 's390x',
    riscv64: 'riscv64',
  };
  return {
    os: nodePlatform === 'win32' ? 'windows' : nodePlatform,
    architecture: arch[nodeArch] ?? nodeArch,
    ...(nodeArch === 'arm64' ? { variant: 'v8' } : {}),
  };
}

/** Whether an index entry's platform satisfies the wanted one (variant only compared when both have it). */
export function platformMatches(have: Platform, want: Platform): boolean {
  if (have.os !== want.os || have.architecture !== want.architecture) return false;
  if (want.variant && have.variant && want.variant !== have.variant) return false;
  return true;
}
