import type { BinaryRecord, BinaryReport } from '../libc/binaries.js';
import type { Finding } from '../libc/findings.js';
import type { BinaryChange, BinarySide, FindingRef } from './types.js';

/** The libc a binary runs with: the loader resolution's flavour, else what its headers say. */
function libcOf(b: BinaryRecord): string {
  if (b.kind === 'static' || b.kind === 'static-pie') return 'static';
  if (b.resolution) return b.resolution.flavour;
  if (b.interpreter) return /ld-musl/.test(b.interpreter) ? 'musl' : 'glibc';
  return b.needed.length === 0 ? 'none' : 'unknown';
}

/** The Go build settings that describe how it was built (not its dependency list). */
function goOf(b: BinaryRecord): Record<string, string> | null {
  const g = b.go;
  if (!g) return null;
  const out: Record<string, string> = { goVersion: g.goVersion };
  if (g.cgoEnabled !== undefined) out['CGO_ENABLED'] = g.cgoEnabled ? '1' : '0';
  if (g.ldflags !== undefined) out['-ldflags'] = g.ldflags;
  if (g.trimpath !== undefined) out['-trimpath'] = String(g.trimpath);
  for (const [k, v] of Object.entries(g.settings)) if (!k.startsWith('vcs.')) out[k] = v;
  return out;
}

export function binarySide(b: BinaryRecord): BinarySide {
  return {
    libc: libcOf(b),
    needed: b.needed,
    verdict: b.verdict?.status ?? null,
    verdictReason: b.verdict?.reason ?? null,
    go: goOf(b),
    stripped: b.stripped,
    sizeBytes: b.size,
  };
}

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);
const sameRecord = (a: Readonly<Record<string, string>> | null, b: Readonly<Record<string, string>> | null): boolean =>
  a === null || b === null
    ? a === b
    : sameList(Object.keys(a).sort(), Object.keys(b).sort()) && Object.keys(a).every((k) => a[k] === b[k]);

/** ELF files at the same path in both images whose libc, needed libraries, verdict, Go settings or strip state differ. */
/** Each ELF file's side of a binary comparison, by absolute path. */
export const binarySides = (r: BinaryReport): Map<string, BinarySide> =>
  new Map(r.binaries.map((b) => [b.path, binarySide(b)]));

export function diffBinaries(a: ReadonlyMap<string, BinarySide>, b: ReadonlyMap<string, BinarySide>): BinaryChange[] {
  const out: BinaryChange[] = [];
  for (const [path, sb] of b) {
    const sa = a.get(path);
    if (!sa) continue;
    const fields: BinaryChange['fields'][number][] = [];
    if (sa.libc !== sb.libc) fields.push('libc');
    if (!sameList(sa.needed, sb.needed)) fields.push('needed');
    if (sa.verdict !== sb.verdict) fields.push('verdict');
    if (!sameRecord(sa.go, sb.go)) fields.push('go');
    if (sa.stripped !== sb.stripped) fields.push('stripped');
    if (fields.length > 0) out.push({ path, fields, a: sa, b: sb });
  }
  return out.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

const key = (f: Finding): string => `${f.code}\0${f.path}`;
const ref = (f: Finding): FindingRef => ({
  severity: f.severity,
  code: f.code,
  path: f.path,
  evidence: f.evidence,
  fix: f.fix,
});

/** Findings (by code and path) that B has and A had not, and the reverse. */
export function diffFindings(
  a: readonly Finding[],
  b: readonly Finding[],
): { new: FindingRef[]; resolved: FindingRef[] } {
  const inA = new Set(a.map(key));
  const inB = new Set(b.map(key));
  return { new: b.filter((f) => !inA.has(key(f))).map(ref), resolved: a.filter((f) => !inB.has(key(f))).map(ref) };
}
