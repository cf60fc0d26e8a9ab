/**
 * The analysing machine's x86-64 level (for the glibc-hwcaps choice): from /proc/cpuinfo's flags, with the
 * psABI level definitions (model/libc/hwcaps.ts). Not x86-64, or no /proc: the baseline (1).
 */
import { readFileSync } from 'node:fs';
import { levelFromFlags, type CpuLevel, type CpuVendor } from '../model/libc/hwcaps.js';

export function hostCpuLevel(cpuinfo = '/proc/cpuinfo'): CpuLevel {
  if (process.arch !== 'x64') return 1;
  try {
    const m = /^flags\s*:\s*(.*)$/m.exec(readFileSync(cpuinfo, 'utf8'));
    return m ? levelFromFlags(new Set(m[1]!.trim().split(/\s+/))) : 1;
  } catch {
    return 1;
  }
}

/** The analysing machine's CPU vendor (glibc < 2.37 names its legacy platform directory after Intel CPUs). */
export function hostCpuVendor(cpuinfo = '/proc/cpuinfo'): CpuVendor {
  if (process.arch !== 'x64') return 'other';
  try {
    return /^vendor_id\s*:\s*GenuineIntel\s*$/m.test(readFileSync(cpuinfo, 'utf8')) ? 'intel' : 'other';
  } catch {
    return 'other';
  }
}
