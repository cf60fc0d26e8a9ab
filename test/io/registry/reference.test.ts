// Docker Hub naming: slimtui's parser against the expectations of distribution/reference's own tests
// (normalize_test.go: TestValidateReferenceName, TestParseRepositoryInfo; reference_test.go), copied from that
// repository as data — they are the rules docker and every registry client implement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalName,
  familiarName,
  isLoopbackHost,
  manifestReference,
  parseReference,
} from '../../../src/io/registry/reference.js';
import { registryFallback } from '../../../src/io/registry/fallback.js';
import { SlimError } from '../../../src/io/errors.js';

const VALID = [
  'docker/docker',
  'library/debian',
  'debian',
  'localhost/library/debian',
  'localhost/debian',
  'LOCALDOMAIN/library/debian',
  'LOCALDOMAIN/debian',
  'docker.io/docker/docker',
  'docker.io/library/debian',
  'docker.io/debian',
  'index.docker.io/docker/docker',
  'index.docker.io/library/debian',
  'index.docker.io/debian',
  '127.0.0.1:5000/docker/docker',
  '127.0.0.1:5000/library/debian',
  '127.0.0.1:5000/debian',
  '192.168.0.1',
  '192.168.0.1:80',
  '192.168.0.1:8/debian',
  '192.168.0.2:25000/debian',
  'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
  '[fc00::1]:5000/docker',
  '[fc00::1]:5000/docker/docker',
  '[fc00:1:2:3:4:5:6:7]:5000/library/debian',
  'docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
  'Docker/docker',
  'DOCKER/docker',
];
const INVALID = [
  'https://github.com/docker/docker',
  'docker/Docker',
  '-docker',
  '-docker/docker',
  '-docker.io/docker/docker',
  'docker///docker',
  'docker.io/docker/Docker',
  'docker.io/docker///docker',
  '[fc00::1]',
  '[fc00::1]:5000',
  'fc00::1:5000/debian',
  '[fe80::1%eth0]:5000/debian',
  '[2001:db8:3:4::192.0.2.33]:5000/debian',
  '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
];

test('valid and invalid repository names (TestValidateReferenceName)', () => {
  for (const n of VALID) assert.equal(parseReference(n).ok, true, n);
  for (const n of INVALID) assert.equal(parseReference(n).ok, false, n);
});

// RemoteName, FamiliarName, FullName, AmbiguousName, Domain — TestParseRepositoryInfo's table.
const INFO: [string, string, string, string, string][] = [
  ['fooo', 'localhost/fooo', 'localhost/fooo', 'localhost/fooo', 'localhost'],
  ['fooo/bar', 'localhost/fooo/bar', 'localhost/fooo/bar', 'localhost/fooo/bar', 'localhost'],
  ['fooo', 'LOCALDOMAIN/fooo', 'LOCALDOMAIN/fooo', 'LOCALDOMAIN/fooo', 'LOCALDOMAIN'],
  ['fooo/bar', 'LOCALDOMAIN/fooo/bar', 'LOCALDOMAIN/fooo/bar', 'LOCALDOMAIN/fooo/bar', 'LOCALDOMAIN'],
  ['fooo/bar', 'fooo/bar', 'docker.io/fooo/bar', 'index.docker.io/fooo/bar', 'docker.io'],
  ['library/ubuntu', 'ubuntu', 'docker.io/library/ubuntu', 'library/ubuntu', 'docker.io'],
  ['nonlibrary/ubuntu', 'nonlibrary/ubuntu', 'docker.io/nonlibrary/ubuntu', '', 'docker.io'],
  ['other/library', 'other/library', 'docker.io/other/library', '', 'docker.io'],
  ['private/moonbase', '127.0.0.1:8000/private/moonbase', '127.0.0.1:8000/private/moonbase', '', '127.0.0.1:8000'],
  ['privatebase', '127.0.0.1:8000/privatebase', '127.0.0.1:8000/privatebase', '', '127.0.0.1:8000'],
  ['private/moonbase', 'example.com/private/moonbase', 'example.com/private/moonbase', '', 'example.com'],
  ['privatebase', 'example.com/privatebase', 'example.com/privatebase', '', 'example.com'],
  [
    'private/moonbase',
    'example.com:8000/private/moonbase',
    'example.com:8000/private/moonbase',
    '',
    'example.com:8000',
  ],
  ['privatebasee', 'example.com:8000/privatebasee', 'example.com:8000/privatebasee', '', 'example.com:8000'],
  [
    'library/ubuntu-12.04-base',
    'ubuntu-12.04-base',
    'docker.io/library/ubuntu-12.04-base',
    'index.docker.io/library/ubuntu-12.04-base',
    'docker.io',
  ],
  ['library/foo', 'foo', 'docker.io/library/foo', 'docker.io/foo', 'docker.io'],
  ['library/foo/bar', 'library/foo/bar', 'docker.io/library/foo/bar', '', 'docker.io'],
  ['store/foo/bar', 'store/foo/bar', 'docker.io/store/foo/bar', '', 'docker.io'],
  ['bar', 'Foo/bar', 'Foo/bar', '', 'Foo'],
  ['bar', 'FOO/bar', 'FOO/bar', '', 'FOO'],
];

test('domain, path, familiar and full names (TestParseRepositoryInfo)', () => {
  for (const [remote, familiar, full, ambiguous, domain] of INFO) {
    for (const s of [familiar, full, ...(ambiguous ? [ambiguous] : [])]) {
      const p = parseReference(s);
      assert.ok(p.ok, s);
      assert.equal(p.ref.domain, domain, s);
      assert.equal(p.ref.path, remote, s);
      assert.equal(`${p.ref.domain}/${p.ref.path}`, full, s);
      assert.equal(familiarName(p.ref), familiar, s);
    }
  }
});

test('Docker Hub: alpine is docker.io/library/alpine:latest, served by registry-1.docker.io', () => {
  const p = parseReference('alpine');
  assert.ok(p.ok);
  assert.equal(canonicalName(p.ref), 'docker.io/library/alpine:latest');
  assert.equal(p.ref.endpoint, 'registry-1.docker.io');
  assert.equal(manifestReference(p.ref), 'latest');
  const q = parseReference('127.0.0.1:5000/app:1');
  assert.ok(q.ok);
  assert.equal(q.ref.endpoint, '127.0.0.1:5000');
  assert.equal(q.ref.tag, '1');
});

test('tags and digests (reference_test.go cases)', () => {
  const d = 'sha256:7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa';
  const both = parseReference(`docker.io/library/busybox:latest@${d}`);
  assert.ok(both.ok);
  assert.equal(both.ref.tag, 'latest');
  assert.equal(both.ref.digest, d);
  // ParseDockerRef: the digest wins, and it is what the manifest request names.
  assert.equal(canonicalName(both.ref), `docker.io/library/busybox@${d}`);
  assert.equal(manifestReference(both.ref), d);
  const port = parseReference('test.com:5000/repo:tag');
  assert.ok(port.ok);
  assert.deepEqual([port.ref.domain, port.ref.path, port.ref.tag], ['test.com:5000', 'repo', 'tag']);
  // A 128-character tag is the limit; 129 is not a tag.
  assert.equal(parseReference(`a:${'t'.repeat(128)}`).ok, true);
  assert.equal(parseReference(`a:${'t'.repeat(129)}`).ok, false);
  assert.equal(parseReference('a@sha256:abc').ok, false); // digests are at least 32 hex digits
  assert.equal(parseReference('').ok, false);
  // Repository names are at most 255 characters.
  assert.equal(parseReference(`a/${'b'.repeat(253)}`).ok, true);
  assert.equal(parseReference(`a/${'b'.repeat(254)}`).ok, false);
  const upper = parseReference('docker.io/Alpine');
  assert.ok(!upper.ok);
  assert.match(upper.error, /must be lowercase/);
});

test('plain HTTP is allowed only for loopback hosts', () => {
  for (const h of ['localhost', 'localhost:5000', '127.0.0.1', '127.0.0.1:5000', '127.1.2.3:80', '[::1]:5000', '[::1]'])
    assert.equal(isLoopbackHost(h), true, h);
  for (const h of [
    'example.com',
    'registry-1.docker.io',
    '10.0.0.1:5000',
    '[fc00::1]:5000',
    'localhost.example.com',
    '128.0.0.1',
  ])
    assert.equal(isLoopbackHost(h), false, h);
});

test('the daemonless fallback: only for a reference that names its registry host, never for an explicit engine', () => {
  const down = new SlimError('cannot reach the docker daemon at /var/run/docker.sock; is it running? …');
  const fb = (location: string, explicit = false, e: unknown = down) =>
    registryFallback({ kind: 'docker', location }, explicit, e)?.spec;
  assert.deepEqual(fb('127.0.0.1:5000/app:1'), { kind: 'registry', location: '127.0.0.1:5000/app:1' });
  assert.deepEqual(fb('ghcr.io/org/app@sha256:' + 'a'.repeat(64)), {
    kind: 'registry',
    location: 'ghcr.io/org/app@sha256:' + 'a'.repeat(64),
  });
  assert.deepEqual(fb('localhost/app'), { kind: 'registry', location: 'localhost/app' });
  for (const short of ['alpine', 'alpine:3.19', 'some/image:1.0', 'sha256:' + 'a'.repeat(64), 'a'.repeat(12)])
    assert.equal(fb(short), undefined, short);
  assert.equal(fb('127.0.0.1:5000/app:1', true), undefined);
  assert.equal(fb('127.0.0.1:5000/app:1', false, new SlimError('image not found in docker: x')), undefined);
  assert.equal(fb('127.0.0.1:5000/App:1'), undefined); // not a valid reference: the daemon's message stands
});
