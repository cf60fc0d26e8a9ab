import { existsSync, readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { RegistryError } from './registry-error.js';

/** How slimtui talks HTTP to registries: the trust store, proxies, and how hard it retries. */
export interface TransportOptions {
  /** Extra CA bundles (PEM): --registry-ca FILE; SSL_CERT_FILE is added from the environment. */
  readonly caFiles?: readonly string[];
  /** --insecure-registry: plain HTTP allowed for any host, and TLS certificates not verified. */
  readonly insecure?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** Attempts for one request on 429/5xx or a connection failure (default 6). */
  readonly attempts?: number;
  /** First back-off delay in ms, doubled per attempt (default 500; SLIMTUI_REGISTRY_BACKOFF_MS). */
  readonly backoffMs?: number;
  /** The longest Retry-After slimtui waits for, in ms (default 60 s). */
  readonly maxWaitMs?: number;
}

export interface Response {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Dispatcher.ResponseData['body'];
  readonly url: string;
}

const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

/** Node's bundled roots, the system bundle (Node 20 does not read it by itself), then the user's files. */
export function trustedCAs(caFiles: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const out = [...rootCertificates];
  const system = SYSTEM_BUNDLES.find((p) => existsSync(p));
  const files = [...(system ? [system] : []), ...(env['SSL_CERT_FILE'] ? [env['SSL_CERT_FILE']] : []), ...caFiles];
  for (const f of files) {
    try {
      out.push(readFileSync(f, 'utf8'));
    } catch (e) {
      if (caFiles.includes(f) || f === env['SSL_CERT_FILE'])
        throw new RegistryError(
          `cannot read CA file ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        );
    }
  }
  return out;
}

/** The error code of an undici or socket error, looking through `cause`. */
export function errorCode(e: unknown): string {
  for (let x = e as { code?: unknown; cause?: unknown } | undefined, i = 0; x && i < 4; x = x.cause as typeof x, i++) {
    if (typeof x.code === 'string' && x.code !== 'UND_ERR') return x.code;
  }
  return (e as Error)?.message ?? String(e);
}

const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|HOSTNAME|ALTNAME/;
/** A server that answered a TLS hello in plain HTTP. */
export const isNotTls = (code: string): boolean =>
  /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|UNKNOWN_PROTOCOL|ECONNRESET|UND_ERR_SOCKET/.test(code);
export const isTlsFailure = (code: string): boolean =>
  TLS_CODES.test(code) && !/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG/.test(code);
/** Errors after which a request is worth sending again. */
const RETRYABLE =
  /ECONNRESET|EPIPE|ETIMEDOUT|EAI_AGAIN|UND_ERR_SOCKET|UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT|UND_ERR_CONNECT_TIMEOUT|ECONNABORTED|EHOSTUNREACH|ENETUNREACH|premature|other side closed/;
export const isRetryable = (code: string): boolean => RETRYABLE.test(code);

/** Retry-After in ms (seconds or an HTTP date), or undefined. */
export function retryAfterMs(v: string | string[] | undefined, now = Date.now()): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return undefined;
  if (/^\d+$/.test(s.trim())) return Number(s.trim()) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Transport {
  readonly dispatcher: Dispatcher;
  readonly insecure: boolean;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly maxWaitMs: number;

  constructor(opts: TransportOptions = {}) {
    const env = opts.env ?? process.env;
    this.insecure = opts.insecure === true;
    const tls = { ca: trustedCAs(opts.caFiles ?? [], env), rejectUnauthorized: !this.insecure };
    const httpsProxy = env['HTTPS_PROXY'] ?? env['https_proxy'];
    const httpProxy = env['HTTP_PROXY'] ?? env['http_proxy'];
    const noProxy = env['NO_PROXY'] ?? env['no_proxy'];
    const common = { connect: tls, headersTimeout: 60_000, bodyTimeout: 60_000, keepAliveTimeout: 10_000 };
    // Node 20's fetch reads no proxy variables: undici's EnvHttpProxyAgent does, with NO_PROXY.
    this.dispatcher =
      httpsProxy || httpProxy
        ? // requestTls reaches the ProxyAgents (the origin's TLS inside the tunnel); undici's types omit it.
          new EnvHttpProxyAgent({
            ...common,
            requestTls: tls,
            ...(httpProxy ? { httpProxy } : {}),
            ...(httpsProxy ? { httpsProxy } : {}),
            ...(noProxy !== undefined ? { noProxy } : {}),
          } as ConstructorParameters<typeof EnvHttpProxyAgent>[0])
        : new Agent(common);
    this.attempts = opts.attempts ?? 6;
    const envBackoff = Number(env['SLIMTUI_REGISTRY_BACKOFF_MS']);
    this.backoffMs =
      opts.backoffMs ??
      (Number.isFinite(envBackoff) && envBackoff >= 0 && env['SLIMTUI_REGISTRY_BACKOFF_MS'] !== undefined
        ? envBackoff
        : 500);
    this.maxWaitMs = opts.maxWaitMs ?? 60_000;
  }

  /** The delay before attempt `n` (1-based retry count), or the server's Retry-After when it says one. */
  delay(n: number, retryAfter: number | undefined): number {
    if (retryAfter !== undefined) return Math.min(retryAfter, this.maxWaitMs);
    return Math.min(this.backoffMs * 2 ** (n - 1), this.maxWaitMs);
  }

  /**
   * One request, sent again on connection failures and on 429/502/503/504 (the body of a failed attempt is
   * discarded). Redirects are not followed here (see `follow`). Throws the raw error when attempts run out.
   */
  async send(
    url: string,
    method: 'GET' | 'HEAD' | 'POST',
    headers: Record<string, string>,
    body?: string,
    once = false,
  ): Promise<Response> {
    let last: unknown;
    const attempts = once ? 1 : this.attempts;
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await request(url, {
          method,
          headers,
          dispatcher: this.dispatcher,
          ...(body !== undefined ? { body } : {}),
          highWaterMark: 1 << 20,
        } as Parameters<typeof request>[1]);
        const retryStatus =
          r.statusCode === 429 || r.statusCode === 502 || r.statusCode === 503 || r.statusCode === 504;
        if (retryStatus && attempt < attempts) {
          const wait = this.delay(attempt, retryAfterMs(r.headers['retry-after']));
          await r.body.dump().catch(() => undefined);
          await sleep(wait);
          continue;
        }
        return { status: r.statusCode, headers: r.headers, body: r.body, url };
      } catch (e) {
        last = e;
        if (!isRetryable(errorCode(e)) || attempt >= attempts) throw e;
        await sleep(this.delay(attempt, undefined));
      }
    }
    throw last;
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}
