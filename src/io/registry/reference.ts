/**
 * Image references as docker writes them, normalised by the rules of distribution/reference
 * (normalize.go, regexp.go): `alpine` → `docker.io/library/alpine:latest`, `index.docker.io` → `docker.io`,
 * a first component with `.` or `:`, `localhost`, or an upper-case letter is a registry host.
 * Docker Hub's API lives at registry-1.docker.io, not docker.io.
 */

const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainAndPort = `(?:${domainName}|${ipv6address})(?::[0-9]+)?`;
const tagPat = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const namePat = `(?:${domainAndPort}/)?${remoteName}`;
const referenceRe = new RegExp(`^(${namePat})(?::(${tagPat}))?(?:@(${digestPat}))?$`);
const anchoredNameRe = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const identifierRe = /^[a-f0-9]{64}$/;

export const DOCKER_HUB = 'docker.io';
export const DOCKER_HUB_API = 'registry-1.docker.io';
const LEGACY_HUB = 'index.docker.io';
const NAME_MAX = 255;

export interface RegistryReference {
  /** The registry host as named (`docker.io` for Docker Hub), with its port. */
  readonly domain: string;
  /** The repository path on that registry (`library/alpine`). */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
  /** host[:port] the HTTP API is served from. */
  readonly endpoint: string;
}

export type ParsedReference = { ok: true; ref: RegistryReference } | { ok: false; error: string };

function splitDockerDomain(name: string): { domain: string; remote: string } {
  const i = name.indexOf('/');
  if (i < 0) return { domain: DOCKER_HUB, remote: `library/${name}` };
  const maybe = name.slice(0, i);
  const rest = name.slice(i + 1);
  let domain: string;
  let remote: string;
  if (maybe === 'localhost' || /[.:]/.test(maybe) || maybe.toLowerCase() !== maybe) [domain, remote] = [maybe, rest];
  else [domain, remote] = [DOCKER_HUB, name];
  if (domain === LEGACY_HUB) domain = DOCKER_HUB;
  if (domain === DOCKER_HUB && !remote.includes('/')) remote = `library/${remote}`;
  return { domain, remote };
}

/** distribution/reference's ParseNormalizedNamed, with its error texts. */
export function parseReference(s: string): ParsedReference {
  if (s === '') return { ok: false, error: 'repository name must have at least one component' };
  if (identifierRe.test(s))
    return { ok: false, error: `invalid repository name (${s}), cannot specify 64-byte hexadecimal strings` };
  const { domain, remote: remainder } = splitDockerDomain(s);
  const colon = remainder.indexOf(':');
  const remote = colon >= 0 ? remainder.slice(0, colon) : remainder;
  if (remote.toLowerCase() !== remote)
    return { ok: false, error: `invalid reference format: repository name (${remote}) must be lowercase` };
  const full = `${domain}/${remainder}`;
  const m = referenceRe.exec(full);
  if (!m) {
    const lower = full.toLowerCase();
    if (lower !== full && referenceRe.test(lower))
      return { ok: false, error: 'invalid reference format: repository name must be lowercase' };
    return { ok: false, error: 'invalid reference format' };
  }
  const n = anchoredNameRe.exec(m[1]!);
  const path = n?.[2] ?? m[1]!;
  if (path.length > NAME_MAX)
    return { ok: false, error: `repository name must not be more than ${NAME_MAX} characters` };
  const d = n?.[1] ?? domain;
  return {
    ok: true,
    ref: {
      domain: d,
      path,
      ...(m[2] !== undefined ? { tag: m[2] } : {}),
      ...(m[3] !== undefined ? { digest: m[3] } : {}),
      endpoint: d === DOCKER_HUB ? DOCKER_HUB_API : d,
    },
  };
}

/** What the manifest request asks for: the digest when pinned (docker ignores the tag then), else the tag or `latest`. */
export const manifestReference = (r: RegistryReference): string => r.digest ?? r.tag ?? 'latest';

/** The canonical name, `docker.io/library/alpine:latest`; a digest wins over a tag, as ParseDockerRef does. */
export function canonicalName(r: RegistryReference): string {
  if (r.digest) return `${r.domain}/${r.path}@${r.digest}`;
  return `${r.domain}/${r.path}:${r.tag ?? 'latest'}`;
}

/** docker's familiar form: `alpine`, `user/app`, `127.0.0.1:5000/app`. */
export function familiarName(r: RegistryReference): string {
  if (r.domain !== DOCKER_HUB) return `${r.domain}/${r.path}`;
  const rest = r.path.startsWith('library/') ? r.path.slice('library/'.length) : r.path;
  return rest.includes('/') ? r.path : rest;
}

/** Hosts where plain HTTP is allowed without --insecure-registry. */
export function isLoopbackHost(endpoint: string): boolean {
  const host = endpoint.startsWith('[') ? endpoint.slice(0, endpoint.indexOf(']') + 1) : endpoint.replace(/:\d+$/, '');
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
