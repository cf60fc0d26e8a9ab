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

/**
 * Legacy hwcaps subdirectories (glibc before 2.37). Besides glibc-hwcaps, such a loader tries, under every
 * directory it searches (RPATH, LD_LIBRARY_PATH, RUNPATH, the default dirs), the power set of ["tls",
 * AT_PLATFORM, each masked AT_HWCAP name] as nested subdirectories, the longest first, then the directory itself
 * (elf/dl-hwcaps.c _dl_important_hwcaps), and takes /etc/ld.so.cache entries ldconfig made for those
 * subdirectories. glibc 2.37 removed all of it — its NEWS: "The dynamic linker no longer loads shared objects
 * from the "tls" subdirectories on the library search path or the subdirectory that corresponds to the
 * AT_PLATFORM system name, or employs the legacy AT_HWCAP search mechanism, which was deprecated in version 2.33."
 *
 * What Debian bookworm's glibc 2.36 loader does on x86-64 (LD_DEBUG=libs in a chroot, test/e2e-elf/
 * legacy-hwcaps.test.ts): `search path=D/glibc-hwcaps/x86-64-v4:…-v2:D/tls/x86_64/x86_64:D/tls/x86_64:
 * D/tls/x86_64:D/tls:D/x86_64/x86_64:D/x86_64:D/x86_64:D` — AT_PLATFORM "x86_64" (the kernel's) and the
 * "x86_64" hwcap, which every x86-64 CPU has. Modelled here is that baseline. CPU-dependent extras the model
 * leaves out: on an Intel CPU with AVX2 glibc replaces AT_PLATFORM with "haswell" (or "xeon_phi"), and with
 * AVX-512 BW/DQ/VL adds the "avx512_1" hwcap (sysdeps/x86/cpu-features.c), so `haswell/…` and `avx512_1/…`
 * copies are found there and not here. Only x86-64 is modelled (other machines have their own names).
 */
const LEGACY_TLS = 'tls';
/** How a copy only an Intel AVX2 CPU's glibc < 2.37 takes is labelled among the CPU-specific copies. */
export const HASWELL_LABEL = 'haswell (Intel AVX2)';
const LEGACY_X86_64 = { platform: 'x86_64', hwcaps: ['x86_64'] } as const;

/** True when a glibc of this version ("2.36") still searches the legacy hwcaps subdirectories. */
export function legacyHwcapsApply(glibcVersion: string | null | undefined): boolean {
  const m = glibcVersion ? /^(\d+)\.(\d+)/.exec(glibcVersion) : null;
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major < 2 || (major === 2 && minor < 37);
}

/** The power set of `names` as nested subdirectories, in the loader's order (all of them first), duplicates once. */
export function powerSetSubdirs(names: readonly string[]): string[] {
  const n = names.length;
  const out: string[] = [];
  for (let mask = (1 << n) - 1; mask > 0; mask--) {
    const parts = names.filter((_, i) => (mask & (1 << (n - 1 - i))) !== 0);
    const dir = parts.join('/');
    if (!out.includes(dir)) out.push(dir);
  }
  return out;
}

/** The legacy subdirectories a glibc < 2.37 loader of this machine and class tries under each directory. */
export function legacySubdirs(machine: number, cls: 32 | 64): readonly string[] {
  if (machine !== 62 || cls !== 64) return [];
  return powerSetSubdirs([LEGACY_TLS, LEGACY_X86_64.platform, ...LEGACY_X86_64.hwcaps]);
}

/**
 * The legacy hwcap bits of ld.so.cache entries such a loader accepts on x86-64: HWCAP_X86_64 (bit 1,
 * sysdeps/x86/dl-hwcap.h) and the "tls" bit (63, _DL_HWCAP_TLS_MASK). An entry with another bit (a platform
 * bit from 48 up, avx512_1) is for a CPU the baseline model does not have.
 */
export function legacyCacheBits(machine: number, cls: 32 | 64): readonly number[] {
  return machine === 62 && cls === 64 ? [1, 63] : [];
}

/**
 * Legacy subdirectories only some x86-64 CPUs search (glibc < 2.37), which the baseline model above does not:
 * on an Intel CPU with AVX2, FMA, BMI1/2, LZCNT, MOVBE and POPCNT glibc sets AT_PLATFORM to "haswell"
 * (sysdeps/x86/cpu-features.c), so `haswell/` takes the place of the platform `x86_64/` in the power set. A copy
 * there makes the choice CPU-dependent; it is listed beside the others, labelled, and never chosen here.
 */
export function cpuSpecificLegacySubdirs(machine: number, cls: 32 | 64): readonly [string, readonly string[]][] {
  if (machine !== 62 || cls !== 64) return [];
  return [
    [
      HASWELL_LABEL,
      powerSetSubdirs([LEGACY_TLS, 'haswell', ...LEGACY_X86_64.hwcaps]).filter((d) => d.includes('haswell')),
    ],
  ];
}

/**
 * The same for ld.so.cache entries: the "haswell" platform bit is 50 (_DL_FIRST_PLATFORM 48 + its index 2 in
 * _dl_x86_platforms; ldconfig prints such an entry as `hwcap: 0x0004000000000000`).
 */
export function cpuSpecificLegacyCacheBits(machine: number, cls: 32 | 64): readonly [string, number][] {
  return machine === 62 && cls === 64 ? [[HASWELL_LABEL, 50]] : [];
}
