/** Go resolver modes from build info, on hand-made trees (expected values from Go's net/conf.go rules). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsFor } from '../../../src/model/libc/index.js';
import { goResolverMode, hostsFirstWithoutNsswitch } from '../../../src/model/libc/go-dns.js';
import { exe, muslBase, report, MUSL_INTERP } from './fixtures.js';

const go = (goVersion: string, cgoEnabled: boolean, tags?: string) => ({
  goVersion,
  deps: [],
  cgoEnabled,
  settings: { CGO_ENABLED: cgoEnabled ? '1' : '0', ...(tags ? { '-tags': tags } : {}) },
});
const uses = { x509SystemRoots: false, osUser: false, loadLocation: false, embeddedTzdata: false, netResolver: true };

test("resolver mode: CGO_ENABLED=0 and -tags netgo are Go's resolver; netcgo is libc's; plain cgo is Go's choice", () => {
  assert.deepEqual(goResolverMode(go('go1.21.0', false)).mode, 'go');
  assert.deepEqual(goResolverMode(go('go1.21.0', true, 'netgo')).mode, 'go');
  assert.deepEqual(goResolverMode(go('go1.21.0', true, 'foo,netcgo')).mode, 'cgo');
  assert.deepEqual(goResolverMode(go('go1.21.0', true)).mode, 'auto');
  // The boundary: Go 1.16 (its betas too) reads /etc/hosts first; 1.15 and older ask DNS first.
  assert.equal(hostsFirstWithoutNsswitch('go1.15.15'), false);
  assert.equal(hostsFirstWithoutNsswitch('go1.16beta1'), true);
  assert.equal(hostsFirstWithoutNsswitch('go1.16'), true);
  assert.equal(hostsFirstWithoutNsswitch('go1.9.2'), false);
  assert.equal(hostsFirstWithoutNsswitch('go2.0'), true);
  assert.equal(hostsFirstWithoutNsswitch('devel +abc'), undefined);
});

test('cgo on musl: -tags netcgo sends every lookup to musl; -tags netgo is not about musl at all; no nsswitch finding for netcgo', () => {
  const r = report([
    [
      ...muslBase(),
      [
        'bin/netcgo',
        'elf',
        exe({
          interpreter: MUSL_INTERP,
          needed: ['libc.musl-x86_64.so.1'],
          go: go('go1.20.1', true, 'netcgo'),
          goUses: uses,
        }),
      ],
      [
        'bin/netgo',
        'elf',
        exe({
          interpreter: MUSL_INTERP,
          needed: ['libc.musl-x86_64.so.1'],
          go: go('go1.20.1', true, 'netgo'),
          goUses: uses,
        }),
      ],
      [
        'bin/auto',
        'elf',
        exe({ interpreter: MUSL_INTERP, needed: ['libc.musl-x86_64.so.1'], go: go('go1.14.1', true), goUses: uses }),
      ],
    ],
  ]);
  const codes = (p: string) =>
    findingsFor(r, p)
      .map((f) => f.code)
      .sort();
  const musl = (p: string) => findingsFor(r, p).find((f) => f.code === 'cgo-on-musl');
  assert.match(musl('/bin/netcgo')!.evidence, /-tags netcgo, every name lookup goes through musl's resolver/);
  assert.match(musl('/bin/netcgo')!.fix, /drop -tags netcgo/);
  assert.equal(musl('/bin/netgo'), undefined);
  assert.match(musl('/bin/auto')!.evidence, /when Go hands a lookup to the C library/);
  assert.ok(!codes('/bin/netcgo').includes('go-dns-order'));
  // No nsswitch.conf: netgo on 1.20 reads files first (info); the 1.14 cgo binary uses Go's resolver, DNS first.
  assert.equal(findingsFor(r, '/bin/netgo').find((f) => f.code === 'go-dns-order')!.severity, 'info');
  assert.equal(findingsFor(r, '/bin/auto').find((f) => f.code === 'go-dns-order')!.severity, 'warning');
});
