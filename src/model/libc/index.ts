/**
 * Binaries and libc: the ELF facts of entries, the image's libc inventory, loader-faithful dependency
 * resolution, verdicts and findings. Pure selectors for the outputs and the TUI live here.
 */
import type { ElfSummary } from './elf-summary.js';
import type { BinaryReport } from './binaries.js';
import type { BinaryRecord } from './records.js';
import type { Finding } from './findings.js';

export { elfOf, elfFactOf, isMalformed, type ElfSummary, type ElfFact, type GoUses } from './elf-summary.js';
export { analyseBinaries, type BinaryReport, type BinaryOptions } from './binaries.js';
export { parseLdCache, type LdCache, type LdCacheEntry, type LdCacheFact } from './ld-cache.js';
export { levelFromFlags, parseCpuLevel, type CpuLevel } from './hwcaps.js';
export type { BinaryRecord } from './records.js';
export { runnableMachines, type Verdict } from './verdicts.js';
export {
  atLeast,
  countBySeverity,
  sortFindings,
  SEVERITY_RANK,
  type Finding,
  type FindingCode,
  type Severity,
} from './findings.js';
export { libcInventory, type LibcInventory, type LibcFile, type LoaderFile } from './inventory.js';
export {
  resolveBinary,
  flavourOf,
  isMuslReserved,
  expandDst,
  glibcDefaultDirs,
  type Resolution,
  type ResolvedLib,
  type MissingLib,
  type ResolveEnv,
  type LoaderFlavour,
} from './resolve.js';
export { FinalFs } from './final-fs.js';
export { readLdSoConf, readMuslPath, globMatch } from './ld-conf.js';
export { isWellKnownTextPath, textOf } from './text-files.js';

const NO_FINDINGS: readonly Finding[] = [];

/** Findings about one path (absolute, e.g. "/usr/bin/curl", or root-relative "usr/bin/curl"). */
export function findingsFor(report: BinaryReport | undefined, path: string): readonly Finding[] {
  if (!report) return NO_FINDINGS;
  return report.findingsByPath.get(path.startsWith('/') ? path : `/${path}`) ?? NO_FINDINGS;
}

/** The binary record of a path (absolute or root-relative), when it is an ELF file of the final filesystem. */
export function binaryAt(report: BinaryReport | undefined, path: string): BinaryRecord | undefined {
  return report?.byPath.get(path.startsWith('/') ? path : `/${path}`);
}

/** Which libc an ELF file needs, from its own headers (a short mark for the tree). */
export function libcNeedOf(elf: ElfSummary): 'glibc' | 'musl' | 'static' | 'none' | 'unknown' {
  if (elf.kind === 'static' || elf.kind === 'static-pie') return 'static';
  const i = elf.interpreter ?? '';
  const base = i.slice(i.lastIndexOf('/') + 1);
  if (base.startsWith('ld-musl') || elf.needed.some((n) => n.startsWith('libc.musl-'))) return 'musl';
  if (/^ld-linux|^ld64\.so/.test(base) || elf.minGlibc !== undefined || elf.needed.includes('libc.so.6'))
    return 'glibc';
  if (elf.kind === 'shared-lib' && elf.needed.length === 0) return 'none';
  return 'unknown';
}
