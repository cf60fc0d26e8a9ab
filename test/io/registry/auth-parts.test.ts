// The auth building blocks: WWW-Authenticate parsing (RFC 7235 examples and the shapes registries send),
// docker's config.json lookup, and the docker-credential-* protocol against a real helper program (a shell
// script on PATH that speaks the protocol and records what it was asked).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseChallenges } from '../../../src/io/registry/challenge.js';
import { credentialsFor, hostOfKey, loadDockerConfig } from '../../../src/io/registry/docker-config.js';
import { runCredentialHelper } from '../../../src/io/registry/credential-helper.js';
import { retryAfterMs } from '../../../src/io/registry/transport.js';

test('WWW-Authenticate: Docker Hub, distribution, several challenges, quoted commas', () => {
  assert.deepEqual(
    parseChallenges(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
    ),
    [
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/alpine:pull',
        },
      },
    ],
  );
  assert.deepEqual(parseChallenges('Basic realm="slimtui-test"'), [
    { scheme: 'basic', params: { realm: 'slimtui-test' } },
  ]);
  // RFC 7235 §4.1: two challenges in one header, a quoted value with a comma and an escaped quote.
  assert.deepEqual(parseChallenges('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"'), [
    { scheme: 'newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
    { scheme: 'basic', params: { realm: 'simple' } },
  ]);
  assert.deepEqual(parseChallenges('Bearer realm="https://x/token",scope="repository:a:pull,push"'), [
    { scheme: 'bearer', params: { realm: 'https://x/token', scope: 'repository:a:pull,push' } },
  ]);
  assert.deepEqual(parseChallenges(''), []);
});

test('Retry-After in seconds or as an HTTP date', () => {
  assert.equal(retryAfterMs('3'), 3000);
  assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')), 10_000);
  assert.equal(retryAfterMs(undefined), undefined);
  assert.equal(retryAfterMs('soon'), undefined);
});

test("docker's config.json keys name registries by host (convertToHostname)", () => {
  assert.equal(hostOfKey('https://index.docker.io/v1/'), 'index.docker.io');
  assert.equal(hostOfKey('http://127.0.0.1:5000'), '127.0.0.1:5000');
  assert.equal(hostOfKey('registry.example.com'), 'registry.example.com');
});

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'slimtui-dockercfg-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const noHelper = async (): Promise<undefined> => {
  throw new Error('no helper expected');
};

test('auths: base64 auth, username/password, identitytoken; Docker Hub under its v1 URL; DOCKER_CONFIG', () =>
  withDir(async (dir) => {
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hub:pass').toString('base64') },
          '127.0.0.1:5000': { username: 'u', password: 'p' },
          'https://reg.example.com': { identitytoken: 'refresh-me' },
        },
      }),
    );
    const cfg = loadDockerConfig({ DOCKER_CONFIG: dir });
    assert.equal(cfg.file, join(dir, 'config.json'));
    const hub = await credentialsFor('docker.io', cfg, noHelper);
    // The password may hold a colon: only the first one splits.
    assert.deepEqual(hub && [hub.username, hub.secret, hub.identityToken], ['hubuser', 'hub:pass', false]);
    assert.match(hub!.via, /config\.json auths$/);
    const local = await credentialsFor('127.0.0.1:5000', cfg, noHelper);
    assert.deepEqual(local && [local.username, local.secret], ['u', 'p']);
    const tok = await credentialsFor('reg.example.com', cfg, noHelper);
    assert.deepEqual(tok && [tok.secret, tok.identityToken], ['refresh-me', true]);
    assert.equal(await credentialsFor('other.example.com', cfg, noHelper), undefined);
    // No DOCKER_CONFIG: HOME/.docker/config.json; missing is simply empty.
    const none = loadDockerConfig({ HOME: join(dir, 'nowhere') });
    assert.deepEqual(none.auths, {});
  }));

/** A docker-credential-NAME program: answers `get` for one server, logs what it was asked. */
async function writeHelper(dir: string, name: string, server: string, user: string, secret: string): Promise<string> {
  const log = join(dir, `${name}.log`);
  const script = [
    '#!/bin/sh',
    `[ "$1" = get ] || exit 3`,
    'read -r server',
    `printf '%s\\n' "$server" >> '${log}'`,
    `if [ "$server" = '${server}' ]; then printf '{"ServerURL":"%s","Username":"${user}","Secret":"${secret}"}' "$server"; exit 0; fi`,
    'echo "credentials not found in native keychain"',
    'exit 1',
    '',
  ].join('\n');
  await writeFile(join(dir, `docker-credential-${name}`), script);
  await chmod(join(dir, `docker-credential-${name}`), 0o755);
  return log;
}

test('credHelpers and credsStore through the docker-credential protocol', () =>
  withDir(async (dir) => {
    const storeLog = await writeHelper(dir, 'teststore', 'https://index.docker.io/v1/', 'hub', 'from-store');
    const helperLog = await writeHelper(dir, 'testhelper', '127.0.0.1:5000', '<token>', 'refresh-token');
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({
        credsStore: 'teststore',
        credHelpers: { '127.0.0.1:5000': 'testhelper' },
        auths: { 'other.example.com': { auth: Buffer.from('a:b').toString('base64') } },
      }),
    );
    const env = { DOCKER_CONFIG: dir, PATH: `${dir}:${process.env['PATH'] ?? ''}` };
    const cfg = loadDockerConfig(env);
    const get = (h: string, s: string): ReturnType<typeof runCredentialHelper> => runCredentialHelper(h, s, env);
    const hub = await credentialsFor('docker.io', cfg, get);
    assert.deepEqual(hub && [hub.username, hub.secret, hub.identityToken, hub.via], [
      'hub',
      'from-store',
      false,
      'credential helper docker-credential-teststore (credsStore)',
    ]);
    const local = await credentialsFor('127.0.0.1:5000', cfg, get);
    // Username <token>: the secret is an identity (refresh) token, as docker's helpers mark it.
    assert.deepEqual(local && [local.secret, local.identityToken, local.via], [
      'refresh-token',
      true,
      'credential helper docker-credential-testhelper (credHelpers)',
    ]);
    // The store has nothing for this host ("credentials not found"): inline auths are used.
    const other = await credentialsFor('other.example.com', cfg, get);
    assert.deepEqual(other && [other.username, other.secret], ['a', 'b']);
    assert.deepEqual((await readFile(storeLog, 'utf8')).trim().split('\n'), [
      'https://index.docker.io/v1/',
      'other.example.com',
    ]);
    assert.deepEqual((await readFile(helperLog, 'utf8')).trim().split('\n'), ['127.0.0.1:5000']);
    await assert.rejects(
      runCredentialHelper('missing-helper', 'x', env),
      /docker-credential-missing-helper is not installed/,
    );
    await assert.rejects(runCredentialHelper('../evil', 'x', env), /not valid/);
  }));
