import type { Analysis } from '../model/analysis.js';
import { sortFindings, type Finding } from '../model/libc/index.js';

const cache = new WeakMap<Analysis, readonly Finding[]>();

/** Every finding of the binaries analysis, errors first (then by path and code). Computed once per image. */
export function findingList(analysis: Analysis): readonly Finding[] {
  let hit = cache.get(analysis);
  if (!hit) cache.set(analysis, (hit = sortFindings(analysis.binaries.findings)));
  return hit;
}

export const SEVERITY_LABEL: Record<Finding['severity'], string> = { error: 'ERROR', warning: 'WARN', info: 'info' };

/** The findings view's line for one finding: `ERROR interpreter-missing /usr/local/bin/legacy-tool`. */
export const findingHead = (f: Finding): string => `${SEVERITY_LABEL[f.severity].padEnd(5)} ${f.code} ${f.path}`;

/** The root-relative tree path a finding is about (findings use absolute paths). */
export const findingTreePath = (f: Finding): string => f.path.replace(/^\/+/, '');
