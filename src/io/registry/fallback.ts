import { SlimError } from '../errors.js';
import type { SourceSpec } from '../sources/source-spec.js';
import { canonicalName, parseReference } from './reference.js';

/**
 * When no daemon answers, a bare IMAGE that reads as a registry reference (not an image id) is fetched from
 * its registry instead; an engine the user named (`docker://`, `--source docker`) gets no fallback.
 */
export function registryFallback(
  spec: SourceSpec,
  explicit: boolean,
  e: unknown,
): { spec: SourceSpec; note: string } | undefined {
  if (explicit || spec.kind !== 'docker') return undefined;
  if (!(e instanceof SlimError) || !/^cannot reach the docker daemon/.test(e.message)) return undefined;
  if (/^(sha256:)?[a-f0-9]{12,64}$/.test(spec.location)) return undefined;
  const p = parseReference(spec.location);
  if (!p.ok) return undefined;
  return {
    spec: { kind: 'registry', location: spec.location },
    note: `no docker daemon answers; reading ${canonicalName(p.ref)} from the registry ${p.ref.domain}`,
  };
}
