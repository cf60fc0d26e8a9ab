// `slimtui --json` with no image analyses the bundled demo; demo/README.md lists numbers computed independently
// (from tar -tvf listings, by hand). These are asserted here.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, ROOT } from '../helpers/cli.js';

interface Report {
  schemaVersion: number;
  image: {
    repoTags: string[];
    os: string;
    architecture: string;
    layerCount: number;
    sizeBytes: number;
    config: {
      user: string;
      workdir: string;
      entrypoint: string[];
      cmd: string[];
      env: string[];
      exposedPorts: string[];
      labels: Record<string, string>;
    };
  };
  layers: {
    sizeBytes: number;
    tarBytes: number;
    entryCount: number;
    diffId: string;
    command: string;
    reclaimableBytes: number;
    compression: string;
  }[];
  history: unknown[];
  metrics: {
    imageSizeBytes: number;
    userSizeBytes: number;
    reclaimableBytes: number;
    dive: { efficiency: number; wastedBytes: number; wastedUserPercent: number };
  };
  inefficientPaths: { path: string; occurrences: number; bytes: number; layers: number[] }[];
  reclaimable: { path: string; layer: number; bytes: number; reason: string }[];
}

let j: Report;
before(async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'slimtui-demo-'));
  try {
    const r = await runCli(['--json'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    j = JSON.parse(r.stdout) as Report;
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});

test('demo archive: 3,614,720 bytes', async () => {
  assert.equal((await stat(join(ROOT, 'demo', 'demo-image.tar'))).size, 3_614_720);
});

test('demo: image, config and history', () => {
  assert.equal(j.schemaVersion, 1);
  assert.deepEqual(j.image.repoTags, ['slimtui/demo:latest']);
  assert.equal(j.image.os, 'linux');
  assert.equal(j.image.architecture, 'amd64');
  assert.equal(j.image.config.user, 'app');
  assert.equal(j.image.config.workdir, '/app');
  assert.deepEqual(j.image.config.entrypoint, ['/app/entrypoint.sh']);
  assert.deepEqual(j.image.config.cmd, ['demo-app', '--serve']);
  assert.deepEqual(j.image.config.env, [
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'APP_ENV=production',
  ]);
  assert.deepEqual(j.image.config.exposedPorts, ['8080/tcp']);
  assert.equal(Object.keys(j.image.config.labels).filter((k) => k.startsWith('org.opencontainers.image.')).length, 4);
  assert.equal(j.history.length, 13);
  assert.equal(j.image.layerCount, 5);
  // commands line up: layer 0 ADD, 1-4 buildkit RUN/COPY/RUN/RUN
  assert.match(j.layers[0]!.command, /^\/bin\/sh -c #\(nop\) ADD file:/);
  assert.match(j.layers[1]!.command, /apk add/);
  assert.match(j.layers[2]!.command, /^COPY build\/rootfs\/ \//);
  assert.match(j.layers[3]!.command, /rm /);
  assert.match(j.layers[4]!.command, /mkdir/);
});

test('demo: layers (tar bytes, entries, sizes, diff ids)', () => {
  assert.deepEqual(
    j.layers.map((l) => l.tarBytes),
    [2_725_888, 155_136, 670_208, 7_680, 32_256],
  );
  assert.deepEqual(
    j.layers.map((l) => l.entryCount),
    [55, 49, 14, 10, 12],
  );
  assert.deepEqual(
    j.layers.map((l) => l.sizeBytes),
    [2_693_406, 116_744, 659_667, 284, 24_732],
  );
  assert.deepEqual(
    j.layers.map((l) => l.compression),
    ['none', 'none', 'none', 'none', 'none'],
  );
  assert.deepEqual(
    j.layers.map((l) => l.diffId),
    [
      'sha256:1633d238f40afd00826323bc3e3690ad85f8cce9c636d90e093dd2cc697c673c',
      'sha256:cd2a1f2079d3eef5763b41409c3d38e96a0d2ae940b705f67200b658710764e9',
      'sha256:ed02892b1c4826587437fdc434985443a0d5216c86ba445a88ebb0eee0e6f3ae',
      'sha256:2c53660df894841ea0025fdcb7c6f522bc830cf03b8341844b9ef4f2383f13be',
      'sha256:db8082782e5b833ade48edf6b1f3f310125dec8b87b8aac6cbc4a8f0ccf3644e',
    ],
  );
  assert.equal(j.image.sizeBytes, 3_494_833);
  assert.equal(j.metrics.imageSizeBytes, 3_494_833);
  assert.equal(j.metrics.userSizeBytes, 801_427);
});

test('demo: reclaimable bytes (684,285: 944 + 65,094 + 618,247)', () => {
  assert.equal(j.metrics.reclaimableBytes, 684_285);
  assert.deepEqual(
    j.layers.map((l) => l.reclaimableBytes),
    [944, 65_094, 618_247, 0, 0],
  );
  const at = (p: string) => j.reclaimable.find((r) => r.path === p);
  assert.deepEqual([at('/app/data/big.bin')?.bytes, at('/app/data/big.bin')?.reason], [614_400, 'deleted']);
  assert.equal(at('/app/plugins/legacy-auth.lua')?.reason, 'hidden');
  assert.equal(at('/app/plugins/metrics.lua')?.bytes, 1_324);
  assert.equal(at('/app/entrypoint.sh')?.bytes, 133);
  assert.equal(j.reclaimable.filter((r) => r.layer === 1 && r.path.startsWith('/usr/include/')).length, 21);
});

test('demo: dive figures (wasted 619,025, efficiency 2,942,119 / 3,559,927)', () => {
  assert.equal(j.metrics.dive.wastedBytes, 619_025);
  assert.equal(j.metrics.dive.wastedUserPercent, 619_025 / 801_427);
  assert.equal(j.metrics.dive.efficiency, 2_942_119 / 3_559_927);
  const list = j.inefficientPaths.map((p) => [p.path, p.occurrences, p.bytes, p.layers]);
  assert.deepEqual(list, [
    ['/app/data/big.bin', 2, 614_400, [2, 3]], // 614,400 + 0
    ['/lib/apk/db/installed', 2, 3_477, [0, 1]], // 686 + 2,791
    ['/etc/passwd', 2, 343, [0, 1]], // 147 + 196
    ['/app/config.yaml', 2, 283, [2, 3]], // 140 + 143
    ['/app/entrypoint.sh', 2, 266, [2, 3]], // 133 + 133
    ['/etc/group', 2, 208, [0, 1]], // 98 + 110
    ['/etc/apk/world', 2, 48, [0, 1]], // 13 + 35
  ]);
  // 614,400 + 3,477 + 343 + 283 + 266 + 208 + 48 = 619,025
  assert.equal(
    list.reduce((s, p) => s + (p[2] as number), 0),
    619_025,
  );
});
