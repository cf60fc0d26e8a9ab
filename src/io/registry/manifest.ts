import { createHash } from 'node:crypto';
import type { Platform } from '../../model/image.js';
import { platformString } from '../../model/image.js';
import { resolveIndex, type ResolvedManifest } from '../../model/oci-index.js';
import type { RegistryClient } from './client.js';
import { errorCodes } from './client.js';
import { canonicalName, manifestReference, type RegistryReference } from './reference.js';
import { RegistryError } from './registry-error.js';

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;
const ACCEPT = [MEDIA.ociIndex, MEDIA.dockerList, MEDIA.ociManifest, MEDIA.dockerManifest];
const SCHEMA1 = /^application\/vnd\.docker\.distribution\.manifest\.v1\+/;
const MANIFEST_CAP = 4 << 20;

export interface FetchedManifest {
  readonly bytes: Buffer;
  readonly mediaType: string;
  readonly digest: string;
}

/** Checks `bytes` against an OCI digest (sha256 or sha512); undefined when the algorithm is unknown. */
export function digestMatches(digest: string, bytes: Buffer): boolean | undefined {
  const [algo, hex] = digest.split(':');
  if ((algo !== 'sha256' && algo !== 'sha512') || !hex) return undefined;
  return createHash(algo).update(bytes).digest('hex') === hex.toLowerCase();
}

async function readCapped(body: AsyncIterable<Uint8Array>, cap: number, what: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of body) {
    n += c.byteLength;
    if (n > cap) throw new RegistryError(`${what} is larger than ${cap >> 20} MiB; not an image manifest`);
    parts.push(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
  }
  return Buffer.concat(parts);
}

/** Tells an unknown repository from an unknown tag (registries answer MANIFEST_UNKNOWN for both): the tag list. */
async function repositoryUnknown(client: RegistryClient): Promise<boolean> {
  try {
    const r = await client.get('tags/list?n=1');
    if (r.status !== 404) {
      await r.body.dump().catch(() => undefined);
      return false;
    }
    return (await errorCodes(r)).includes('NAME_UNKNOWN');
  } catch {
    return false;
  }
}

/** GET one manifest (by tag or digest), verified against its digest when it was asked for by digest. */
export async function fetchManifest(client: RegistryClient, reference: string): Promise<FetchedManifest> {
  const ref = client.ref;
  const what = reference.includes(':')
    ? `${ref.domain}/${ref.path}@${reference}`
    : `${ref.domain}/${ref.path}:${reference}`;
  const r = await client.get(`manifests/${reference}`, { accept: ACCEPT });
  if (r.status === 404) {
    const codes = await errorCodes(r);
    if (codes.includes('NAME_UNKNOWN') || (await repositoryUnknown(client)))
      throw new RegistryError(`repository not found: ${ref.domain}/${ref.path} (registry says NAME_UNKNOWN)`);
    throw new RegistryError(
      `${reference.includes(':') ? 'manifest' : 'tag'} not found: ${what}${codes.length ? ` (registry says ${codes.join(', ')})` : ''}`,
    );
  }
  if (r.status !== 200) {
    const codes = await errorCodes(r);
    throw new RegistryError(
      `registry ${ref.domain} answered HTTP ${r.status} for ${what}${codes.length ? ` (${codes.join(', ')})` : ''}`,
    );
  }
  const bytes = await readCapped(r.body, MANIFEST_CAP, `the manifest of ${what}`);
  const ct = String(r.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  let mediaType = ct;
  try {
    const j = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown; schemaVersion?: unknown };
    if (typeof j.mediaType === 'string') mediaType = j.mediaType;
    if (j.schemaVersion === 1) mediaType = 'application/vnd.docker.distribution.manifest.v1+json';
  } catch {
    throw new RegistryError(`corrupt manifest of ${what}: not valid JSON`);
  }
  if (SCHEMA1.test(mediaType))
    throw new RegistryError(
      `${what} is a Docker schema 1 manifest, which slimtui does not read (re-push it with a current docker or skopeo)`,
    );
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (reference.includes(':')) {
    const ok = digestMatches(reference, bytes);
    if (ok === false) throw new RegistryError(`the manifest of ${what} does not match its digest`);
    if (ok === undefined) throw new RegistryError(`unsupported digest algorithm in ${reference}`);
  }
  return { bytes, mediaType, digest };
}

export interface ResolvedImage {
  readonly manifest: ResolvedManifest;
  /** Digest of what the reference named (the index for a multi-platform image): docker's RepoDigest. */
  readonly topDigest: string;
  readonly otherPlatform?: Platform;
}

/** Reference → (index → platform's manifest) → image manifest, with model/oci-index's platform rules. */
export async function resolveImage(
  client: RegistryClient,
  ref: RegistryReference,
  platform: Platform,
  explicit: boolean,
): Promise<ResolvedImage> {
  const top = await fetchManifest(client, manifestReference(ref));
  const parse = (m: FetchedManifest): unknown => JSON.parse(m.bytes.toString('utf8'));
  const children = new Map<string, unknown>();
  for (let attempt = 0; attempt < 8; attempt++) {
    const res = resolveIndex(parse(top), (d) => children.get(d), platform, undefined, explicit);
    if (res.ok) {
      return {
        manifest: { ...res.manifest, manifestDigest: res.manifest.manifestDigest ?? top.digest },
        topDigest: top.digest,
        ...(res.otherPlatform ? { otherPlatform: res.otherPlatform } : {}),
      };
    }
    if (res.reason === 'no-platform')
      throw new RegistryError(
        `no image for platform ${platformString(platform)} in ${canonicalName(ref)} (available: ${res.available.join(', ') || 'none'})`,
      );
    if (res.reason === 'malformed') throw new RegistryError(`corrupt manifest of ${canonicalName(ref)}: ${res.detail}`);
    // No ref-name is asked for (the registry's tag already chose the manifest), so the walk never says no-tag.
    if (res.reason === 'no-tag')
      throw new RegistryError(`corrupt manifest of ${canonicalName(ref)}: no manifest for the tag`);
    children.set(res.digest, parse(await fetchManifest(client, res.digest)));
  }
  throw new RegistryError(`corrupt manifest of ${canonicalName(ref)}: index nesting too deep`);
}
