// Smoke test of the Docker test infrastructure: the private daemon starts, the local base images
// exist, a legacy build with a RUN step works, `docker run` works, `docker save` writes an archive,
// and the musl/glibc base images really run dynamically linked binaries built on the host.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTestDaemon, type TestDaemon } from '../helpers/docker-daemon.js';
import { BUSYBOX_IMAGE, GLIBC_IMAGE, MUSL_IMAGE, ensureBaseImages } from '../helpers/base-images.js';
import { buildImage, saveImage } from '../helpers/build-image.js';

let d: TestDaemon;
let work: string;

before(async () => {
  d = await getTestDaemon();
  await ensureBaseImages(d);
  work = await mkdtemp(join(tmpdir(), 'slimtui-smoke-'));
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  if (d) await d.stop();
});

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('docker run works on the busybox base image without a network', async () => {
  const { stdout } = await d.docker(['run', '--rm', '--network', 'none', BUSYBOX_IMAGE, '/bin/sh', '-c', 'echo ok']);
  assert.equal(stdout, 'ok\n');
});

test('the busybox base image has its documented layout', async () => {
  const { stdout } = await d.docker([
    'run',
    '--rm',
    '--network',
    'none',
    BUSYBOX_IMAGE,
    '/bin/sh',
    '-c',
    'stat -c "%a %U" /tmp; readlink /bin/ls; head -n 1 /etc/passwd; test -e /lib && echo has-lib || echo no-lib',
  ]);
  assert.equal(stdout, '1777 root\nbusybox\nroot:x:0:0:root:/root:/bin/sh\nno-lib\n');
});

test('a legacy build with a RUN step, then run and save the image', async () => {
  const tag = 'slimtui-test/smoke:latest';
  await buildImage(
    d,
    tag,
    { 'greeting.txt': 'hello from the context\n' },
    [
      `FROM ${BUSYBOX_IMAGE}`,
      'COPY greeting.txt /greeting.txt',
      'RUN echo "built by RUN" > /built.txt && cat /greeting.txt >> /built.txt',
      'CMD ["/bin/cat", "/built.txt"]',
      '',
    ].join('\n'),
  );
  const { stdout } = await d.docker(['run', '--rm', '--network', 'none', tag]);
  assert.equal(stdout, 'built by RUN\nhello from the context\n');

  const out = join(work, 'smoke.tar');
  await saveImage(d, tag, out);
  assert.ok((await stat(out)).size > 0);
  const names = sh('tar', ['-tf', out]).split('\n');
  assert.ok(names.includes('manifest.json'), `manifest.json not in ${names.join(', ')}`);
  const manifest = JSON.parse(sh('tar', ['-xOf', out, 'manifest.json'])) as Array<{
    RepoTags: string[];
    Layers: string[];
  }>;
  assert.equal(manifest.length, 1);
  assert.deepEqual(manifest[0]?.RepoTags, [tag]);
  // busybox layer + COPY layer + RUN layer, each one listed in the archive
  assert.equal(manifest[0]?.Layers.length, 3);
  for (const layer of manifest[0]?.Layers ?? []) assert.ok(names.includes(layer), `${layer} not in the archive`);
  await d.docker(['image', 'rm', tag]);
});

test('the musl base image runs a musl-gcc binary; busybox alone cannot', async () => {
  const src = join(work, 'hello-musl.c');
  const bin = join(work, 'hello-musl');
  sh('sh', ['-c', `printf '#include <stdio.h>\\nint main(void){puts("musl ok");return 0;}\\n' > ${src}`]);
  sh('musl-gcc', ['-O2', '-o', bin, src]);
  assert.match(sh('readelf', ['-l', bin]), /Requesting program interpreter: \/lib\/ld-musl-x86_64\.so\.1/);
  const tag = 'slimtui-test/smoke-musl:latest';
  await buildImage(
    d,
    tag,
    { hello: { from: bin } },
    `FROM ${MUSL_IMAGE}\nCOPY hello /hello\nRUN /hello > /ran-at-build\n`,
  );
  const { stdout } = await d.docker([
    'run',
    '--rm',
    '--network',
    'none',
    tag,
    '/bin/sh',
    '-c',
    '/hello; cat /ran-at-build',
  ]);
  assert.equal(stdout, 'musl ok\nmusl ok\n');

  const noLoader = 'slimtui-test/smoke-musl-noloader:latest';
  await buildImage(d, noLoader, { hello: { from: bin } }, `FROM ${BUSYBOX_IMAGE}\nCOPY hello /hello\n`);
  await assert.rejects(d.docker(['run', '--rm', '--network', 'none', noLoader, '/hello']));
  await d.docker(['image', 'rm', tag, noLoader]);
});

test('the glibc base image runs a g++ binary using libstdc++ and libm', async () => {
  const src = join(work, 'hello-gnu.cc');
  const bin = join(work, 'hello-gnu');
  sh('sh', [
    '-c',
    `printf '#include <iostream>\\n#include <cmath>\\n#include <cstdlib>\\nint main(int c,char**){std::cout<<"glibc ok "<<std::sqrt(double(c+15))<<std::endl;return 0;}\\n' > ${src}`,
  ]);
  sh('g++', ['-O2', '-o', bin, src]);
  const needed = sh('readelf', ['-d', bin]);
  assert.match(needed, /NEEDED.*\[libstdc\+\+\.so\.6\]/);
  assert.match(needed, /NEEDED.*\[libc\.so\.6\]/);
  const tag = 'slimtui-test/smoke-glibc:latest';
  await buildImage(d, tag, { hello: { from: bin } }, `FROM ${GLIBC_IMAGE}\nCOPY hello /usr/local/bin/hello\n`);
  const { stdout } = await d.docker(['run', '--rm', '--network', 'none', tag, 'hello']);
  assert.equal(stdout, 'glibc ok 4\n'); // sqrt(1 + 15)
  await d.docker(['image', 'rm', tag]);
});
