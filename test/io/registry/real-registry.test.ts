// The registry source against real registries: Debian's docker-registry (distribution 2.8) started here on
// 127.0.0.1 — plain HTTP, TLS with a CA made here and htpasswd basic auth, and token auth with a token issuer
// made here — serving images pushed from the test daemon's `docker save` with skopeo (gzip, zstd) and with
// the distribution API (an uncompressed OCI image, a two-platform manifest list). What slimtui reads from the
// registry is compared with what it reads from `docker save` and from the daemon, and with docker's image id.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../../src/model/analysis.js';
import type { Image } from '../../../src/model/image.js';
import { loadImage, openImage } from '../../../src/io/load-image.js';
import { getTestDaemon, type TestDaemon } from '../../helpers/docker-daemon.js';
import { BUSYBOX_IMAGE, ensureBaseImages } from '../../helpers/base-images.js';
import { buildImage, saveImage } from '../../helpers/build-image.js';
import { loadSpec, AMD64 } from '../../helpers/load.js';
import { runCli, type CliResult } from '../../helpers/cli.js';
import {
  makeCerts,
  pushBlob,
  putManifest,
  sha256,
  skopeoCopy,
  skopeoRaw,
  startConnectProxy,
  startRateLimiter,
  startRegistry,
  startTcpProxy,
  startTokenIssuer,
  writeHtpasswd,
  type Certs,
  type TestRegistry,
} from '../../helpers/registry.js';

const TAG = 'slimtui-test/registry-app:latest';
const BIG = 1536 * 1024; // random, so its gzip blob is as big: a dropped connection lands inside it
const USER = 'alice';
const PASS = 'S3cret-p4ss-Zq9';

let d: TestDaemon;
let work: string;
let certs: Certs;
let plain: TestRegistry;
let zstdReg: TestRegistry;
let tlsReg: TestRegistry;
let tokenAnon: TestRegistry;
let tokenAuth: TestRegistry;
let issuerAnon: Awaited<ReturnType<typeof startTokenIssuer>>;
let issuerAuth: Awaited<ReturnType<typeof startTokenIssuer>>;
let viaSave: Image;
let viaDaemon: Image;
let imageId: string;
let bigFile: Buffer;
const stops: (() => Promise<void>)[] = [];

const DOCKERFILE = [
  `FROM ${BUSYBOX_IMAGE}`,
  'COPY big.bin /data/big.bin',
  'RUN rm /data/big.bin',
  'COPY tool.sh /opt/tool.sh',
  'RUN chmod 755 /opt/tool.sh',
  'COPY app.conf /etc/app.conf',
  'ENV APP=1',
  'CMD ["/bin/sh"]',
  '',
].join('\n');

/** The Docker manifest.json of a `docker save` archive, and its files, unpacked in the test's temp dir. */
async function unpackSave(archive: string, into: string): Promise<{ config: Buffer; layers: Buffer[] }> {
  await mkdir(into, { recursive: true });
  execFileSync('tar', ['-xf', archive, '-C', into]);
  const [m] = JSON.parse(await readFile(join(into, 'manifest.json'), 'utf8')) as { Config: string; Layers: string[] }[];
  return {
    config: await readFile(join(into, m!.Config)),
    layers: await Promise.all(m!.Layers.map((l) => readFile(join(into, l)))),
  };
}

before(async () => {
  d = await getTestDaemon();
  await ensureBaseImages(d);
  work = await mkdtemp(join(tmpdir(), 'slimtui-registry-'));
  bigFile = randomBytes(BIG);
  const ctx = join(work, 'ctx');
  await mkdir(ctx);
  await writeFile(join(ctx, 'tool.sh'), '#!/bin/sh\necho tool\n');
  await chmod(join(ctx, 'tool.sh'), 0o644);
  await buildImage(
    d,
    TAG,
    { 'big.bin': bigFile, 'tool.sh': { from: join(ctx, 'tool.sh'), mode: 0o644 }, 'app.conf': 'original=yes\n' },
    DOCKERFILE,
  );
  imageId = (await d.docker(['image', 'inspect', '-f', '{{.Id}}', TAG])).stdout.trim();
  const savePath = join(work, 'saved.tar');
  await saveImage(d, TAG, savePath);
  viaSave = await loadSpec({ kind: 'docker-archive', location: savePath });
  const old = process.env['DOCKER_HOST'];
  process.env['DOCKER_HOST'] = d.dockerHost;
  try {
    viaDaemon = await loadSpec({ kind: 'docker', location: TAG });
  } finally {
    if (old === undefined) delete process.env['DOCKER_HOST'];
    else process.env['DOCKER_HOST'] = old;
  }

  // One storage tree, pushed once through the plain registry, served by all four.
  const storage = join(work, 'storage');
  plain = await startRegistry(work, 'plain', { storage });
  stops.push(() => plain.stop());
  skopeoCopy(`docker-archive:${savePath}`, `${plain.host}/app:1`);
  // zstd on a registry of its own: skopeo would otherwise reuse the gzip blobs it just pushed to this one.
  zstdReg = await startRegistry(work, 'zstd', { storage: join(work, 'storage-zstd') });
  stops.push(() => zstdReg.stop());
  skopeoCopy(`docker-archive:${savePath}`, `${zstdReg.host}/app:zstd`, [
    '--format',
    'oci',
    '--dest-compress-format',
    'zstd',
  ]);
  // Uncompressed: an OCI manifest whose layers are the plain tars of `docker save`, pushed with the API.
  const unpacked = await unpackSave(savePath, join(work, 'unpacked'));
  const cfgDigest = await pushBlob(plain.host, 'app', unpacked.config);
  const layerDescs = [];
  for (const l of unpacked.layers)
    layerDescs.push({
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      digest: await pushBlob(plain.host, 'app', l),
      size: l.length,
    });
  const ociManifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: cfgDigest,
        size: unpacked.config.length,
      },
      layers: layerDescs,
    }),
  );
  await putManifest(plain.host, 'app', 'plain', 'application/vnd.oci.image.manifest.v1+json', ociManifest);
  // Two platforms: app:1's manifest (amd64) and an arm64 twin (its config says arm64 and carries a label).
  const amd64 = skopeoRaw(`${plain.host}/app:1`);
  const amdJson = JSON.parse(amd64.toString()) as {
    config: { digest: string; size: number; mediaType: string };
    layers: unknown[];
    mediaType: string;
  };
  const armCfg = JSON.parse(unpacked.config.toString()) as {
    architecture: string;
    config: { Labels?: Record<string, string> | null };
  };
  armCfg.architecture = 'arm64';
  armCfg.config.Labels = { ...(armCfg.config.Labels ?? {}), 'slimtui.test': 'arm64-twin' };
  const armCfgBytes = Buffer.from(JSON.stringify(armCfg));
  const armCfgDigest = await pushBlob(plain.host, 'app', armCfgBytes);
  const armManifest = Buffer.from(
    JSON.stringify({ ...amdJson, config: { ...amdJson.config, digest: armCfgDigest, size: armCfgBytes.length } }),
  );
  const armDigest = await putManifest(plain.host, 'app', 'arm64', amdJson.mediaType, armManifest);
  const list = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
      manifests: [
        {
          mediaType: amdJson.mediaType,
          digest: sha256(amd64),
          size: amd64.length,
          platform: { architecture: 'amd64', os: 'linux' },
        },
        {
          mediaType: amdJson.mediaType,
          digest: armDigest,
          size: armManifest.length,
          platform: { architecture: 'arm64', os: 'linux', variant: 'v8' },
        },
      ],
    }),
  );
  await putManifest(plain.host, 'app', 'multi', 'application/vnd.docker.distribution.manifest.list.v2+json', list);

  certs = makeCerts(work);
  await writeHtpasswd(join(work, 'htpasswd'), USER, PASS);
  tlsReg = await startRegistry(work, 'tls', { storage, tls: certs, htpasswd: join(work, 'htpasswd') });
  stops.push(() => tlsReg.stop());
  const anonDir = join(work, 'issuer-anon');
  const authDir = join(work, 'issuer-auth');
  await mkdir(anonDir);
  await mkdir(authDir);
  issuerAnon = await startTokenIssuer(anonDir, {
    issuer: 'slimtui-test-issuer',
    service: 'slimtui-registry',
    users: null,
  });
  stops.push(() => issuerAnon.stop());
  issuerAuth = await startTokenIssuer(authDir, {
    issuer: 'slimtui-test-issuer',
    service: 'slimtui-registry',
    users: { [USER]: PASS },
    refreshTokens: { 'refresh-R9x2': USER },
  });
  stops.push(() => issuerAuth.stop());
  tokenAnon = await startRegistry(work, 'token-anon', {
    storage,
    token: {
      realm: issuerAnon.url,
      service: 'slimtui-registry',
      issuer: 'slimtui-test-issuer',
      rootcertbundle: issuerAnon.rootcertbundle,
    },
  });
  stops.push(() => tokenAnon.stop());
  tokenAuth = await startRegistry(work, 'token-auth', {
    storage,
    token: {
      realm: issuerAuth.url,
      service: 'slimtui-registry',
      issuer: 'slimtui-test-issuer',
      rootcertbundle: issuerAuth.rootcertbundle,
    },
  });
  stops.push(() => tokenAuth.stop());
});

after(async () => {
  for (const s of stops.reverse()) await s().catch(() => undefined);
  if (work) await rm(work, { recursive: true, force: true });
  if (d) {
    await d.docker(['image', 'rm', '-f', TAG]).catch(() => undefined);
    await d.stop();
  }
});

const shape = (img: Image) => {
  const a = analyze(img);
  return {
    layers: img.layers.map((l) => ({
      size: l.size,
      tarSize: l.tarSize,
      diffId: l.diffId,
      command: l.history?.createdBy,
      entries: l.entries.map((e) => [e.path, e.kind, e.size, e.mode & 0o7777, e.uid, e.gid, e.linkTarget ?? null]),
    })),
    config: img.config,
    platform: img.platform,
    metrics: {
      image: a.dive.imageSize,
      user: a.dive.userSize,
      wasted: a.dive.wastedBytes,
      eff: a.dive.efficiency,
      reclaim: a.reclaimable.totalBytes,
      perLayer: [...a.reclaimable.perLayer],
    },
    inefficient: a.dive.inefficientPaths,
  };
};

const fromRegistry = (
  location: string,
  extra: Record<string, unknown> = {},
  platform = AMD64,
  explicit = false,
): Promise<Image> =>
  loadImage({ kind: 'registry', location }, { analysers: [], platform, platformExplicit: explicit, ...extra });

/** The CLI with a private DOCKER_CONFIG (empty unless a test writes one) and no daemon. */
async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return runCli(args, {
    cwd: work,
    env: {
      DOCKER_CONFIG: join(work, 'no-docker-config'),
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
      SLIMTUI_REGISTRY_BACKOFF_MS: '10',
      ...env,
    },
    timeoutMs: 120_000,
  });
}

const oneLine = (r: CliResult): void => {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
};

test('gzip image: the registry, docker save and the daemon give the same layers, paths, sizes and metrics', async () => {
  const img = await fromRegistry(`${plain.host}/app:1`);
  assert.deepEqual(shape(img), shape(viaSave));
  assert.deepEqual(shape(img), shape(viaDaemon));
  assert.equal(img.digest, imageId); // docker's image id is the config's digest
  assert.equal(img.source, 'registry');
  assert.deepEqual(
    img.layers.map((l) => l.compression),
    img.layers.map(() => 'gzip'),
  );
  // The blob digests are the registry manifest's (skopeo inspect --raw is the independent reader).
  const raw = JSON.parse(skopeoRaw(`${plain.host}/app:1`).toString()) as { layers: { digest: string; size: number }[] };
  assert.deepEqual(
    img.layers.map((l) => [l.digest, l.compressedSize]),
    raw.layers.map((l) => [l.digest, l.size]),
  );
  assert.deepEqual(img.repoTags, [`${plain.host}/app:1`]);
});

test('zstd and uncompressed images read the same as docker save', async () => {
  const z = await fromRegistry(`${zstdReg.host}/app:zstd`);
  assert.deepEqual(
    z.layers.map((l) => l.compression),
    z.layers.map(() => 'zstd'),
  );
  assert.deepEqual(shape(z), shape(viaSave));
  const u = await fromRegistry(`${plain.host}/app:plain`);
  assert.deepEqual(
    u.layers.map((l) => l.compression),
    u.layers.map(() => 'none'),
  );
  assert.deepEqual(shape(u), shape(viaSave));
});

test('a manifest list: --platform picks, the host default is amd64 here, a missing platform is one line', async () => {
  const amd = await fromRegistry(`${plain.host}/app:multi`);
  assert.equal(amd.platform.architecture, 'amd64');
  assert.deepEqual(shape(amd), shape(viaSave));
  const arm = await fromRegistry(
    `${plain.host}/app:multi`,
    {},
    { os: 'linux', architecture: 'arm64', variant: 'v8' },
    true,
  );
  assert.equal(arm.platform.architecture, 'arm64');
  assert.equal(arm.config.labels['slimtui.test'], 'arm64-twin');
  const cliArm = await cli([`registry://${plain.host}/app:multi`, '--json', '--platform', 'linux/arm64']);
  assert.equal(cliArm.code, 0, cliArm.stderr);
  assert.equal((JSON.parse(cliArm.stdout) as { image: { platform: string } }).image.platform, 'linux/arm64'); // the config's own platform
  const none = await cli([`registry://${plain.host}/app:multi`, '--json', '--platform', 'linux/s390x']);
  oneLine(none);
  assert.match(none.stderr, /no image for platform linux\/s390x .*available: linux\/amd64, linux\/arm64\/v8/);
});

test('by digest: the manifest is verified against the digest asked for', async () => {
  const digest = sha256(skopeoRaw(`${plain.host}/app:1`));
  const img = await fromRegistry(`${plain.host}/app@${digest}`);
  assert.deepEqual(shape(img), shape(viaSave));
  assert.deepEqual(img.repoDigests, [`${plain.host}/app@${digest}`]);
});

test('the CLI reads registry:// with no daemon, and falls back to the registry for a bare reference', async () => {
  const save = await cli([join(work, 'saved.tar'), '--json']);
  assert.equal(save.code, 0, save.stderr);
  const viaReg = await cli([`registry://${plain.host}/app:1`, '--json']);
  assert.equal(viaReg.code, 0, viaReg.stderr);
  const strip = (s: string) => {
    const j = JSON.parse(s) as { image: Record<string, unknown>; layers: Record<string, unknown>[] };
    // Where the bytes came from, and the registry's compressed blobs (docker save's layers are plain tars).
    const { reference: _r, source: _s, repoTags: _t, repoDigests: _d, compressedSizeBytes: _c, ...image } = j.image;
    return { ...j, image, layers: j.layers.map(({ digest: _g, compressedBytes: _b, compression: _z, ...l }) => l) };
  };
  assert.deepEqual(strip(viaReg.stdout), strip(save.stdout));
  const bare = await cli([`${plain.host}/app:1`, '--json']);
  assert.equal(bare.code, 0, bare.stderr);
  assert.match(bare.stderr, new RegExp(`no docker daemon answers; reading ${plain.host}/app:1 from the registry`));
  assert.deepEqual(strip(bare.stdout), strip(save.stdout));
  // An engine the user named explicitly gets no fallback.
  const explicit = await cli([`docker://${plain.host}/app:1`, '--json']);
  oneLine(explicit);
  assert.match(explicit.stderr, /cannot reach the docker daemon/);
});

test('unknown repository, unknown tag, unreachable registry: one line each, exit 2', async () => {
  const repo = await cli([`registry://${plain.host}/nope:1`, '--json']);
  oneLine(repo);
  assert.match(repo.stderr, /repository not found: 127\.0\.0\.1:\d+\/nope/);
  const tag = await cli([`registry://${plain.host}/app:9`, '--json']);
  oneLine(tag);
  assert.match(tag.stderr, /tag not found: 127\.0\.0\.1:\d+\/app:9/);
  const down = await cli(['registry://127.0.0.1:1/app:1', '--json']);
  oneLine(down);
  assert.match(down.stderr, /cannot reach registry 127\.0\.0\.1:1 .*ECONNREFUSED/);
  const bad = await cli(['registry://127.0.0.1:5000/App:1', '--json']);
  oneLine(bad);
  assert.match(bad.stderr, /must be lowercase/);
});

/** A DOCKER_CONFIG dir with `config` as config.json. */
async function dockerConfig(name: string, config: unknown): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

const authB64 = Buffer.from(`${USER}:${PASS}`).toString('base64');
const noSecret = (r: CliResult): void => {
  for (const s of [PASS, authB64, Buffer.from(PASS).toString('base64')]) {
    assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), 'a credential appears in the output');
  }
};

test('TLS + htpasswd: the CA is needed, credentials come from config.json auths, a credential helper, or not at all', async () => {
  const ref = `registry://${tlsReg.host}/app:1`;
  const noCa = await cli([ref, '--json']);
  oneLine(noCa);
  assert.match(noCa.stderr, /TLS failure talking to registry 127\.0\.0\.1:\d+: .*--registry-ca/);
  const noCreds = await cli([ref, '--json', '--registry-ca', certs.caFile]);
  oneLine(noCreds);
  assert.match(noCreds.stderr, /unauthorized: .*wants basic auth; tried no credentials/);
  const withAuths = await dockerConfig('cfg-auths', { auths: { [tlsReg.host]: { auth: authB64 } } });
  const ok = await cli([ref, '--json', '--registry-ca', certs.caFile], { DOCKER_CONFIG: withAuths });
  assert.equal(ok.code, 0, ok.stderr);
  noSecret(ok);
  assert.equal((JSON.parse(ok.stdout) as { image: { id: string } }).image.id, imageId);
  // SSL_CERT_FILE instead of the flag.
  const viaEnv = await cli([ref, '--json'], { DOCKER_CONFIG: withAuths, SSL_CERT_FILE: certs.caFile });
  assert.equal(viaEnv.code, 0, viaEnv.stderr);
  const wrong = await dockerConfig('cfg-wrong', {
    auths: { [tlsReg.host]: { auth: Buffer.from(`${USER}:nope-${PASS}`).toString('base64') } },
  });
  const denied = await cli([ref, '--json', '--registry-ca', certs.caFile], { DOCKER_CONFIG: wrong });
  oneLine(denied);
  assert.match(denied.stderr, /unauthorized: .*tried basic auth with credentials from .*cfg-wrong\/config\.json auths/);
  noSecret(denied);
  assert.ok(!denied.stderr.includes(`nope-${PASS}`));
  // credHelpers: a docker-credential-* program on PATH.
  const bin = join(work, 'bin');
  await mkdir(bin, { recursive: true });
  await writeFile(
    join(bin, 'docker-credential-slimtest'),
    `#!/bin/sh\nread -r s\n[ "$s" = "${tlsReg.host}" ] || { echo "credentials not found"; exit 1; }\nprintf '{"ServerURL":"%s","Username":"${USER}","Secret":"${PASS}"}' "$s"\n`,
  );
  await chmod(join(bin, 'docker-credential-slimtest'), 0o755);
  const helperCfg = await dockerConfig('cfg-helper', { credHelpers: { [tlsReg.host]: 'slimtest' } });
  const viaHelper = await cli([ref, '--json', '--registry-ca', certs.caFile], {
    DOCKER_CONFIG: helperCfg,
    PATH: `${bin}:${process.env['PATH'] ?? ''}`,
  });
  assert.equal(viaHelper.code, 0, viaHelper.stderr);
  noSecret(viaHelper);
  const storeCfg = await dockerConfig('cfg-store', { credsStore: 'slimtest' });
  const viaStore = await cli([ref, '--json', '--registry-ca', certs.caFile], {
    DOCKER_CONFIG: storeCfg,
    PATH: `${bin}:${process.env['PATH'] ?? ''}`,
  });
  assert.equal(viaStore.code, 0, viaStore.stderr);
  // Plain HTTP to a TLS registry is never tried for a non-loopback name, and --insecure-registry skips verification.
  const insecure = await cli([ref, '--json', '--insecure-registry'], { DOCKER_CONFIG: withAuths });
  assert.equal(insecure.code, 0, insecure.stderr);
});

test('the same image through TLS + basic auth reads the same as docker save', async () => {
  const cfg = await dockerConfig('cfg-auths-2', { auths: { [tlsReg.host]: { username: USER, password: PASS } } });
  const img = await fromRegistry(`${tlsReg.host}/app:1`, {
    registry: { caFiles: [certs.caFile], insecure: false, env: { ...process.env, DOCKER_CONFIG: cfg } },
  });
  assert.deepEqual(shape(img), shape(viaSave));
});

test('token auth: an anonymous bearer token, and one for credentials; the issuer saw the pull scope', async () => {
  issuerAnon.requests.length = 0;
  const anon = await cli([`registry://${tokenAnon.host}/app:1`, '--json']);
  assert.equal(anon.code, 0, anon.stderr);
  assert.ok(issuerAnon.requests.length >= 1);
  assert.deepEqual(issuerAnon.requests[0], {
    scope: 'repository:app:pull',
    service: 'slimtui-registry',
    user: null,
    authorized: true,
  });

  const denied = await cli([`registry://${tokenAuth.host}/app:1`, '--json']);
  oneLine(denied);
  assert.match(denied.stderr, /unauthorized: .*tried anonymous bearer token from 127\.0\.0\.1:\d+/);
  const cfg = await dockerConfig('cfg-token', { auths: { [`http://${tokenAuth.host}`]: { auth: authB64 } } });
  issuerAuth.requests.length = 0;
  const ok = await cli([`registry://${tokenAuth.host}/app:1`, '--json'], { DOCKER_CONFIG: cfg });
  assert.equal(ok.code, 0, ok.stderr);
  noSecret(ok);
  assert.deepEqual(issuerAuth.requests.at(-1), {
    scope: 'repository:app:pull',
    service: 'slimtui-registry',
    user: USER,
    authorized: true,
  });
  const img = await fromRegistry(`${tokenAuth.host}/app:1`, {
    registry: { env: { ...process.env, DOCKER_CONFIG: cfg } },
  });
  assert.deepEqual(shape(img), shape(viaSave));
  const wrong = await dockerConfig('cfg-token-wrong', {
    auths: { [tokenAuth.host]: { username: USER, password: 'wrong-pass-123' } },
  });
  const bad = await cli([`registry://${tokenAuth.host}/app:1`, '--json'], { DOCKER_CONFIG: wrong });
  oneLine(bad);
  assert.match(
    bad.stderr,
    /unauthorized: .*tried bearer token from 127\.0\.0\.1:\d+ with credentials from .*config\.json auths/,
  );
  assert.ok(!bad.stderr.includes('wrong-pass-123'));
});

test('token auth with an identity token (a helper returns user <token>): the refresh-token grant, never a password', async () => {
  const bin = join(work, 'bin-token');
  await mkdir(bin, { recursive: true });
  await writeFile(
    join(bin, 'docker-credential-slimrefresh'),
    `#!/bin/sh\nread -r s\nprintf '{"ServerURL":"%s","Username":"<token>","Secret":"refresh-R9x2"}' "$s"\n`,
  );
  await chmod(join(bin, 'docker-credential-slimrefresh'), 0o755);
  const cfg = await dockerConfig('cfg-refresh', { credHelpers: { [tokenAuth.host]: 'slimrefresh' } });
  issuerAuth.requests.length = 0;
  const ok = await cli([`registry://${tokenAuth.host}/app:1`, '--json'], {
    DOCKER_CONFIG: cfg,
    PATH: `${bin}:${process.env['PATH'] ?? ''}`,
  });
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(!ok.stdout.includes('refresh-R9x2') && !ok.stderr.includes('refresh-R9x2'));
  assert.deepEqual(issuerAuth.requests.at(-1), {
    scope: 'repository:app:pull',
    service: 'slimtui-registry',
    user: USER,
    authorized: true,
    grant: 'refresh_token',
  });
});

test('a dropped connection mid-blob resumes with Range and the result is unchanged', async () => {
  const proxy = await startTcpProxy(plain.port, { cutAfter: 700_000 });
  try {
    const img = await fromRegistry(`${proxy.host}/app:1`, { registry: { parallel: 1 } });
    assert.equal(proxy.stats.cut, true);
    assert.equal(proxy.stats.ranges.length, 1, proxy.stats.requests.join('\n'));
    assert.match(proxy.stats.ranges[0]!, /^bytes=\d+-$/);
    assert.deepEqual(shape(img), shape(viaSave));
  } finally {
    await proxy.stop();
  }
});

test('a corrupted blob is caught by its digest: one line, exit 2', async () => {
  // The uncompressed image: a flipped byte inside big.bin's data breaks nothing but the digest.
  const proxy = await startTcpProxy(plain.port, { flipAt: 1_000_000 });
  try {
    const r = await cli([`registry://${proxy.host}/app:plain`, '--json', '--registry-parallel', '1']);
    assert.equal(proxy.stats.flipped, true);
    oneLine(r);
    assert.match(
      r.stderr,
      /blob sha256:[0-9a-f]{64} of 127\.0\.0\.1:\d+\/app failed verification: its bytes hash to sha256:[0-9a-f]{64}/,
    );
  } finally {
    await proxy.stop();
  }
});

test('429 with Retry-After is waited out; a registry that keeps refusing says rate-limited', async () => {
  const once = await startRateLimiter(plain.port, { match: /\/blobs\//, limit: 1, retryAfter: '1' });
  try {
    const t = Date.now();
    const img = await fromRegistry(`${once.host}/app:1`);
    assert.equal(once.limited.length, 1);
    assert.ok(Date.now() - t >= 1000, 'Retry-After: 1 was not honoured');
    assert.deepEqual(shape(img), shape(viaSave));
  } finally {
    await once.stop();
  }
  const always = await startRateLimiter(plain.port, { match: /\/manifests\//, limit: Infinity, retryAfter: '0' });
  try {
    const r = await cli([`registry://${always.host}/app:1`, '--json']);
    oneLine(r);
    assert.match(r.stderr, /rate-limited by registry 127\.0\.0\.1:\d+ \(HTTP 429/);
    assert.equal(always.limited.length, 6); // the attempts, then the message
  } finally {
    await always.stop();
  }
});

test('HTTPS_PROXY tunnels through a CONNECT proxy; NO_PROXY bypasses it', async () => {
  const proxy = await startConnectProxy();
  try {
    const cfg = await dockerConfig('cfg-proxy', { auths: { [tlsReg.host]: { auth: authB64 } } });
    const via = await cli([`registry://${tlsReg.host}/app:1`, '--json', '--registry-ca', certs.caFile], {
      DOCKER_CONFIG: cfg,
      HTTPS_PROXY: proxy.url,
      NO_PROXY: '',
    });
    assert.equal(via.code, 0, via.stderr);
    assert.ok(proxy.tunnels.includes(tlsReg.host), proxy.tunnels.join(','));
    proxy.tunnels.length = 0;
    const direct = await cli([`registry://${tlsReg.host}/app:1`, '--json', '--registry-ca', certs.caFile], {
      DOCKER_CONFIG: cfg,
      HTTPS_PROXY: proxy.url,
      NO_PROXY: '127.0.0.1',
    });
    assert.equal(direct.code, 0, direct.stderr);
    assert.deepEqual(proxy.tunnels, []);
  } finally {
    await proxy.stop();
  }
});

test('layers in flight: 1 fetches the blobs over one connection, 4 over several; same result', async () => {
  for (const [n, check] of [
    [1, (c: number) => c === 1],
    [4, (c: number) => c > 1],
  ] as const) {
    const proxy = await startTcpProxy(plain.port, {});
    try {
      const img = await fromRegistry(`${proxy.host}/app:1`, { registry: { parallel: n } });
      const layerDigests = new Set(img.layers.map((l) => `GET /v2/app/blobs/${l.digest}`));
      const used = new Set(
        proxy.stats.requests.flatMap((r, i) => (layerDigests.has(r) ? [proxy.stats.byConnection[i]] : [])),
      );
      assert.ok(check(used.size), `${n} in flight: layer blobs over ${used.size} connections`);
      assert.deepEqual(shape(img), shape(viaSave));
    } finally {
      await proxy.stop();
    }
  }
});

test('preview and the UPX re-read fetch only the blob they need', async () => {
  const proxy = await startTcpProxy(plain.port, {});
  try {
    const loaded = await openImage(
      { kind: 'registry', location: `${proxy.host}/app:1` },
      { analysers: [], platform: AMD64, platformExplicit: false },
    );
    const img = loaded.image;
    const layer = img.layers.findIndex((l) => l.entries.some((e) => e.path === 'etc/app.conf'));
    const before = proxy.stats.requests.length;
    const preview = loaded.preview;
    assert.ok(preview && loaded.readFiles);
    const head = await preview.read(layer, 'etc/app.conf');
    assert.equal(Buffer.from(head).toString(), 'original=yes\n');
    assert.deepEqual(proxy.stats.requests.slice(before), [`GET /v2/app/blobs/${img.layers[layer]!.digest}`]);
    const bigLayer = img.layers.findIndex((l) => l.entries.some((e) => e.path === 'data/big.bin'));
    const mid = proxy.stats.requests.length;
    const files = await loaded.readFiles([{ layer: bigLayer, path: 'data/big.bin' }]);
    try {
      const src = files.get(bigLayer, 'data/big.bin');
      assert.ok(src);
      assert.ok(Buffer.from(src.read(0, src.size)).equals(bigFile));
    } finally {
      files.close();
    }
    assert.deepEqual(proxy.stats.requests.slice(mid), [`GET /v2/app/blobs/${img.layers[bigLayer]!.digest}`]);
  } finally {
    await proxy.stop();
  }
});

test('progress counts the bytes of all layers against the manifest total', async () => {
  const seen: { bytes: number; totalBytes?: number; layersRead: number }[] = [];
  const img = await fromRegistry(`${plain.host}/app:1`, {
    onProgress: (p: { bytes: number; totalBytes?: number; layersRead: number }) => seen.push(p),
  });
  const raw = JSON.parse(skopeoRaw(`${plain.host}/app:1`).toString()) as { layers: { size: number }[] };
  const total = raw.layers.reduce((s, l) => s + l.size, 0);
  const last = seen.at(-1)!;
  assert.equal(last.totalBytes, total);
  assert.equal(last.bytes, total);
  assert.equal(last.layersRead, img.layers.length);
  assert.ok(seen.every((p, i) => i === 0 || p.bytes >= seen[i - 1]!.bytes));
});
