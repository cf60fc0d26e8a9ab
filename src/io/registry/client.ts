import { parseChallenges, type Challenge } from './challenge.js';
import type { Credentials } from './docker-config.js';
import { isLoopbackHost, type RegistryReference } from './reference.js';
import { RegistryError } from './registry-error.js';
import { errorCode, isNotTls, isTlsFailure, type Response, type Transport } from './transport.js';

export interface ClientOptions {
  readonly transport: Transport;
  /** Looked up only when the registry asks for credentials. */
  readonly credentials: () => Promise<Credentials | undefined>;
}

export interface GetOptions {
  readonly accept?: readonly string[];
  /** `bytes=N-`: resume a blob. */
  readonly range?: string;
}

const MAX_REDIRECTS = 5;

/** The one line for a request that never got an answer. */
export function networkError(e: unknown, host: string, url: string): RegistryError {
  const code = errorCode(e);
  if (e instanceof RegistryError) return e;
  if (isTlsFailure(code))
    return new RegistryError(
      `TLS failure talking to registry ${host}: ${code}; trust its CA with --registry-ca FILE or SSL_CERT_FILE`,
    );
  return new RegistryError(`cannot reach registry ${host} (${new URL(url).origin}): ${code}`);
}

/** The registry's error codes from a JSON error body (`{"errors":[{"code":"MANIFEST_UNKNOWN",…}]}`). */
export async function errorCodes(r: Response): Promise<string[]> {
  try {
    const text = await r.body.text();
    const j = JSON.parse(text) as { errors?: { code?: unknown }[] };
    return (j.errors ?? []).map((x) => (typeof x.code === 'string' ? x.code : '')).filter((c) => c !== '');
  } catch {
    return [];
  }
}

/**
 * Talks the distribution API to one repository: finds the scheme (HTTPS; plain HTTP only for loopback hosts
 * or with --insecure-registry), answers auth challenges as docker does (anonymous or credentialed bearer
 * tokens, basic auth), follows redirects (dropping Authorization on another origin). Secrets go only into
 * request headers; what was tried is kept as words for messages.
 */
export class RegistryClient {
  private base: string | undefined;
  private authorization: string | undefined;
  /** How access was attempted, e.g. "anonymous bearer token", for an unauthorized message. */
  private readonly tried: string[] = [];

  constructor(
    readonly ref: RegistryReference,
    private readonly opts: ClientOptions,
  ) {}

  private get host(): string {
    return this.ref.domain;
  }

  /** `GET /v2/` once: picks the scheme and answers the first challenge. */
  private async ping(): Promise<void> {
    const ep = this.ref.endpoint;
    const plainOk = isLoopbackHost(ep) || this.opts.transport.insecure;
    let r: Response;
    const https = `https://${ep}`;
    try {
      r = await this.opts.transport.send(`${https}/v2/`, 'GET', {}, undefined, plainOk);
      this.base = https;
    } catch (e) {
      if (!plainOk || !isNotTls(errorCode(e))) throw networkError(e, this.host, https);
      const http = `http://${ep}`;
      try {
        r = await this.opts.transport.send(`${http}/v2/`, 'GET', {});
      } catch (e2) {
        throw networkError(e2, this.host, http);
      }
      this.base = http;
    }
    if (r.status === 401) await this.authorize(r);
    else await r.body.dump().catch(() => undefined);
  }

  private async authorize(r: Response): Promise<void> {
    const header = r.headers['www-authenticate'];
    await r.body.dump().catch(() => undefined);
    const challenges = parseChallenges(Array.isArray(header) ? header.join(', ') : (header ?? ''));
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    const creds = await this.opts.credentials();
    if (bearer) return this.bearer(bearer, creds);
    if (basic) {
      if (!creds) {
        this.tried.push('no credentials (none found in docker config.json or its credential helpers)');
        throw this.unauthorized('basic auth');
      }
      if (creds.identityToken) {
        this.tried.push(`an identity token from ${creds.via}`);
        throw this.unauthorized('basic auth');
      }
      this.tried.push(`basic auth with credentials from ${creds.via}`);
      this.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.secret}`).toString('base64')}`;
      return;
    }
    throw new RegistryError(
      `registry ${this.host} asks for authentication slimtui does not speak (${challenges.map((c) => c.scheme).join(', ') || 'no WWW-Authenticate challenge'})`,
    );
  }

  /** The token flow: GET realm?service&scope (Basic auth when there are credentials), or a refresh-token POST. */
  private async bearer(c: Challenge, creds: Credentials | undefined): Promise<void> {
    const realm = c.params['realm'];
    if (!realm) throw new RegistryError(`registry ${this.host} sent a Bearer challenge without a realm`);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryError(`registry ${this.host} sent a Bearer realm that is not a URL`);
    }
    // Credentials never travel in plain HTTP except to a loopback token server (or with --insecure-registry).
    if (
      url.protocol !== 'https:' &&
      !(url.protocol === 'http:' && (isLoopbackHost(url.host) || this.opts.transport.insecure))
    ) {
      throw new RegistryError(
        `registry ${this.host} names a token server over ${url.protocol} (${url.host}); refusing without --insecure-registry`,
      );
    }
    const scope = `repository:${this.ref.path}:pull`;
    const service = c.params['service'];
    const how = creds
      ? `bearer token from ${url.host} with credentials from ${creds.via}`
      : `anonymous bearer token from ${url.host}`;
    this.tried.push(how);
    let r: Response;
    try {
      if (creds?.identityToken) {
        const form = new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: creds.secret,
          client_id: 'slimtui',
          scope,
          ...(service ? { service } : {}),
        });
        r = await this.opts.transport.send(
          url.toString(),
          'POST',
          { 'content-type': 'application/x-www-form-urlencoded' },
          form.toString(),
        );
      } else {
        if (service) url.searchParams.set('service', service);
        url.searchParams.set('scope', scope);
        const headers: Record<string, string> = creds
          ? { authorization: `Basic ${Buffer.from(`${creds.username}:${creds.secret}`).toString('base64')}` }
          : {};
        r = await this.opts.transport.send(url.toString(), 'GET', headers);
      }
    } catch (e) {
      throw networkError(e, url.host, url.toString());
    }
    if (r.status === 401 || r.status === 403) {
      await r.body.dump().catch(() => undefined);
      throw this.unauthorized('a bearer token');
    }
    if (r.status !== 200) {
      await r.body.dump().catch(() => undefined);
      throw new RegistryError(`token server ${url.host} for registry ${this.host} answered HTTP ${r.status}`);
    }
    let token: unknown;
    try {
      const j = (await r.body.json()) as { token?: unknown; access_token?: unknown };
      token = j.token ?? j.access_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token === '')
      throw new RegistryError(`token server ${url.host} for registry ${this.host} sent no token`);
    this.authorization = `Bearer ${token}`;
  }

  unauthorized(scheme: string): RegistryError {
    const tried = [...new Set(this.tried)].join(', then ') || 'nothing';
    // Docker Hub and others answer "unauthorized" for a repository that does not exist, so as not to reveal it.
    const maybe = this.tried.some((t) => t.includes('bearer'))
      ? '; a repository that does not exist is refused the same way'
      : '';
    return new RegistryError(
      `unauthorized: registry ${this.host} refused access to ${this.ref.path} (wants ${scheme}; tried ${tried})${maybe}`,
    );
  }

  /**
   * GET a path under /v2/NAME/ (manifests/…, blobs/…). A 401 re-runs the challenge once (a token can expire or
   * lack a scope); redirects are followed. The caller reads or dumps the body.
   */
  async get(sub: string, opts: GetOptions = {}): Promise<Response> {
    if (!this.base) await this.ping();
    const headers: Record<string, string> = {};
    if (opts.accept) headers['accept'] = opts.accept.join(', ');
    if (opts.range) headers['range'] = opts.range;
    let url = `${this.base}/v2/${this.ref.path}/${sub}`;
    let origin = new URL(url).origin;
    let reauthorized = false;
    for (let hop = 0; hop <= MAX_REDIRECTS;) {
      const sameOrigin = new URL(url).origin === origin;
      const h = { ...headers, ...(this.authorization && sameOrigin ? { authorization: this.authorization } : {}) };
      let r: Response;
      try {
        r = await this.opts.transport.send(url, 'GET', h);
      } catch (e) {
        throw networkError(e, this.host, url);
      }
      if (r.status === 401 && sameOrigin && !reauthorized) {
        reauthorized = true;
        const before = this.authorization;
        await this.authorize(r);
        if (before === this.authorization && this.authorization?.startsWith('Basic'))
          throw this.unauthorized('basic auth');
        continue;
      }
      if (r.status === 401 || r.status === 403) {
        await r.body.dump().catch(() => undefined);
        if (this.tried.length === 0) this.tried.push('no credentials');
        throw this.unauthorized(r.status === 403 ? 'permission (HTTP 403)' : 'credentials');
      }
      if ([301, 302, 303, 307, 308].includes(r.status)) {
        const loc = r.headers['location'];
        await r.body.dump().catch(() => undefined);
        if (typeof loc !== 'string')
          throw new RegistryError(`registry ${this.host} sent a redirect without a location`);
        const next = new URL(loc, url);
        if (
          next.protocol === 'http:' &&
          url.startsWith('https:') &&
          !this.opts.transport.insecure &&
          !isLoopbackHost(next.host)
        ) {
          throw new RegistryError(
            `registry ${this.host} redirected to plain HTTP (${next.host}); refusing without --insecure-registry`,
          );
        }
        url = next.toString();
        if (hop === 0) origin = new URL(`${this.base}/`).origin;
        hop++;
        continue;
      }
      if (r.status === 429) {
        await r.body.dump().catch(() => undefined);
        const after = r.headers['retry-after'];
        throw new RegistryError(
          `rate-limited by registry ${this.host} (HTTP 429${after ? `, retry after ${after} s` : ''}); try again later${this.authorization ? '' : ' or log in (docker login)'}`,
        );
      }
      return r;
    }
    throw new RegistryError(`registry ${this.host} redirected more than ${MAX_REDIRECTS} times`);
  }
}
