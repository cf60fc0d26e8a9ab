/**
 * Which blobs of an image archive (docker save, legacy or OCI inside; an OCI archive) make the image: read from
 * manifest.json, else index.json, once the archive's small JSON files are in hand. Shared by the one-pass
 * stream read (archive-reader.ts) and the random-access listing of an archive file (archive-file.ts).
 */
import type { Platform, SourceKind, Warning } from '../model/image.js';
import { platformString } from '../model/image.js';
import { parseImageConfig, platformMatches } from '../model/image-config.js';
import {
  blobPath,
  parseDockerManifest,
  resolveIndex,
  type DockerManifestItem,
  type IndexResolution,
} from '../model/oci-index.js';
import { normaliseName } from '../model/paths.js';
import { SlimError, messages } from './errors.js';

export interface ManifestChoice {
  readonly platform: Platform;
  readonly platformExplicit?: boolean;
  /** A tag (`name:tag`) to pick from an archive holding several images. */
  readonly tag?: string;
  /** The kind the user asked for (docker-archive or oci-archive; an engine's kind). */
  readonly source: SourceKind;
  /** What the archive is, for messages. */
  readonly what: string;
}

/** The archive's files as far as the manifest needs them: names already normalised and links followed. */
export interface ArchiveNames {
  /** A small JSON file's bytes, or undefined. */
  json(path: string): Buffer | undefined;
  /** The regular file a (normalised) name ends at, after the archive's links. */
  resolve(path: string): string;
}

export interface ArchiveLayout {
  readonly configBytes: Buffer;
  /** The config's digest as the manifest names it (to check against its bytes). */
  readonly configDigest?: string;
  /**
   * One per layer position, in order: the outer file that holds it (links followed), its digest when named by
   * one, and the stored size its descriptor states (OCI).
   */
  readonly layers: readonly { readonly path: string; readonly digest?: string; readonly expectedSize?: number }[];
  readonly repoTags: readonly string[];
  /** The kind to record: a docker save with OCI inside is still a docker-archive, and vice versa. */
  readonly source: SourceKind;
  readonly warnings: Warning[];
}

export function parseJson(buf: Buffer, what: string): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    throw new SlimError(messages.badJson(what));
  }
}

const digestFromBlobPath = (path: string): string | undefined => {
  const m = /^blobs\/([a-z0-9]+)\/([a-f0-9]{32,})$/.exec(path);
  return m ? `${m[1]}:${m[2]}` : undefined;
};

const normalised = (raw: string): string => {
  const n = normaliseName(raw);
  return n.ok ? n.path : raw;
};

/** Reads the manifest (docker's manifest.json first, else the OCI index) and says which files make the image. */
export function resolveArchiveLayout(names: ArchiveNames, opts: ManifestChoice): ArchiveLayout {
  const manifestBuf = names.json('manifest.json');
  const indexBuf = names.json('index.json');
  const warnings: Warning[] = [];
  if (manifestBuf) {
    const items = parseDockerManifest(parseJson(manifestBuf, 'manifest.json'));
    if (!items)
      throw new SlimError(
        messages.notAManifest('manifest.json', 'a docker save manifest (an array of {Config, RepoTags, Layers})'),
      );
    if (items.length === 0) throw new SlimError(`manifest.json lists no images`);
    const item = pickItem(items, opts, warnings);
    const configPath = names.resolve(normalised(item.config));
    const configBytes = names.json(configPath);
    if (!configBytes) throw new SlimError(messages.missingBlob(`${item.config} in ${opts.what}`));
    // Legacy saves name the config `<sha256 hex>.json`, docker >= 25 `blobs/sha256/<hex>`.
    const legacyHex = /^([a-f0-9]{64})\.json$/.exec(configPath)?.[1];
    const configDigest = legacyHex ? `sha256:${legacyHex}` : digestFromBlobPath(configPath);
    checkPlatform(configBytes, opts);
    const layers = item.layers.map((p) => {
      const path = names.resolve(normalised(p));
      const digest = digestFromBlobPath(path);
      return { path, ...(digest ? { digest } : {}) };
    });
    return {
      configBytes,
      ...(configDigest ? { configDigest } : {}),
      layers,
      repoTags: item.repoTags,
      source: opts.source === 'oci-archive' ? 'docker-archive' : opts.source,
      warnings,
    };
  }
  if (indexBuf) {
    const getJson = (digest: string): unknown => {
      const p = blobPath(digest);
      const b = p ? names.json(names.resolve(p)) : undefined;
      return b ? parseJson(b, `blob ${digest}`) : undefined;
    };
    const res = resolveIndex(
      parseJson(indexBuf, 'index.json'),
      getJson,
      opts.platform,
      opts.tag,
      opts.platformExplicit === true,
    );
    if (!res.ok) throw indexFailure(res, opts);
    const m = res.manifest;
    warnings.push(...indexWarnings(res, opts));
    const configPath = blobPath(m.config.digest);
    const configBytes = configPath ? names.json(names.resolve(configPath)) : undefined;
    if (!configBytes) throw new SlimError(messages.missingBlob(`${m.config.digest} in ${opts.what}`));
    checkPlatform(configBytes, opts);
    const layers = m.layers.map((d) => {
      const p = blobPath(d.digest);
      if (!p) throw new SlimError(messages.missingBlob(`${d.digest} in ${opts.what}`));
      return { path: names.resolve(p), digest: d.digest, ...(d.size > 0 ? { expectedSize: d.size } : {}) };
    });
    return {
      configBytes,
      configDigest: m.config.digest,
      layers,
      repoTags: m.refName ? [m.refName] : [],
      source: opts.source === 'docker-archive' ? 'oci-archive' : opts.source,
      warnings,
    };
  }
  throw new SlimError(messages.notAnImage(opts.what));
}

/** The error for an index that does not resolve to an image manifest. */
export function indexFailure(
  res: Extract<IndexResolution, { ok: false }>,
  opts: Pick<ManifestChoice, 'platform' | 'tag' | 'what'>,
): SlimError {
  if (res.reason === 'missing-blob') return new SlimError(messages.missingBlob(`${res.digest} in ${opts.what}`));
  if (res.reason === 'no-platform')
    return new SlimError(messages.platformMissing(platformString(opts.platform), res.available));
  if (res.reason === 'no-tag') return new SlimError(messages.tagNotFound(opts.tag ?? '', opts.what, res.available));
  return new SlimError(messages.badIndex(opts.what, res.detail));
}

/** What the user should know about the pick: another platform than the host's, several images in one index. */
export function indexWarnings(
  res: Extract<IndexResolution, { ok: true }>,
  opts: Pick<ManifestChoice, 'platform' | 'what'>,
): Warning[] {
  const out: Warning[] = [];
  if (res.otherPlatform)
    out.push({
      code: 'other',
      message: `the image is for ${platformString(res.otherPlatform)}, not this host's ${platformString(opts.platform)}`,
    });
  if (res.images && res.images.length > 1)
    out.push({
      code: 'other',
      message: messages.severalImages(res.images.length, opts.what, res.images[0]!, res.images.slice(1)),
    });
  return out;
}

/** `name:tag` as asked, against a manifest.json item's tags (`name` alone means `name:latest`). */
function tagMatches(item: DockerManifestItem, tag: string): boolean {
  const want = tag.includes(':') ? tag : `${tag}:latest`;
  return item.repoTags.some(
    (t) => t === tag || t === want || t === `docker.io/${want}` || t === `docker.io/library/${want}`,
  );
}

function pickItem(items: DockerManifestItem[], opts: ManifestChoice, warnings: Warning[]): DockerManifestItem {
  const name = (i: DockerManifestItem): string => i.repoTags[0] ?? i.config;
  if (opts.tag) {
    const hit = items.find((i) => tagMatches(i, opts.tag!));
    // A tag that matches nothing is an error, never another image analysed silently.
    if (!hit)
      throw new SlimError(
        messages.tagNotFound(
          opts.tag,
          opts.what,
          items.flatMap((i) => i.repoTags),
        ),
      );
    return hit;
  }
  if (items.length > 1)
    warnings.push({
      code: 'other',
      message: messages.severalImages(items.length, opts.what, name(items[0]!), items.slice(1).map(name)),
    });
  return items[0]!;
}

function checkPlatform(configBytes: Buffer, opts: ManifestChoice): void {
  if (!opts.platformExplicit) return;
  const cfg = parseImageConfig(parseJson(configBytes, 'image config'));
  if (!platformMatches(cfg.platform, opts.platform))
    throw new SlimError(messages.platformMissing(platformString(opts.platform), [platformString(cfg.platform)]));
}
