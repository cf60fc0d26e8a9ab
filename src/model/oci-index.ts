import type { Platform } from './image.js';
import { platformMatches } from './image-config.js';

/** An OCI content descriptor. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
  readonly annotations?: Record<string, string>;
}

/** The parts of an image manifest slimtui needs, with blob paths resolved. */
export interface ResolvedManifest {
  readonly config: Descriptor;
  readonly layers: Descriptor[];
  readonly manifestDigest?: string;
  readonly refName?: string;
}

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

export function toDescriptor(v: unknown): Descriptor | undefined {
  const o = obj(v);
  if (typeof o['digest'] !== 'string') return undefined;
  const p = obj(o['platform']);
  const platform: Platform | undefined =
    typeof p['os'] === 'string' && typeof p['architecture'] === 'string'
      ? {
          os: p['os'],
          architecture: p['architecture'],
          ...(typeof p['variant'] === 'string' ? { variant: p['variant'] } : {}),
        }
      : undefined;
  return {
    mediaType: typeof o['mediaType'] === 'string' ? o['mediaType'] : '',
    digest: o['digest'],
    size: typeof o['size'] === 'number' ? o['size'] : 0,
    ...(platform ? { platform } : {}),
    ...(o['annotations'] ? { annotations: obj(o['annotations']) as Record<string, string> } : {}),
  };
}

/** `sha256:abc` → `blobs/sha256/abc`; undefined for a malformed digest (never a path outside blobs/). */
export function blobPath(digest: string): string | undefined {
  const m = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/.exec(digest);
  return m ? `blobs/${m[1]}/${m[2]}` : undefined;
}

/** The name an index gives a manifest: the OCI ref name, else containerd's image name (docker >= 25 saves). */
const refNameOf = (d: Descriptor): string | undefined =>
  d.annotations?.['org.opencontainers.image.ref.name'] ?? d.annotations?.['io.containerd.image.name'];

/** `name:tag` asked for, against a manifest's names (containerd's are fully qualified: docker.io/library/x:t). */
function namesMatch(d: Descriptor, want: string): boolean {
  const names = [
    d.annotations?.['org.opencontainers.image.ref.name'],
    d.annotations?.['io.containerd.image.name'],
  ].filter((n): n is string => n !== undefined);
  const forms = new Set([want, want.includes(':') ? want : `${want}:latest`]);
  for (const f of [...forms]) forms.add(`docker.io/${f}`).add(`docker.io/library/${f}`);
  return names.some((n) => forms.has(n));
}

const isIndex = (json: Record<string, unknown>, mediaType: string): boolean =>
  Array.isArray(json['manifests']) || /image\.index|manifest\.list/.test(mediaType);

export type IndexResolution =
  /** `images`: when the index holds several images and no ref name was asked for, their names (the pick's first). */
  | { ok: true; manifest: ResolvedManifest; otherPlatform?: Platform; images?: string[] }
  | { ok: false; reason: 'no-tag'; available: string[] }
  | { ok: false; reason: 'missing-blob'; digest: string }
  | { ok: false; reason: 'no-platform'; available: string[] }
  | { ok: false; reason: 'malformed'; detail: string };

/**
 * Walks `index.json` → (nested indexes) → an image manifest, picking the wanted platform (and, when given,
 * the manifest whose `org.opencontainers.image.ref.name` annotation matches). `getJson` returns a parsed blob.
 */
export function resolveIndex(
  index: unknown,
  getJson: (digest: string) => unknown,
  want: Platform,
  refName?: string,
  explicit = true,
): IndexResolution {
  let current = obj(index);
  let digest: string | undefined;
  let name: string | undefined;
  let other: Platform | undefined;
  let several: string[] | undefined;
  let chosen: string | undefined;
  for (let depth = 0; depth < 8; depth++) {
    if (!isIndex(current, typeof current['mediaType'] === 'string' ? current['mediaType'] : '')) {
      const config = toDescriptor(current['config']);
      if (!config || !Array.isArray(current['layers']))
        return { ok: false, reason: 'malformed', detail: 'image manifest without config or layers' };
      const layers = (current['layers'] as unknown[]).map(toDescriptor);
      if (layers.some((l) => !l)) return { ok: false, reason: 'malformed', detail: 'layer descriptor without digest' };
      const images = several ? [chosen!, ...several.filter((n) => n !== chosen)] : undefined;
      return {
        ok: true,
        manifest: {
          config,
          layers: layers as Descriptor[],
          ...(digest ? { manifestDigest: digest } : {}),
          ...(name ? { refName: name } : {}),
        },
        ...(other ? { otherPlatform: other } : {}),
        ...(images ? { images } : {}),
      };
    }
    const all = (current['manifests'] as unknown[]).map(toDescriptor).filter((d): d is Descriptor => d !== undefined);
    // Attestation manifests (buildkit) carry platform unknown/unknown: never pick them.
    let candidates = all.filter((d) => d.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest');
    if (depth === 0) {
      const names = [...new Set(candidates.map(refNameOf).filter((n): n is string => n !== undefined))];
      if (refName) {
        const named = candidates.filter((d) => namesMatch(d, refName));
        // A tag that matches nothing is an error, never another image analysed silently.
        if (named.length === 0) return { ok: false, reason: 'no-tag', available: names };
        candidates = named;
      } else if (names.length > 1 || (candidates.length > 1 && candidates.every((d) => !d.platform))) {
        several = names.length > 1 ? names : candidates.map((d) => refNameOf(d) ?? d.digest);
      }
    }
    const withPlatform = candidates.filter((d) => d.platform);
    let pick: Descriptor | undefined;
    if (withPlatform.length > 0) {
      pick = withPlatform.find((d) => platformMatches(d.platform!, want));
      // One image for another platform, and nobody asked for a platform: show it (analysis, not execution).
      if (!pick && !explicit && withPlatform.length === 1 && candidates.length === 1) pick = withPlatform[0];
      if (!pick && candidates.length === withPlatform.length) {
        return {
          ok: false,
          reason: 'no-platform',
          available: withPlatform.map((d) =>
            [d.platform!.os, d.platform!.architecture, d.platform!.variant].filter(Boolean).join('/'),
          ),
        };
      }
    }
    if (pick?.platform && !platformMatches(pick.platform, want)) other = pick.platform;
    pick ??= candidates.find((d) => !d.platform) ?? candidates[0];
    if (!pick) return { ok: false, reason: 'malformed', detail: 'index lists no manifests' };
    name ??= pick.annotations?.['org.opencontainers.image.ref.name'];
    if (depth === 0) chosen = refNameOf(pick) ?? pick.digest;
    const next = getJson(pick.digest);
    if (next === undefined) return { ok: false, reason: 'missing-blob', digest: pick.digest };
    digest = pick.digest;
    current = obj(next);
  }
  return { ok: false, reason: 'malformed', detail: 'index nesting too deep' };
}

/** One image of a `docker save` manifest.json. */
export interface DockerManifestItem {
  readonly config: string;
  readonly repoTags: string[];
  readonly layers: string[];
}

export function parseDockerManifest(json: unknown): DockerManifestItem[] | undefined {
  if (!Array.isArray(json)) return undefined;
  const out: DockerManifestItem[] = [];
  for (const item of json) {
    const o = obj(item);
    if (typeof o['Config'] !== 'string' || !Array.isArray(o['Layers'])) return undefined;
    out.push({
      config: o['Config'],
      repoTags: Array.isArray(o['RepoTags']) ? o['RepoTags'].filter((t): t is string => typeof t === 'string') : [],
      layers: o['Layers'].filter((t): t is string => typeof t === 'string'),
    });
  }
  return out;
}
