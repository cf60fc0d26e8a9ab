import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DOCKER_HUB } from './reference.js';

/** The parts of docker's config.json that say where credentials are. */
export interface DockerConfig {
  /** Where it was read from (for messages), or undefined when there is none. */
  readonly file?: string;
  readonly auths: Readonly<
    Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>
  >;
  readonly credsStore?: string;
  readonly credHelpers: Readonly<Record<string, string>>;
}

/** Credentials for one registry, and how they were found (the `via` goes into messages; the secret never does). */
export interface Credentials {
  readonly username: string;
  readonly secret: string;
  /** An OAuth2 refresh token (docker's `identitytoken`, or a helper's `<token>` user) rather than a password. */
  readonly identityToken: boolean;
  readonly via: string;
}

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`; a missing or unreadable file is an empty config. */
export function loadDockerConfig(env: NodeJS.ProcessEnv): DockerConfig {
  const dir =
    env['DOCKER_CONFIG'] && env['DOCKER_CONFIG'] !== ''
      ? env['DOCKER_CONFIG']
      : join(env['HOME'] ?? homedir(), '.docker');
  const file = join(dir, 'config.json');
  let json: Record<string, unknown>;
  try {
    json = obj(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return { auths: {}, credHelpers: {} };
  }
  const auths: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }> = {};
  for (const [k, v] of Object.entries(obj(json['auths']))) {
    const o = obj(v);
    const e: { auth?: string; username?: string; password?: string; identitytoken?: string } = {};
    for (const f of ['auth', 'username', 'password', 'identitytoken'] as const) {
      const s = str(o[f]);
      if (s !== undefined) e[f] = s;
    }
    auths[k] = e;
  }
  const credHelpers: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(json['credHelpers']))) if (str(v)) credHelpers[k] = v as string;
  const credsStore = str(json['credsStore']);
  return { file, auths, credHelpers, ...(credsStore ? { credsStore } : {}) };
}

/** docker's convertToHostname: `https://host:5000/v1/` → `host:5000`. */
export function hostOfKey(key: string): string {
  let s = key.replace(/^[a-z]+:\/\//i, '');
  const slash = s.indexOf('/');
  if (slash >= 0) s = s.slice(0, slash);
  return s;
}

/** The server name docker uses for a registry in config.json and with credential helpers. */
export const serverKey = (domain: string): string => (domain === DOCKER_HUB ? 'https://index.docker.io/v1/' : domain);

const sameRegistry = (key: string, domain: string): boolean => {
  const h = hostOfKey(key);
  if (domain === DOCKER_HUB) return h === 'index.docker.io' || h === 'docker.io' || h === 'registry-1.docker.io';
  return h === domain;
};

export type HelperGet = (helper: string, server: string) => Promise<{ username: string; secret: string } | undefined>;

/**
 * Looks up credentials the way docker does: a per-registry `credHelpers` entry first, then the `credsStore`,
 * then inline `auths` (base64 `auth`, or username/password, or identitytoken).
 */
export async function credentialsFor(
  domain: string,
  cfg: DockerConfig,
  helperGet: HelperGet,
): Promise<Credentials | undefined> {
  const server = serverKey(domain);
  const helperName = Object.entries(cfg.credHelpers).find(([k]) => sameRegistry(k, domain))?.[1];
  const fromHelper = async (name: string, via: string): Promise<Credentials | undefined> => {
    const got = await helperGet(name, server);
    if (!got) return undefined;
    const identityToken = got.username === '<token>';
    return { username: got.username, secret: got.secret, identityToken, via };
  };
  if (helperName) return fromHelper(helperName, `credential helper docker-credential-${helperName} (credHelpers)`);
  if (cfg.credsStore) {
    const got = await fromHelper(cfg.credsStore, `credential helper docker-credential-${cfg.credsStore} (credsStore)`);
    if (got) return got;
  }
  const entry =
    Object.entries(cfg.auths).find(([k]) => k === server) ??
    Object.entries(cfg.auths).find(([k]) => sameRegistry(k, domain));
  if (!entry) return undefined;
  const [, e] = entry;
  const via = `${cfg.file ?? 'config.json'} auths`;
  if (e.identitytoken) return { username: e.username ?? '', secret: e.identitytoken, identityToken: true, via };
  if (e.auth) {
    const dec = Buffer.from(e.auth, 'base64').toString('utf8');
    const i = dec.indexOf(':');
    if (i > 0) return { username: dec.slice(0, i), secret: dec.slice(i + 1), identityToken: false, via };
    return undefined;
  }
  if (e.username && e.password) return { username: e.username, secret: e.password, identityToken: false, via };
  return undefined;
}
