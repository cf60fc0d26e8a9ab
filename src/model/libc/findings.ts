/**
 * Findings about the binaries of an image: what will not start, what is missing, what could go. Each family
 * is one rule (finding-rules.ts: its code, severity, test and texts); `runFindingRules` is the one engine
 * that applies them.
 */
import type { Image } from '../image.js';
import type { ElfSummary } from './elf-summary.js';
import type { FinalFs } from './final-fs.js';
import type { CpuLevel } from './hwcaps.js';
import type { LibcInventory } from './inventory.js';
import type { BinaryRecord } from './records.js';

export type Severity = 'error' | 'warning' | 'info';

export const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

export type FindingCode =
  | 'interpreter-missing'
  | 'library-missing'
  | 'version-missing'
  | 'wrong-architecture'
  | 'glibc-binary-on-musl'
  | 'needs-ldconfig'
  | 'ld-cache-stale'
  | 'ld-cache-only'
  | 'hwcaps-cpu-dependent'
  | 'cgo-on-musl'
  | 'cgo-dynamic-libc'
  | 'go-dns-order'
  | 'static-glibc-nss'
  | 'missing-ca-certificates'
  | 'missing-passwd'
  | 'missing-zoneinfo'
  | 'library-dependency-missing'
  | 'unused-library'
  | 'unstripped'
  | 'malformed-elf';

export interface Finding {
  severity: Severity;
  code: FindingCode;
  /** The binary (absolute path) the finding is about. */
  path: string;
  /** What was seen, in one or two sentences. */
  evidence: string;
  /** What to do, in one line. */
  fix: string;
}

/** What every rule may read about the image (computed once, after every binary is resolved). */
export interface ImageFacts {
  image: Image;
  fs: FinalFs;
  inventory: LibcInventory;
  /** No libc and no /bin/sh. */
  scratchLike: boolean;
  /** The x86-64 level the glibc-hwcaps choice was made for. */
  cpuLevel: CpuLevel;
  /** Real paths (absolute) some resolution loaded: libraries and interpreters. */
  used: ReadonlySet<string>;
  /** Where files of this base name live in the final filesystem (absolute paths). */
  elsewhere(name: string): string[];
}

/** The binary a rule looks at: its record and (for well-formed files) its ELF summary. */
export interface Subject {
  b: BinaryRecord;
  elf: ElfSummary;
  isExec: boolean;
  /** Its e_machine is one the image's architecture runs. */
  archOk: boolean;
}

/**
 * One finding family. `test` returns the hits (one finding each; an empty list or undefined for none);
 * severity and texts are worked out per hit. `scope` says which records the rule sees: well-formed ELF files,
 * or the files that start with the ELF magic but cannot be read (their `elf` is a stand-in).
 */
export interface FindingRule<H = unknown> {
  readonly code: FindingCode;
  readonly scope?: 'elf' | 'malformed';
  readonly severity: Severity | ((s: Subject, hit: H, img: ImageFacts) => Severity);
  readonly test: (s: Subject, img: ImageFacts) => readonly H[] | undefined;
  readonly evidence: (s: Subject, hit: H, img: ImageFacts) => string;
  readonly fix: (s: Subject, hit: H, img: ImageFacts) => string;
}

/** Keeps each rule's hit type checked where it is written; the table holds them erased. */
export const rule = <H>(r: FindingRule<H>): FindingRule => r as FindingRule;

/** Applies every rule to every subject, in table order (the order findings of one path and code keep). */
export function runFindingRules(
  rules: readonly FindingRule[],
  subjects: readonly Subject[],
  malformed: readonly Subject[],
  img: ImageFacts,
): Finding[] {
  const out: Finding[] = [];
  for (const s of subjects)
    apply(
      rules.filter((r) => (r.scope ?? 'elf') === 'elf'),
      s,
      img,
      out,
    );
  for (const s of malformed)
    apply(
      rules.filter((r) => r.scope === 'malformed'),
      s,
      img,
      out,
    );
  return out;
}

function apply(rules: readonly FindingRule[], s: Subject, img: ImageFacts, out: Finding[]): void {
  for (const r of rules) {
    for (const hit of r.test(s, img) ?? []) {
      out.push({
        severity: typeof r.severity === 'function' ? r.severity(s, hit, img) : r.severity,
        code: r.code,
        path: s.b.path,
        evidence: r.evidence(s, hit, img),
        fix: r.fix(s, hit, img),
      });
    }
  }
}

/** Findings at or above a severity. */
export const atLeast = (findings: readonly Finding[], min: Severity): Finding[] =>
  findings.filter((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[min]);

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const c: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) c[f.severity]++;
  return c;
}

/** Sorted for display: errors first, then by path and code. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      a.path.localeCompare(b.path) ||
      a.code.localeCompare(b.code),
  );
}
