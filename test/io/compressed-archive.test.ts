// `docker save IMAGE | gzip > img.tar.gz` (and zstd): the outer archive itself compressed. It must give the same
// image as the plain archive, the preview must read from it, standard input (`-`) must work, and a file that is
// not a tar at all must say so in one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, execSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/model/analysis.js';
import { loadSpec, openSpec } from '../helpers/load.js';

const DEMO = join(process.cwd(), 'demo/demo-image.tar');

test('gzip- and zstd-compressed docker-save archives read like the plain one; preview reads from them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slimtui-gz-'));
  try {
    const gz = join(dir, 'demo.tar.gz');
    const zst = join(dir, 'demo.tar.zst');
    execSync(`gzip -6 -c ${DEMO} > ${gz}`);
    execFileSync('zstd', ['-q', '-3', DEMO, '-o', zst]);
    const plain = analyze(await loadSpec({ kind: 'docker-archive', location: DEMO }));
    for (const file of [gz, zst]) {
      const a = analyze(await loadSpec({ kind: 'docker-archive', location: file }));
      assert.deepEqual(
        a.image.layers.map((l) => [l.size, l.tarSize, l.entries.length]),
        plain.image.layers.map((l) => [l.size, l.tarSize, l.entries.length]),
        file,
      );
      assert.equal(a.reclaimable.totalBytes, plain.reclaimable.totalBytes);
      assert.equal(a.dive.wastedBytes, plain.dive.wastedBytes);
      const spec = { kind: 'docker-archive' as const, location: file };
      const want = execSync(
        `tar -xOf ${DEMO} 5beab162fd056e4c89858d3502d018ebe0a0143565483219f4291f1ca1125e06/layer.tar | tar -xO app/data/README.txt`,
      );
      assert.deepEqual(Buffer.from(await (await openSpec(spec)).preview!.read(2, 'app/data/README.txt')), want);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('standard input: `slimtui - --json` reads the archive from stdin', () => {
  const r = spawnSync(process.execPath, ['bin/slimtui', '-', '--json'], {
    input: readFileSync(DEMO),
    env: { ...process.env, CI: '' },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { image: { repoTags: string[] }; metrics: { reclaimableBytes: number } };
  assert.deepEqual(doc.image.repoTags, ['slimtui/demo:latest']);
  // demo/README.md: 684,285 reclaimable bytes.
  assert.equal(doc.metrics.reclaimableBytes, 684285);
});

test('a text file is not an image archive: one line, exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slimtui-txt-'));
  try {
    const f = join(dir, 'notes.txt');
    execSync(`echo hello > ${f}`);
    const r = spawnSync(process.execPath, ['bin/slimtui', f, '--json'], {
      env: { ...process.env, CI: '' },
      encoding: 'utf8',
    });
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^slimtui: .*notes\.txt is not a container image archive: not a tar/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
