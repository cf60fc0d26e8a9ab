// A small image with known waste, built on the test daemon (DOCKER_BUILDKIT=0) from slimtui-test/busybox,
// read three ways — (a) through dockerode with DOCKER_HOST, (b) as a `docker save` archive, (c) as an OCI
// archive made by `skopeo copy docker-archive:… oci-archive:…` — which must agree; and cross-checked against
// `docker image inspect`, `docker history` and `tar` listings of the saved layers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/model/analysis.js';
import { changeAt, entryAt } from '../../src/model/file-tree.js';
import type { Image } from '../../src/model/image.js';
import { getTestDaemon, type TestDaemon } from '../helpers/docker-daemon.js';
import { BUSYBOX_IMAGE, ensureBaseImages } from '../helpers/base-images.js';
import { buildImage, saveImage } from '../helpers/build-image.js';
import { loadSpec, openSpec } from '../helpers/load.js';
import type { LoadedImage } from '../../src/io/load-image.js';

const TAG = 'slimtui-test/engine-waste:latest';
const BIG = 2 * 1024 * 1024; // 2 MiB

const DOCKERFILE = [
  `FROM ${BUSYBOX_IMAGE}`,
  'COPY big.bin /data/big.bin', // layer 1: 2,097,152 bytes
  'RUN rm /data/big.bin', // layer 2: whiteout
  'COPY tool.sh /opt/tool.sh', // layer 3: 20 bytes, mode 0644
  'RUN chmod 755 /opt/tool.sh', // layer 4: the same 20 bytes again
  'COPY app.conf /etc/app.conf', // layer 5: 13 bytes
  'ENV APP=1',
  'RUN echo replaced-content > /etc/app.conf', // layer 6: 17 bytes
  'RUN mkdir -p /var/junk/sub && echo aaaa > /var/junk/a && echo bbbbbbbb > /var/junk/sub/b', // layer 7: 5 + 9 bytes
  'RUN rm -rf /var/junk', // layer 8: whiteout of a directory
  'CMD ["/bin/sh"]',
  '',
].join('\n');

let d: TestDaemon;
let work: string;
let viaDaemon: Image;
let daemonLoaded: LoadedImage;
let bigBytes: Buffer;
let viaSave: Image;
let viaOci: Image | undefined;
let ociProblem: string | undefined;
let savePath: string;

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
}

before(async () => {
  d = await getTestDaemon();
  await ensureBaseImages(d);
  work = await mkdtemp(join(tmpdir(), 'slimtui-engine-'));
  const big = Buffer.alloc(BIG);
  for (let i = 0; i < BIG; i++) big[i] = (i * 7919) & 0xff;
  bigBytes = big;
  await buildImage(
    d,
    TAG,
    {
      'big.bin': big,
      'tool.sh': { from: await writeTmp('tool.sh', '#!/bin/sh\necho tool\n', 0o644), mode: 0o644 },
      'app.conf': 'original=yes\n',
    },
    DOCKERFILE,
  );

  const old = process.env['DOCKER_HOST'];
  process.env['DOCKER_HOST'] = d.dockerHost;
  try {
    daemonLoaded = await openSpec({ kind: 'docker', location: TAG });
    viaDaemon = daemonLoaded.image;
  } finally {
    if (old === undefined) delete process.env['DOCKER_HOST'];
    else process.env['DOCKER_HOST'] = old;
  }
  savePath = join(work, 'saved.tar');
  await saveImage(d, TAG, savePath);
  viaSave = await loadSpec({ kind: 'docker-archive', location: savePath });
  const ociPath = join(work, 'image.oci.tar');
  try {
    execFileSync('skopeo', ['copy', '--quiet', `docker-archive:${savePath}`, `oci-archive:${ociPath}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    viaOci = await loadSpec({ kind: 'oci-archive', location: ociPath });
  } catch (e) {
    ociProblem = (e as { stderr?: Buffer }).stderr?.toString() || (e as Error).message;
  }
});

async function writeTmp(name: string, content: string, mode: number): Promise<string> {
  const { writeFile, chmod } = await import('node:fs/promises');
  // Inside the test's own temp dir, which `after` removes.
  const p = join(work, name);
  await writeFile(p, content);
  await chmod(p, mode);
  return p;
}

after(async () => {
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

test('daemon, docker-archive and OCI archive give the same layers, paths, sizes and metrics', () => {
  assert.deepEqual(shape(viaDaemon), shape(viaSave));
  assert.equal(viaDaemon.source, 'docker');
  assert.deepEqual(viaDaemon.repoTags, [TAG]);
  assert.ok(viaOci, `skopeo could not convert the docker-archive offline: ${ociProblem}`);
  assert.deepEqual(shape(viaOci), shape(viaSave));
});

test('the known waste is found (hand-computed)', () => {
  const img = viaSave;
  assert.equal(img.layers.length, 9); // base + 8 layer-making steps
  const a = analyze(img);
  const s = img.layers.map((l) => l.size);
  assert.equal(s[1], BIG); // COPY big.bin
  assert.equal(s[2], 0); // RUN rm: whiteout only
  assert.equal(s[3], 20); // "#!/bin/sh\necho tool\n" = 10 + 10
  assert.equal(s[4], 20); // chmod copy
  assert.equal(s[5], 13); // "original=yes\n"
  assert.equal(s[6], 17); // "replaced-content\n"
  assert.equal(s[7], 14); // "aaaa\n" 5 + "bbbbbbbb\n" 9
  assert.equal(s[8], 0);
  const ineff = new Map(a.dive.inefficientPaths.map((p) => [p.path, p]));
  assert.equal(ineff.get('data/big.bin')?.bytes, BIG); // BIG + 0 (whiteout of a file)
  assert.equal(ineff.get('opt/tool.sh')?.bytes, 40); // 20 + 20
  assert.equal(ineff.get('etc/app.conf')?.bytes, 30); // 13 + 17
  assert.equal(ineff.has('var/junk'), false); // one occurrence (the directory whiteout)
  // reclaimable: big.bin + tool.sh (first copy) + app.conf (first) + junk files
  assert.equal(a.reclaimable.perLayer[1], BIG);
  assert.equal(a.reclaimable.perLayer[3], 20);
  assert.equal(a.reclaimable.perLayer[5], 13);
  assert.equal(a.reclaimable.perLayer[7], 14);
  assert.equal(a.reclaimable.totalBytes, BIG + 20 + 13 + 14);
  const n = (p: string) => a.tree.byPath.get(p)!;
  assert.equal(changeAt(n('data/big.bin'), 2), 'removed');
  assert.equal(changeAt(n('opt/tool.sh'), 4), 'modified');
  assert.equal(entryAt(n('opt/tool.sh'), 8)!.mode & 0o777, 0o755);
  assert.equal(changeAt(n('etc/app.conf'), 6), 'modified');
  assert.equal(changeAt(n('var/junk/sub/b'), 8), 'removed');
});

test('cross-check with docker image inspect and docker history', async () => {
  const inspect = JSON.parse((await d.docker(['image', 'inspect', TAG])).stdout) as {
    Id: string;
    RootFS: { Layers: string[] };
    Config: { Env: string[]; Cmd: string[] };
  }[];
  const i = inspect[0]!;
  assert.deepEqual(
    viaDaemon.layers.map((l) => l.diffId),
    i.RootFS.Layers,
  );
  assert.equal(viaDaemon.digest, i.Id);
  assert.deepEqual(viaDaemon.config.env, i.Config.Env);
  assert.deepEqual(viaDaemon.config.cmd, i.Config.Cmd);
  // docker history: newest first, one row per history entry (empty layers included)
  // (the imported base has an empty CreatedBy; the CLI trims trailing blanks)
  const rows = (await d.docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', TAG])).stdout
    .replace(/\n$/, '')
    .split('\n')
    .reverse();
  assert.deepEqual(
    viaDaemon.history.map((h) => (h.createdBy ?? '').trim()),
    rows.map((r) => r.trim()),
  );
  const cmds = viaDaemon.layers.map((l) => l.history?.createdBy ?? '');
  assert.match(cmds[1]!, /COPY file:\S+ in \/data\/big\.bin/);
  assert.match(cmds[2]!, /rm \/data\/big\.bin/);
  assert.match(cmds[6]!, /echo replaced-content/); // the ENV before it is an empty layer
  assert.match(cmds[8]!, /rm -rf \/var\/junk/);
});

test('cross-check layer sizes and entries with tar listings of the saved layers', () => {
  const manifest = JSON.parse(sh('tar', ['-xOf', savePath, 'manifest.json'])) as { Layers: string[] }[];
  const layers = manifest[0]!.Layers;
  assert.equal(layers.length, viaSave.layers.length);
  layers.forEach((name, i) => {
    const listing = execFileSync('sh', ['-c', 'tar -xOf "$1" "$2" | tar -tvf -', 'sh', savePath, name], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    })
      .trim()
      .split('\n')
      .filter((l) => l !== '');
    let size = 0;
    for (const line of listing) {
      const m = /^(\S)\S*\s+\S+\s+(\d+)\s/.exec(line);
      assert.ok(m, line);
      if (m[1] !== 'h') size += Number(m[2]);
    }
    assert.equal(viaSave.layers[i]!.size, size, `layer ${i}`);
    assert.equal(viaSave.layers[i]!.entries.length, listing.length, `layer ${i} entries`);
  });
});

test('the engine source re-reads from the same client after DOCKER_HOST is gone: preview heads and whole files', async () => {
  // DOCKER_HOST was restored after loading: the loaded image kept its source (client included), nothing reopens.
  const preview = daemonLoaded.preview!;
  assert.equal(Buffer.from(await preview.read(3, 'opt/tool.sh')).toString('utf8'), '#!/bin/sh\necho tool\n');
  assert.equal((await preview.read(1, 'data/big.bin')).length, 64 * 1024);
  await assert.rejects(preview.read(2, 'data/big.bin'), /not a regular file in layer 2/);
  const set = await daemonLoaded.readFiles!([
    { layer: 1, path: 'data/big.bin' },
    { layer: 6, path: 'etc/app.conf' },
    { layer: 5, path: 'nope' },
  ]);
  try {
    const big = set.get(1, 'data/big.bin')!;
    assert.ok(Buffer.from(big.read(0, big.size)).equals(bigBytes));
    const conf = set.get(6, 'etc/app.conf')!;
    assert.equal(Buffer.from(conf.read(0, conf.size)).toString('utf8'), 'replaced-content\n');
    assert.deepEqual(set.missing, [{ layer: 5, path: 'nope' }]);
  } finally {
    set.close();
  }
});
