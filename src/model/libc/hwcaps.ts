/**
 * glibc-hwcaps (glibc ≥ 2.33): for each library directory D the loader first tries D/glibc-hwcaps/<name>/ for
 * each subdirectory the CPU supports, best first (x86-64: x86-64-v4, -v3, -v2), then D itself. Which copy a
 * process gets therefore depends on the machine it runs on. Pure: the level is measured in io/ and passed in.
 */

/** x86-64 micro-architecture level (psABI): 1 is the baseline, which has no glibc-hwcaps subdirectory. */
export type CpuLevel = 1 | 2 | 3 | 4;

export const X86_64_SUBDIRS = ['x86-64-v4', 'x86-64-v3', 'x86-64-v2'] as const;

/** The CPU flags (as /proc/cpuinfo names them) each level adds (the x86-64 psABI level definitions). */
const LEVEL_FLAGS: Record<2 | 3 | 4, readonly string[]> = {
  2: ['cx16', 'lahf_lm', 'popcnt', 'pni', 'sse4_1', 'sse4_2', 'ssse3'],
  3: ['avx', 'avx2', 'bmi1', 'bmi2', 'f16c', 'fma', 'abm', 'movbe', 'xsave'],
  4: ['avx512f', 'avx512bw', 'avx512cd', 'avx512dq', 'avx512vl'],
};

/** The highest level whose flags (and every lower level's) are all present. */
export function levelFromFlags(flags: ReadonlySet<string>): CpuLevel {
  let level: CpuLevel = 1;
  for (const l of [2, 3, 4] as const) {
    if (!LEVEL_FLAGS[l].every((f) => flags.has(f))) break;
    level = l;
  }
  return level;
}

/** Parses `v1`…`v4` (or `x86-64-v3`, `3`); undefined otherwise. */
export function parseCpuLevel(text: string): CpuLevel | undefined {
  const m = /^(?:x86-64-)?v?([1-4])$/.exec(text.trim());
  return m ? (Number(m[1]) as CpuLevel) : undefined;
}

/** The glibc-hwcaps subdirectories the loader searches, best first, for a root of this machine and class. */
export function hwcapsSubdirs(level: CpuLevel, machine: number, cls: 32 | 64): readonly string[] {
  if (machine !== 62 || cls !== 64) return [];
  return X86_64_SUBDIRS.filter((s) => Number(s.slice(-1)) <= level);
}

/** Every subdirectory a copy may sit in for this machine and class (whatever the CPU), best first. */
export function allHwcapsSubdirs(machine: number, cls: 32 | 64): readonly string[] {
  return machine === 62 && cls === 64 ? X86_64_SUBDIRS : [];
}
