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
 * "x86_64" hwcap, which every x86-64 CPU has (an AMD EPYC here). An Intel CPU changes both names
 * (sysdeps/x86/cpu-features.c): with AVX2, FMA, BMI1/2, LZCNT, MOVBE and POPCNT (every x86-64-v3 CPU) glibc
 * sets AT_PLATFORM to "haswell", and with AVX-512 BW/DQ/VL (x86-64-v4) adds the "avx512_1" hwcap (bit 2), so
 * those CPUs search `haswell/…` and `…/avx512_1/…` instead. The model follows the CPU's vendor and level
 * (the analysing machine's by default); the copies another kind of CPU would take make the choice CPU-dependent.
 * Not modelled: Xeon Phi's "xeon_phi" platform (AVX-512 ER/PF, no level of its own). Unverified here (no Intel
 * judge): the order of two hwcap names in one path — taken, as the loader builds its list, highest bit first.
 * Only x86-64 is modelled (other machines have their own names).
 */
const LEGACY_TLS = 'tls';

/** The CPU's vendor, for the legacy platform name (Intel's "haswell"). */
export type CpuVendor = 'intel' | 'other';

/** What a glibc < 2.37 x86-64 loader searches by: AT_PLATFORM and the masked hwcap names, with their cache bits. */
interface LegacyCpu {
  readonly label: string;
  readonly platform: string;
  /** The platform's ld.so.cache bit: 48 (_DL_FIRST_PLATFORM) + its index in _dl_x86_platforms; none for the kernel's. */
  readonly platformBit?: number;
  /** Highest bit first (HWCAP_X86_64 is bit 1, HWCAP_X86_AVX512_1 bit 2: sysdeps/x86/dl-hwcap.h). */
  readonly hwcaps: readonly { readonly name: string; readonly bit: number }[];
}

const X86_64_HWCAP = { name: 'x86_64', bit: 1 } as const;
const BASELINE: LegacyCpu = {
  label: 'x86_64 (non-Intel or pre-AVX2 CPUs)',
  platform: 'x86_64',
  hwcaps: [X86_64_HWCAP],
};
// ldconfig prints a haswell/ entry as `hwcap: 0x0004000000000000`: bit 50 (48 + index 2, after i586 and i686).
const HASWELL: LegacyCpu = {
  label: 'haswell (Intel AVX2)',
  platform: 'haswell',
  platformBit: 50,
  hwcaps: [X86_64_HWCAP],
};
const HASWELL_AVX512: LegacyCpu = {
  label: 'haswell + avx512_1 (Intel AVX-512)',
  platform: 'haswell',
  platformBit: 50,
  hwcaps: [{ name: 'avx512_1', bit: 2 }, X86_64_HWCAP],
};
/** How a copy only an Intel AVX2 CPU's glibc < 2.37 takes is labelled among the CPU-specific copies. */
export const HASWELL_LABEL = HASWELL.label;

function legacyCpu(vendor: CpuVendor, level: CpuLevel): LegacyCpu {
  if (vendor !== 'intel' || level < 3) return BASELINE;
  return level >= 4 ? HASWELL_AVX512 : HASWELL;
}
const namesOf = (c: LegacyCpu): string[] => [LEGACY_TLS, c.platform, ...c.hwcaps.map((h) => h.name)];
// The "tls" bit is 63 (_DL_HWCAP_TLS_MASK).
const bitsOf = (c: LegacyCpu): number[] => [
  63,
  ...(c.platformBit !== undefined ? [c.platformBit] : []),
  ...c.hwcaps.map((h) => h.bit),
];

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
export function legacySubdirs(
  machine: number,
  cls: 32 | 64,
  vendor: CpuVendor = 'other',
  level: CpuLevel = 1,
): readonly string[] {
  if (machine !== 62 || cls !== 64) return [];
  return powerSetSubdirs(namesOf(legacyCpu(vendor, level)));
}

/** The legacy hwcap bits of ld.so.cache entries such a loader accepts (an entry with another bit is for another CPU). */
export function legacyCacheBits(
  machine: number,
  cls: 32 | 64,
  vendor: CpuVendor = 'other',
  level: CpuLevel = 1,
): readonly number[] {
  return machine === 62 && cls === 64 ? bitsOf(legacyCpu(vendor, level)) : [];
}

/** Another kind of x86-64 CPU: its label, the legacy subdirectories it searches (in order) and its cache bits. */
export interface OtherLegacyCpu {
  readonly label: string;
  readonly subdirs: readonly string[];
  readonly bits: readonly number[];
}

/** The other kinds of CPU whose legacy search differs from this one's (where they take another copy, the choice is CPU-dependent). */
export function otherLegacyCpus(
  machine: number,
  cls: 32 | 64,
  vendor: CpuVendor = 'other',
  level: CpuLevel = 1,
): readonly OtherLegacyCpu[] {
  if (machine !== 62 || cls !== 64) return [];
  const mine = legacyCpu(vendor, level);
  const ours = powerSetSubdirs(namesOf(mine));
  return [BASELINE, HASWELL, HASWELL_AVX512]
    .filter((c) => c !== mine)
    .map((c) => ({ label: c.label, subdirs: powerSetSubdirs(namesOf(c)), bits: bitsOf(c) }))
    .filter((c) => c.subdirs.some((d) => !ours.includes(d)));
}
