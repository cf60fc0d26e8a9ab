// Input and usage errors of the real CLI: exit code 2, exactly one line on stderr, no stack trace, nothing on
// stdout, no file written. Every run has a fresh temp dir as its cwd.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineError } from '../../src/io/sources/engine-client.js';
import {
  dockerArchiveLegacy,
  file,
  makeTar,
  ociArchive,
  plainTar,
  sha256,
  buildImageParts,
} from '../helpers/make-archive.js';
import { runCli, ROOT, type CliResult } from '../helpers/cli.js';
import { getTestDaemon } from '../helpers/docker-daemon.js';

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'slimtui-cli-errors-'));
  await chmod(work, 0o755);
});
after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** A fresh empty cwd; inputs live in `work`, outside it. */
async function freshCwd(): Promise<string> {
  const d = await mkdtemp(join(work, 'cwd-'));
  await chmod(d, 0o777);
  return d;
}

async function input(name: string, data: Buffer): Promise<string> {
  const p = join(work, name);
  await writeFile(p, data);
  await chmod(p, 0o644);
  return p;
}

function assertOneLineError(r: CliResult, pattern: RegExp, what: string): void {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(r.code, 2, `${what}: exit code (stderr: ${r.stderr})`);
  assert.equal(lines.length, 1, `${what}: stderr must be one line, got:\n${r.stderr}`);
  assert.ok(r.stderr.endsWith('\n'), `${what}: stderr ends with a newline`);
  assert.ok(!/^\s+at /m.test(r.stderr), `${what}: no stack trace`);
  assert.ok(!/unexpected error/.test(r.stderr), `${what}: a known error, not "unexpected": ${r.stderr}`);
  assert.match(lines[0]!, /^slimtui: /, what);
  assert.match(lines[0]!, pattern, what);
  assert.equal(r.stdout, '', `${what}: stdout empty`);
}

async function expectError(
  args: string[],
  pattern: RegExp,
  what: string,
  env: Record<string, string | undefined> = {},
): Promise<void> {
  const cwd = await freshCwd();
  const r = await runCli(args, { cwd, env });
  assertOneLineError(r, pattern, what);
  assert.deepEqual(await readdir(cwd), [], `${what}: no files written`);
}

const goodLayers = [[file('a', 10)], [file('b', 20)]];

test('nonexistent file', async () => {
  await expectError([join(work, 'does-not-exist.tar')], /file not found: .*does-not-exist\.tar/, 'missing file');
  await expectError(['docker-archive:' + join(work, 'nope.tar')], /file not found/, 'missing docker-archive:');
  await expectError(['oci:' + join(work, 'no-dir')], /file not found|not a directory/, 'missing oci dir');
});

test('truncated archive (a real archive cut in half)', async () => {
  const demo = readFileSync(join(ROOT, 'demo', 'demo-image.tar'));
  const p = await input('half.tar', demo.subarray(0, Math.floor(demo.length / 2)));
  await expectError([p], /truncated or corrupt/, 'truncated');
});

test('corrupt gzip layer', async () => {
  const good = await makeTar([file('x', 5000)]);
  const gz = execFileSync('gzip', ['-c'], { input: good });
  const broken = Buffer.concat([gz.subarray(0, 20), Buffer.alloc(200, 0x55), gz.subarray(220)]);
  const p = await input('corrupt-gzip.tar', await dockerArchiveLegacy({ layers: [{ raw: broken }] }));
  await expectError([p], /truncated or corrupt .*layer/, 'corrupt gzip');
});

test('xz-compressed layer: unknown compression', async () => {
  const xz = execFileSync('xz', ['-c'], { input: await makeTar([file('x', 100)]) });
  const p = await input('xz-layer.tar', await dockerArchiveLegacy({ layers: [goodLayers[0]!, { raw: xz }] }));
  await expectError([p], /xz compression, which slimtui does not read/, 'xz layer');
});

test('a manifest pointing at a missing blob (OCI archive and docker-archive)', async () => {
  const spec = { layers: goodLayers, compression: 'gzip' as const };
  const parts = await buildImageParts(spec);
  const missing = sha256(parts.blobs[1]!);
  const p = await input('missing-blob.tar', await ociArchive(spec, { omit: [missing] }));
  await expectError(
    ['oci-archive:' + p],
    new RegExp(`points at (blobs/)?sha256[:/]${missing}.*not in the archive`),
    'oci missing blob',
  );
  // docker-archive whose manifest.json names a layer that is not there
  const manifest = JSON.stringify([{ Config: 'cfg.json', RepoTags: ['x:y'], Layers: ['abc/layer.tar'] }]);
  const q = await input('missing-layer.tar', await plainTar({ 'cfg.json': parts.config, 'manifest.json': manifest }));
  await expectError([q], /points at abc\/layer\.tar/, 'docker-archive missing layer');
});

test('a tar that is not an image', async () => {
  const p = await input('not-image.tar', await plainTar({ 'hello.txt': 'hello\n', 'dir/readme.md': '# hi\n' }));
  await expectError([p], /is not a container image/, 'non-image tar');
});

test('a file that is not a tar at all', async () => {
  const p = await input('text.tar', Buffer.from('this is not a tar archive, just text\n'.repeat(40)));
  await expectError([p], /truncated or corrupt|not a container image/, 'text file');
});

test('bad --platform and unknown flags are usage errors', async () => {
  const p = await input('good.tar', await dockerArchiveLegacy({ layers: goodLayers }));
  await expectError([p, '--platform', 'linux'], /--platform must look like os\/arch/, 'bad platform');
  await expectError([p, '--platform', 'linux/'], /--platform must look like os\/arch/, 'bad platform 2');
  await expectError([p, '--frobnicate'], /frobnicate.*see slimtui --help/, 'unknown flag');
  await expectError([p, '--source', 'ftp'], /--source must be one of/, 'bad source');
  await expectError([p, 'second-image'], /expected one image/, 'two images');
  await expectError(
    [p, '--platform', 'linux/s390x'],
    /no image for platform linux\/s390x/,
    'platform not in the image',
  );
});

test('daemon unreachable: names the socket and suggests docker save', async () => {
  await expectError(
    ['some/image:1.0'],
    /\/nonexistent\.sock.*docker save -o img\.tar some\/image:1\.0 && slimtui img\.tar/,
    'unreachable',
    {
      DOCKER_HOST: 'unix:///nonexistent.sock',
    },
  );
});

test('--source podman against a socket that does not exist', async () => {
  const runtime = await mkdtemp(join(work, 'xdg-'));
  await expectError(
    ['--source', 'podman', 'some/image'],
    /cannot reach the podman daemon at \/.*podman\.sock/,
    'podman',
    {
      CONTAINER_HOST: `unix://${join(work, 'no-podman.sock')}`,
      XDG_RUNTIME_DIR: runtime,
    },
  );
  await expectError(['podman://some/image'], /podman/, 'podman://', {
    CONTAINER_HOST: `unix://${join(work, 'no-podman.sock')}`,
    XDG_RUNTIME_DIR: runtime,
  });
});

test('image not found in the daemon', async () => {
  const d = await getTestDaemon();
  await expectError(
    ['slimtui-test/no-such-image:nope'],
    /image not found in docker: slimtui-test\/no-such-image:nope/,
    'not found',
    { DOCKER_HOST: d.dockerHost },
  );
});

function haveSetpriv(): boolean {
  try {
    execFileSync('setpriv', ['--version'], { stdio: 'ignore' });
    return process.getuid?.() === 0;
  } catch {
    return false;
  }
}

test('permission denied on the socket', async () => {
  // The mapping itself (always checked).
  const m = engineError(
    Object.assign(new Error('connect EACCES /x.sock'), { code: 'EACCES' }),
    'docker',
    'unix:///x.sock',
    'img',
  );
  assert.equal(m.exitCode, 2);
  assert.match(
    m.message,
    /^permission denied on unix:\/\/\/x\.sock: .*docker save -o img\.tar IMAGE && slimtui img\.tar/,
  );
  if (!haveSetpriv()) {
    assert.ok(process.getuid?.() !== 0, 'running as root, setpriv must be available');
    return; // non-root without setpriv: the mapping above is what can be tested
  }
  // The real thing: a socket with mode 000, and the CLI run as nobody.
  const sockDir = await mkdtemp(join(work, 'sock-'));
  chmodSync(sockDir, 0o755);
  const sock = join(sockDir, 'docker.sock');
  const server: Server = createServer((c) => c.destroy());
  await new Promise<void>((res) => server.listen(sock, res));
  try {
    chmodSync(sock, 0o000);
    assert.ok(existsSync(sock));
    const cwd = await freshCwd();
    const r = await runCli(['some/image'], {
      cwd,
      env: { DOCKER_HOST: `unix://${sock}`, HOME: cwd },
      wrap: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'],
    });
    assertOneLineError(r, new RegExp(`permission denied on unix://${sock.replace(/[.]/g, '\\.')}`), 'EACCES socket');
    assert.deepEqual(await readdir(cwd), []);
  } finally {
    await new Promise<void>((res) => server.close(() => res()));
  }
});

test('an output file that cannot be written: --json FILE and --export FILE into a missing directory', async () => {
  await expectError(
    ['--json', join(work, 'no-such-dir', 'out.json')],
    /cannot write .*no-such-dir\/out\.json: no such directory/,
    '--json into a missing dir',
  );
  await expectError(
    ['--export', join(work, 'no-such-dir', 'fixes.md')],
    /cannot write .*no-such-dir\/fixes\.md: no such directory/,
    '--export into a missing dir',
  );
});
