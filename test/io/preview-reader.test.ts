import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { join } from 'node:path';
import { openSpec } from '../helpers/load.js';
import { sharedPath } from '../helpers/shared.js';

const DEMO = join(process.cwd(), 'demo/demo-image.tar');

test('preview reader: re-reads a file from the legacy docker-save demo archive, capped at 64 KB', async () => {
  const spec = { kind: 'docker-archive' as const, location: DEMO };
  const src = (await openSpec(spec)).preview!;
  // Expected bytes straight from tar(1): layer 2 is 5beab162…/layer.tar (demo/README.md).
  const layer2 = '5beab162fd056e4c89858d3502d018ebe0a0143565483219f4291f1ca1125e06/layer.tar';
  const want = execSync(`tar -xOf ${DEMO} ${layer2} | tar -xO app/data/README.txt`);
  assert.deepEqual(Buffer.from(await src.read(2, 'app/data/README.txt')), want);
  const busybox = await src.read(0, 'bin/busybox');
  assert.equal(busybox.length, 64 * 1024);
  assert.equal(Buffer.from(busybox.subarray(0, 4)).toString('hex'), '7f454c46');
  await assert.rejects(src.read(3, 'app/data/README.txt'), /not a regular file in layer 3/);
});

test('preview reader: an OCI archive with zstd layers (blob named by digest)', async () => {
  const spec = {
    kind: 'docker-archive' as const,
    location: sharedPath('fixtures/third-party-dive/test-oci-zstd-image.tar'),
  };
  const src = (await openSpec(spec)).preview!;
  const text = Buffer.from(await src.read(0, 'README.md')).toString('utf8');
  assert.match(text, /^# dive/);
});
