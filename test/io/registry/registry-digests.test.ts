// Registry pulls verify always (issue 10 item 7): a real registry (Debian's docker-registry, distribution 2.8, on
// 127.0.0.1) serves three images built here — one honest; one whose config lies about layer 1's diff_id (the blobs
// themselves are fine: distribution checked their digests on upload); one whose gzip blob was altered in the
// registry's storage after the push (distribution serves it as stored). The true digests are computed with
// `sha256sum` (and `gzip -dc`) on the files. With or without --verify, each bad image is exit 2 and one line that
// names the layer (or blob) and both digests; the honest one loads with its diff_ids as sha256sum says.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeTar } from '../../helpers/make-archive.js';
import { needTool } from '../../helpers/need-tool.js';
import { runCli, type CliResult } from '../../helpers/cli.js';
import { pushBlob, putManifest, REGISTRY_BIN, startRegistry, type TestRegistry } from '../../helpers/registry.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
let work = '';
let reg: TestRegistry | undefined;
const truth: { diffIds: string[]; lie: string; alteredBlob: string; alteredTrue: string } = {
  diffIds: [],
  lie: '',
  alteredBlob: '',
  alteredTrue: '',
};

const sha256sum = (file: string): string =>
  `sha256:${execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0]!}`;

async function pushImage(tag: string, layers: Buffer[], diffIds: string[]): Promise<void> {
  const host = reg!.host;
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: layers.map((_, i) => ({ created_by: `layer ${i}` })),
    }),
  );
  const cfgDigest = await pushBlob(host, 'app', config);
  const descs = [];
  for (const l of layers) {
    const gz = l[0] === 0x1f && l[1] === 0x8b;
    descs.push({
      mediaType: `application/vnd.oci.image.layer.v1.tar${gz ? '+gzip' : ''}`,
      digest: await pushBlob(host, 'app', l),
      size: l.length,
    });
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cfgDigest, size: config.length },
      layers: descs,
    }),
  );
  await putManifest(host, 'app', tag, OCI_MANIFEST, manifest);
}

before(async () => {
  if (!existsSync(REGISTRY_BIN)) return;
  work = mkdtempSync(join(tmpdir(), 'slimtui-registry-digests-'));
  reg = await startRegistry(work, 'digests', { storage: join(work, 'storage') });
  const l0 = await makeTar([{ name: 'etc/keep', content: 'keep\n' }]);
  const l1tar = await makeTar([{ name: 'app/data', content: 'payload '.repeat(500) }]);
  const l1 = gzipSync(l1tar);
  const l2 = gzipSync(await makeTar([{ name: 'app/other', content: 'other '.repeat(700) }]));
  for (const [name, b] of [
    ['l0.tar', l0],
    ['l1.tar.gz', l1],
    ['l2.tar.gz', l2],
  ] as const)
    writeFileSync(join(work, name), b);
  // The independent digests: sha256sum of the uncompressed tars.
  truth.diffIds = [
    sha256sum(join(work, 'l0.tar')),
    `sha256:${execFileSync('sh', ['-c', `gzip -dc '${join(work, 'l1.tar.gz')}' | sha256sum`], { encoding: 'utf8' }).split(' ')[0]!}`,
  ];
  const l2DiffId = `sha256:${execFileSync('sh', ['-c', `gzip -dc '${join(work, 'l2.tar.gz')}' | sha256sum`], { encoding: 'utf8' }).split(' ')[0]!}`;
  truth.lie = `sha256:${'1'.repeat(64)}`;
  await pushImage('good', [l0, l1], truth.diffIds);
  await pushImage('lying-config', [l0, l1], [truth.diffIds[0]!, truth.lie]);
  await pushImage('altered-blob', [l0, l2], [truth.diffIds[0]!, l2DiffId]);
  // Alter l2 in the registry's storage: its gzip header's MTIME (the tar inside unchanged, the digest not).
  const l2Digest = sha256sum(join(work, 'l2.tar.gz'));
  const hex = l2Digest.slice(7);
  const data = join(work, 'storage/docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
  const b = readFileSync(data);
  b[4] = b[4]! ^ 0x5a;
  writeFileSync(data, b);
  truth.alteredBlob = l2Digest;
  truth.alteredTrue = sha256sum(data);
});

after(async () => {
  await reg?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const cli = (args: string[]): Promise<CliResult> =>
  runCli(args, {
    cwd: work,
    env: { DOCKER_CONFIG: join(work, 'no-docker-config'), DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    timeoutMs: 60_000,
  });

test('registry: the honest image loads; its diff_ids are the tars’ sha256sum', async (t) => {
  if (!needTool(t, existsSync(REGISTRY_BIN), 'docker-registry', 'apt-get install docker-registry')) return;
  const r = await cli([`registry://${reg!.host}/app:good`, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /digest mismatch/);
  const j = JSON.parse(r.stdout) as { layers: { diffId: string }[]; warnings: { code: string }[] };
  assert.deepEqual(
    j.layers.map((l) => l.diffId),
    truth.diffIds,
  );
  assert.deepEqual(
    j.warnings.filter((w) => w.code === 'digest-mismatch'),
    [],
  );
});

test('registry: a config that lies about a diff_id is exit 2, one line, with or without --verify', async (t) => {
  if (!needTool(t, existsSync(REGISTRY_BIN), 'docker-registry', 'apt-get install docker-registry')) return;
  for (const extra of [[], ['--verify']]) {
    const r = await cli([`registry://${reg!.host}/app:lying-config`, '--json', ...extra]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      `slimtui: digest mismatch: layer 1's uncompressed content hashes to ${truth.diffIds[1]!}, but the config's diff_id is ${truth.lie} (a corrupt or altered image)\n`,
    );
  }
});

test('registry: a blob altered in the registry’s storage is exit 2, one line, with or without --verify', async (t) => {
  if (!needTool(t, existsSync(REGISTRY_BIN), 'docker-registry', 'apt-get install docker-registry')) return;
  for (const extra of [[], ['--verify']]) {
    const r = await cli([`registry://${reg!.host}/app:altered-blob`, '--json', ...extra]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      `slimtui: blob ${truth.alteredBlob} of ${reg!.host}/app failed verification: its bytes hash to ${truth.alteredTrue}\n`,
    );
  }
});
