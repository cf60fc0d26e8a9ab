/** Findings about the binaries of an image: what will not start, what is missing, what could go. */

export type Severity = 'error' | 'warning' | 'info';

export const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

export type FindingCode =
  | 'interpreter-missing'
  | 'library-missing'
  | 'version-missing'
  | 'wrong-architecture'
  | 'glibc-binary-on-musl'
  | 'needs-ldconfig'
  | 'not-executable'
  | 'cgo-on-musl'
  | 'cgo-dynamic-libc'
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

/** Findings at or above a severity. */
export const atLeast = (findings: readonly Finding[], min: Severity): Finding[] => findings.filter((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[min]);

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const c: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) c[f.severity]++;
  return c;
}

/** Sorted for display: errors first, then by path and code. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.path.localeCompare(b.path) || a.code.localeCompare(b.code));
}
