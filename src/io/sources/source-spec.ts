import type { SourceKind } from '../../model/image.js';

/** Where an image comes from, as the user named it. */
export interface SourceSpec {
  readonly kind: SourceKind;
  /** A reference for engines, a path for files and dirs. */
  readonly location: string;
  /** For archives and layouts: the `name:tag` to pick when several images are inside. */
  readonly tag?: string;
}

const PREFIXES: [string, SourceKind][] = [
  ['registry://', 'registry'], ['docker://', 'docker'], ['podman://', 'podman'], ['docker-daemon:', 'docker'],
  ['docker-archive:', 'docker-archive'], ['oci-archive:', 'oci-archive'], ['oci:', 'oci-dir'], ['dir:', 'dir'],
];

export const SOURCE_NAMES: readonly SourceKind[] = ['docker', 'podman', 'docker-archive', 'oci-archive', 'oci-dir', 'dir', 'registry'];

/** `path[:tag]` for layouts and archives (skopeo's syntax); a Windows-free world, so the last `:` splits. */
function splitTag(rest: string, kind: SourceKind): { location: string; tag?: string } {
  if (kind !== 'oci-dir' && kind !== 'oci-archive' && kind !== 'docker-archive') return { location: rest };
  const i = rest.lastIndexOf(':');
  if (i <= 0 || rest.slice(i + 1).includes('/')) return { location: rest };
  return { location: rest.slice(0, i), tag: rest.slice(i + 1) };
}

/**
 * Reads an explicit transport prefix. Without one, `classify` (given what exists on disk) decides:
 * a file is an archive, a directory with index.json an OCI layout, another directory a rootfs, else an
 * engine reference.
 */
export function parseSourceArg(arg: string, forced: SourceKind | undefined, classify: (p: string) => 'file' | 'oci-dir' | 'dir' | 'none'): SourceSpec {
  for (const [prefix, kind] of PREFIXES) {
    if (arg.startsWith(prefix)) {
      const rest = arg.slice(prefix.length);
      return { kind: forced ?? kind, ...splitTag(rest, kind) };
    }
  }
  if (forced) return { kind: forced, ...splitTag(arg, forced) };
  const what = classify(arg);
  if (what === 'file') return { kind: 'docker-archive', location: arg };
  if (what === 'oci-dir') return { kind: 'oci-dir', location: arg };
  if (what === 'dir') return { kind: 'dir', location: arg };
  return { kind: 'docker', location: arg };
}
