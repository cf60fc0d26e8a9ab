import { SlimError } from '../errors.js';
import type { SourceSpec } from '../sources/source-spec.js';
import { canonicalName, parseReference } from './reference.js';

/**
 * When no daemon answers, a bare IMAGE that reads as a registry reference naming its registry host
 * (`ghcr.io/org/app:1`, `localhost:5000/app`) is fetched from that registry instead. A short Docker Hub name
 * (`alpine`, `user/app`) is not: it is as likely a typo or a local-only tag, and would mean a network request to
 * Docker Hub the user did not ask for (`registry://alpine` asks for it). An engine the user named
 * (`docker://`, `--source docker`) gets no fallback.
 */
export function registryFallback(
  spec: SourceSpec,
  explicit: boolean,
  e: unknown,
): { spec: SourceSpec; note: string } | undefined {
  if (explicit || spec.kind !== 'docker') return undefined;
  if (!(e instanceof SlimError) || !/^cannot reach the docker daemon/.test(e.message)) return undefined;
  if (/^(sha256:)?[a-f0-9]{12,64}$/.test(spec.location)) return undefined;
  const first = spec.location.split('/')[0]!;
  if (!spec.location.includes('/') || !(first === 'localhost' || /[.:]/.test(first))) return undefined;
  const p = parseReference(spec.location);
  if (!p.ok) return undefined;
  return {
    spec: { kind: 'registry', location: spec.location },
    note: `no docker daemon answers; reading ${canonicalName(p.ref)} from the registry ${p.ref.domain}`,
  };
}
