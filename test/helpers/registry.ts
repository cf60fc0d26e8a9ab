// Real registries for the tests: Debian's `docker-registry` (CNCF distribution 2.8) started on 127.0.0.1 with
// a free port and its config, storage and certificates in a temp dir the test owns; plus the pieces a test
// puts in front of it — a token issuer that signs RS256 JWTs as distribution's `auth.token` expects, a TCP
// proxy that drops one connection mid-transfer, and an HTTP CONNECT proxy. Everything listens on loopback only.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, createSign, randomBytes, X509Certificate } from 'node:crypto';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

/** A port nobody listens on right now (the registry binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Certs {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** A test CA and a server certificate for 127.0.0.1/localhost signed by it, made with the openssl CLI. */
export function makeCerts(dir: string): Certs {
  const o = (args: string[]): void =>
    void execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  o([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=slimtui test CA',
  ]);
  o(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  execFileSync('sh', ['-c', 'printf "subjectAltName=IP:127.0.0.1,DNS:localhost\\n" > san.ext'], { cwd: dir });
  o([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  ]);
  return { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
}

export interface RegistryConfig {
  /** Shared storage: several registries may serve one pushed tree. */
  readonly storage: string;
  readonly tls?: Certs;
  readonly htpasswd?: string;
  readonly token?: { realm: string; service: string; issuer: string; rootcertbundle: string };
}

export interface TestRegistry {
  readonly port: number;
  /** `127.0.0.1:PORT` */
  readonly host: string;
  readonly log: () => string;
  stop(): Promise<void>;
}

function yaml(cfg: RegistryConfig, port: number): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${cfg.storage}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(8).toString('hex')}`,
  ];
  if (cfg.tls) lines.push('  tls:', `    certificate: ${cfg.tls.certFile}`, `    key: ${cfg.tls.keyFile}`);
  if (cfg.htpasswd) lines.push('auth:', '  htpasswd:', '    realm: slimtui-test', `    path: ${cfg.htpasswd}`);
  if (cfg.token)
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${cfg.token.realm}`,
      `    service: ${cfg.token.service}`,
      `    issuer: ${cfg.token.issuer}`,
      `    rootcertbundle: ${cfg.token.rootcertbundle}`,
    );
  return lines.join('\n') + '\n';
}

/** Starts `docker-registry serve CONFIG`; resolves when /v2/ answers; rejects with its log when it does not. */
export async function startRegistry(dir: string, name: string, cfg: RegistryConfig): Promise<TestRegistry> {
  await mkdir(cfg.storage, { recursive: true });
  const port = await freePort();
  const configFile = join(dir, `${name}.yml`);
  await writeFile(configFile, yaml(cfg, port));
  // REGISTRY_* variables would override the file: start from a clean environment.
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir };
  const child: ChildProcess = spawn(REGISTRY_BIN, ['serve', configFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (b: Buffer) => (log += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  let exited = false;
  child.on('exit', () => (exited = true));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exited) throw new Error(`docker-registry (${name}) exited:\n${log.slice(-2000)}`);
    if (log.includes('listening on')) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`docker-registry (${name}) did not start in 20 s:\n${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    host: `127.0.0.1:${port}`,
    log: () => log,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** `htpasswd -Bbn user pass` (apache2-utils) into FILE. */
export async function writeHtpasswd(file: string, user: string, pass: string): Promise<void> {
  await writeFile(file, execFileSync('htpasswd', ['-Bbn', user, pass], { encoding: 'utf8' }));
}

/** skopeo copy SRC docker://DEST, trusting nothing (loopback registries over HTTP, or TLS without a CA). */
export function skopeoCopy(src: string, dest: string, extra: string[] = []): void {
  execFileSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', ...extra, src, `docker://${dest}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
  });
}

/** skopeo inspect --raw: the manifest bytes exactly as the registry stores them. */
export function skopeoRaw(ref: string, extra: string[] = []): Buffer {
  return execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', ...extra, `docker://${ref}`], {
    timeout: 60_000,
  });
}

export const sha256 = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function httpDo(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Pushes one blob with the distribution API (monolithic upload: POST then PUT ?digest=) to a plain-HTTP registry. */
export async function pushBlob(host: string, repo: string, bytes: Buffer): Promise<string> {
  const digest = sha256(bytes);
  const start = await httpDo('POST', `http://${host}/v2/${repo}/blobs/uploads/`, {});
  if (start.status !== 202) throw new Error(`upload start: HTTP ${start.status} ${start.body}`);
  const loc = new URL(String(start.headers.location), `http://${host}`);
  loc.searchParams.set('digest', digest);
  const put = await httpDo('PUT', loc.toString(), { 'content-type': 'application/octet-stream' }, bytes);
  if (put.status !== 201) throw new Error(`upload: HTTP ${put.status} ${put.body}`);
  return digest;
}

export async function putManifest(
  host: string,
  repo: string,
  reference: string,
  mediaType: string,
  bytes: Buffer,
): Promise<string> {
  const r = await httpDo(
    'PUT',
    `http://${host}/v2/${repo}/manifests/${reference}`,
    { 'content-type': mediaType },
    bytes,
  );
  if (r.status !== 201) throw new Error(`manifest put: HTTP ${r.status} ${r.body}`);
  return sha256(bytes);
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export interface TokenIssuer {
  readonly url: string;
  readonly requests: {
    scope: string | null;
    service: string | null;
    user: string | null;
    authorized: boolean;
    grant?: string;
  }[];
  stop(): Promise<void>;
}

/**
 * A token server as distribution's `auth.token` expects: GET ?service=&scope=, optional Basic credentials,
 * answers `{"token": JWT}` — RS256, the signing certificate in the `x5c` header (the registry checks it chains
 * to its rootcertbundle), claims iss/aud/exp/nbf/iat/jti and `access` for the asked pull scope.
 * `users` null: anonymous pulls allowed; else only those user/password pairs get a token.
 */
export async function startTokenIssuer(
  dir: string,
  opts: {
    issuer: string;
    service: string;
    users: Record<string, string> | null;
    refreshTokens?: Record<string, string>;
  },
): Promise<TokenIssuer & { rootcertbundle: string }> {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'token.key',
      '-out',
      'token.crt',
      '-days',
      '2',
      '-subj',
      '/CN=slimtui test token issuer',
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const key = await readFile(join(dir, 'token.key'), 'utf8');
  const certPem = await readFile(join(dir, 'token.crt'), 'utf8');
  const der = new X509Certificate(certPem).raw.toString('base64');
  const requests: TokenIssuer['requests'] = [];
  /** A JWT for `user` with pull access to the asked scope, signed RS256 with the certificate in x5c. */
  const sign = (user: string | null, scope: string | null): string => {
    const now = Math.floor(Date.now() / 1000);
    const access = scope
      ? scope.split(' ').map((s) => {
          const [type, name, actions] = s.split(':');
          return { type, name, actions: (actions ?? '').split(',').filter((a) => a === 'pull') };
        })
      : [];
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [der] }));
    const claims = b64url(
      JSON.stringify({
        iss: opts.issuer,
        sub: user ?? '',
        aud: opts.service,
        exp: now + 300,
        nbf: now - 5,
        iat: now,
        jti: randomBytes(8).toString('hex'),
        access,
      }),
    );
    const sig = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(key);
    return `${header}.${claims}.${b64url(sig)}`;
  };
  const server: Server = createHttpServer((req, res) => {
    // docker's OAuth2 refresh-token grant (an identity token): POST form grant_type=refresh_token.
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const f = new URLSearchParams(body);
        const user = opts.refreshTokens?.[f.get('refresh_token') ?? ''] ?? null;
        requests.push({
          scope: f.get('scope'),
          service: f.get('service'),
          user,
          authorized: user !== null,
          grant: f.get('grant_type') ?? '',
        });
        if (!user || f.get('grant_type') !== 'refresh_token') {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad refresh token"}');
          return;
        }
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ access_token: sign(user, f.get('scope')), expires_in: 300 }));
      });
      return;
    }
    const u = new URL(req.url ?? '/', 'http://x');
    const scope = u.searchParams.get('scope');
    const auth = req.headers.authorization;
    let user: string | null = null;
    let ok = opts.users === null;
    if (auth?.startsWith('Basic ')) {
      const [name, ...rest] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
      user = name ?? null;
      ok = opts.users !== null && opts.users[name ?? ''] === rest.join(':');
    }
    requests.push({ scope, service: u.searchParams.get('service'), user, authorized: ok });
    if (!ok) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"incorrect username or password"}');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token: sign(user, scope), expires_in: 300 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/token`,
    requests,
    rootcertbundle: join(dir, 'token.crt'),
    stop: () => new Promise((r) => server.close(() => r())),
  };
}

export interface TcpProxy {
  readonly host: string;
  /** Connections accepted, whether the one cut / flip has happened, and the HTTP request lines seen. */
  readonly stats: {
    connections: number;
    cut: boolean;
    flipped: boolean;
    requests: string[];
    ranges: string[];
    byConnection: number[];
  };
  stop(): Promise<void>;
}

/**
 * A loopback TCP proxy to `target`. With `cutAfter`, the first connection whose server-to-client bytes pass
 * that count is dropped there (once); with `flipAt`, the byte at that offset of the first connection to reach
 * it is inverted (once).
 */
export async function startTcpProxy(target: number, opts: { cutAfter?: number; flipAt?: number }): Promise<TcpProxy> {
  const stats = {
    connections: 0,
    cut: false,
    flipped: false,
    requests: [] as string[],
    ranges: [] as string[],
    byConnection: [] as number[],
  };
  const sockets = new Set<Socket>();
  const server = createNetServer((client) => {
    stats.connections++;
    const upstream = connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    let seen = 0;
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      for (const m of text.matchAll(/^(GET|HEAD|POST|PUT|PATCH|DELETE) (\S+) HTTP\/1\.[01]\r$/gm)) {
        stats.requests.push(`${m[1]} ${m[2]}`);
        stats.byConnection.push(stats.connections);
      }
      for (const m of text.matchAll(/^range: (bytes=\d+-\d*)\r$/gim)) stats.ranges.push(m[1]!);
    });
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      let out = chunk;
      if (opts.flipAt !== undefined && !stats.flipped && seen + chunk.length > opts.flipAt) {
        out = Buffer.from(chunk);
        out[opts.flipAt - seen] = out[opts.flipAt - seen]! ^ 0xff;
        stats.flipped = true;
      }
      if (opts.cutAfter !== undefined && !stats.cut && seen + chunk.length > opts.cutAfter) {
        stats.cut = true;
        client.write(out.subarray(0, opts.cutAfter - seen), () => {
          client.destroy();
          upstream.destroy();
        });
        seen += chunk.length;
        return;
      }
      seen += chunk.length;
      if (!client.destroyed) client.write(out);
    });
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('end', () => client.end());
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    stats,
    stop: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** An HTTP CONNECT proxy (what HTTPS_PROXY names) that counts the tunnels it opened and to where. */
export async function startConnectProxy(): Promise<{ url: string; tunnels: string[]; stop(): Promise<void> }> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server = createHttpServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const [h, p] = (req.url ?? '').split(':');
    tunnels.push(req.url ?? '');
    if (h !== '127.0.0.1' && h !== 'localhost') {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const up = connect(Number(p), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    sockets.add(client).add(up);
    up.on('error', () => client.destroy());
    client.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    stop: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/**
 * An HTTP front for a plain registry that answers 429 (with Retry-After) to the first `limit` requests whose path
 * matches `match`, and forwards everything else unchanged. `limit` Infinity: always rate-limited.
 */
export async function startRateLimiter(
  target: number,
  opts: { match: RegExp; limit: number; retryAfter: string },
): Promise<{ host: string; limited: string[]; stop(): Promise<void> }> {
  const limited: string[] = [];
  const server = createHttpServer((req, res) => {
    if (opts.match.test(req.url ?? '') && limited.length < opts.limit) {
      limited.push(req.url ?? '');
      res
        .writeHead(429, { 'retry-after': opts.retryAfter, 'content-type': 'application/json' })
        .end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
      return;
    }
    const up = httpRequest(
      { host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    limited,
    stop: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
