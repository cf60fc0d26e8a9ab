import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../src/model/analysis.js';
import { buildPlan, checkSafety, recommendedPlan } from '../../../src/model/plan/index.js';
import { handImage } from './hand-image.js';
import { ELF_BASE, SAMPLE_LAYERS, sampleImage } from './sample.js';

const codes = (img = sampleImage(), actions: Parameters<typeof buildPlan>[1]) => {
  const a = analyze(img);
  return checkSafety(a, buildPlan(a, actions))
    .map((w) => `${w.code} ${w.path}`)
    .sort();
};

test('removing the loader or the only libc a kept binary needs is flagged', () => {
  assert.deepEqual(codes(undefined, [{ kind: 'remove-path', path: '/lib/x86_64-linux-gnu/libc.so.6' }]), [
    'last-libc /lib/x86_64-linux-gnu/libc.so.6',
    'needed-library /lib/x86_64-linux-gnu/libc.so.6',
  ]);
  assert.deepEqual(codes(undefined, [{ kind: 'remove-path', path: '/lib64' }]), ['interpreter /lib64']);
  assert.deepEqual(codes(undefined, [{ kind: 'remove-glob', glob: '/lib/x86_64-linux-gnu/ld-*' }]), [
    'interpreter /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
  ]);
});

test('the entrypoint binary, and /bin/sh for a shell-form command', () => {
  assert.deepEqual(codes(undefined, [{ kind: 'remove-path', path: '/usr/bin/app' }]), ['entrypoint /usr/bin/app']);
  const shellForm = sampleImage({ cmd: ['/bin/sh', '-c', 'app --serve'] });
  assert.deepEqual(codes(shellForm, [{ kind: 'remove-path', path: '/bin' }]), ['shell /bin']);
  // PATH lookup for a bare name.
  assert.deepEqual(codes(sampleImage({ cmd: ['app'] }), [{ kind: 'remove-glob', glob: 'usr/bin/*' }]), [
    'entrypoint /usr/bin/app',
  ]);
});

test('CA certificates, only when a kept binary looks like a TLS client', () => {
  assert.deepEqual(codes(undefined, [{ kind: 'remove-path', path: '/etc/ssl' }]), []);
  const layers = structuredClone(SAMPLE_LAYERS);
  layers[1]!.entries.push({
    path: 'usr/bin/server',
    size: 5000,
    elf: { ...ELF_BASE, kind: 'static', goUses: { x509SystemRoots: true }, go: { deps: [] } },
  });
  assert.deepEqual(codes(handImage(layers), [{ kind: 'remove-path', path: '/etc/ssl' }]), [
    'ca-certificates /etc/ssl/certs/ca-certificates.crt',
  ]);
});

test('the recommended plan leaves out removals that break something', () => {
  const layers = structuredClone(SAMPLE_LAYERS);
  // The app now lives in /tmp: the temp-files class would remove the entrypoint.
  layers[1]!.entries.push({ path: 'tmp/run/app2', size: 100 });
  const r = recommendedPlan(analyze(handImage(layers, { cmd: ['/tmp/run/app2'] })));
  assert.ok(!r.actions.some((x) => x.kind === 'remove-class' && x.class === 'temp-files'));
  assert.equal(r.skipped[0]?.label, 'remove class temp-files');
  assert.ok(r.actions.some((x) => x.kind === 'remove-class' && x.class === 'apt-lists'));
  assert.ok(r.actions.some((x) => x.kind === 'final-only'));
  assert.ok(r.actions.some((x) => x.kind === 'strip'));
});
