/** The analysing machine's CPU vendor (for glibc < 2.37's legacy platform names), read from /proc/cpuinfo. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostCpuVendor } from '../../src/io/cpu-level.js';

test('hostCpuVendor: GenuineIntel is intel, anything else (or no file) is other; this machine as grep says', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slimtui-cpu-vendor-'));
  try {
    const file = (name: string, text: string): string => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    assert.equal(hostCpuVendor(file('intel', 'processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n')), 'intel');
    assert.equal(hostCpuVendor(file('amd', 'processor\t: 0\nvendor_id\t: AuthenticAMD\n')), 'other');
    assert.equal(hostCpuVendor(join(dir, 'missing')), 'other');
    const line = execFileSync('sh', ['-c', 'grep -m1 vendor_id /proc/cpuinfo || true'], { encoding: 'utf8' });
    assert.equal(hostCpuVendor(), /GenuineIntel/.test(line) ? 'intel' : 'other');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
