import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../src/model/analysis.js';
import { buildPlan, projectPlan, ratioPredictors } from '../../../src/model/plan/index.js';
import { sampleImage } from './sample.js';
import { handImage } from './hand-image.js';
import { spawnSync } from 'node:child_process';

const pad = (n: number): number => Math.ceil(n / 512) * 512;

test('remove a class, keep the final filesystem only, strip all: sizes per layer and per action', () => {
  const a = analyze(sampleImage());
  const plan = buildPlan(a, [
    { kind: 'remove-class', class: 'apt-lists' },
    { kind: 'final-only' },
    { kind: 'strip', target: 'all' },
  ]);
  const p = projectPlan(a, plan, ratioPredictors(a.image));
  const [apt, fin, strip] = p.actions;
  // apt lists: 4000 + 1000 bytes of data; in the tar: the dir header 512, l1 512+4096, l2 512+1024.
  assert.equal(apt!.size, 5000);
  assert.equal(apt!.tarSize, 512 + 512 + 4096 + 512 + 1024);
  // final-only: big.bin (layer 1, 20000) + its whiteout (layer 2) + the pre-chmod app/data (layer 3, 600).
  assert.equal(fin!.size, 20600);
  assert.equal(fin!.tarSize, 512 + pad(20000) + 512 + 512 + pad(600));
  // strip: usr/bin/app 10000 − .symtab/.strtab 2000 − debug 1000.
  assert.equal(strip!.size, 3000);
  assert.equal(strip!.tarSize, pad(10000) - pad(7000));
  assert.equal(p.total.before.size - p.total.after.size, 28600);
  // Compressed (ratio default): layer 1 is gz 9000 over its tar; everything removed from it scales by that ratio.
  const t1 = a.image.layers[1]!.tarSize;
  const removed1 = 512 + 512 + 4096 + 512 + 1024 + 512 + pad(20000) + (pad(10000) - pad(7000));
  assert.equal(p.layers[1]!.after.compressed, Math.round(9000 - (9000 / t1) * removed1));
  // The per-action compressed savings add up to the total.
  const sumActions = p.actions.reduce((s, x) => s + x.compressed, 0);
  assert.equal(sumActions, p.total.before.compressed - p.total.after.compressed);
  assert.equal(p.layers[1]!.compressedBasis, 'blob');
  // The final filesystem loses the apt lists and the strip saving; big.bin was not in it.
  assert.equal(p.finalFs.before - p.finalFs.after, 5000 + 3000);
  assert.deepEqual(p.warnings, []);
});

test('a removed path is never added: every layer that stored it shrinks', () => {
  const a = analyze(sampleImage());
  const p = projectPlan(a, buildPlan(a, [{ kind: 'remove-path', path: '/app/data' }]));
  assert.equal(p.layers[3]!.before.size - p.layers[3]!.after.size, 600);
  assert.equal(p.layers[4]!.before.size - p.layers[4]!.after.size, 600);
  assert.equal(p.layers[4]!.after.size, 0);
});

test('overlapping actions count each entry once, in order', () => {
  const a = analyze(sampleImage());
  const p = projectPlan(
    a,
    buildPlan(a, [
      { kind: 'remove-glob', glob: '/var/lib/apt/**' },
      { kind: 'remove-class', class: 'apt-lists' },
    ]),
  );
  assert.equal(p.actions[0]!.size, 5000);
  assert.equal(p.actions[1]!.size, 0);
});

test('UPX: refusals are reported, not savings; the packed file barely compresses', () => {
  const a = analyze(sampleImage());
  const predictors = { ...ratioPredictors(a.image), upx: () => ({ size: 4000, gzipSize: 3900 }) };
  const p = projectPlan(a, buildPlan(a, [{ kind: 'upx', target: '/usr/bin/app' }]), predictors);
  assert.equal(p.actions[0]!.size, 6000);
  const t1 = a.image.layers[1]!.tarSize;
  // The whole 10000-byte file (padded 10240) leaves the compressed stream and 3900 packed bytes come in.
  assert.equal(p.actions[0]!.compressed, 9000 - (Math.round(9000 - (9000 / t1) * 10240) + 3900));
  const refused = projectPlan(a, buildPlan(a, [{ kind: 'upx', target: '/lib/x86_64-linux-gnu/libc.so.6' }]));
  assert.equal(refused.actions[0]!.size, 0);
  assert.match(refused.actions[0]!.refusals[0]!.reason, /shared library/);
});

test('zstd codec: a gzip-stored layer is estimated from its gzip size, within 5 % of real zstd -3 on a text-heavy distro layer', () => {
  // Independent of ZSTD_PER_GZIP: a real layer tar (40 MB of /usr/share/doc), sized by GNU gzip -6 and zstd -3.
  const tar = spawnSync('sh', ['-c', 'tar cf - -C / usr/share/doc 2>/dev/null | head -c 40000000'], {
    maxBuffer: 1 << 27,
  }).stdout;
  assert.ok(tar.length > 10_000_000, 'a tar of /usr/share/doc');
  const gz = spawnSync('gzip', ['-6', '-n', '-c'], { input: tar, maxBuffer: 1 << 27 });
  const zs = spawnSync('zstd', ['-3', '-q', '-c'], { input: tar, maxBuffer: 1 << 27 });
  assert.equal(gz.status, 0, 'gzip');
  assert.equal(zs.status, 0, 'zstd');
  const a = analyze(
    handImage([
      {
        cmd: '/bin/sh -c #(nop) ADD file:0123abcd in / ',
        gz: gz.stdout.length,
        entries: [{ path: 'doc', size: tar.length }],
      },
    ]),
  );
  const p = projectPlan(a, buildPlan(a, []), ratioPredictors(a.image), { codec: 'zstd' });
  const err = (p.layers[0]!.before.compressed - zs.stdout.length) / zs.stdout.length;
  assert.ok(
    Math.abs(err) <= 0.05,
    `projected ${p.layers[0]!.before.compressed}, zstd -3 ${zs.stdout.length} (${(err * 100).toFixed(1)} %)`,
  );
  assert.equal(p.layers[0]!.compressedBasis, 'estimate');
});
