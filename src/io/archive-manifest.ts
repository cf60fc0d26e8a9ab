/**
 * Which blobs of an image archive (docker save, legacy or OCI inside; an OCI archive) make the image: read from
 * manifest.json, else index.json, once the archive's small JSON files are in hand. Shared by the one-pass
 * stream read (archive-reader.ts) and the random-access listing of an archive file (archive-file.ts).
 */
import type { Platform, SourceKind, Warning } from '../model/image.js';
import { platformString } from '../model/image.js';
import { parseImageConfig, platformMatches } from '../model/image-config.js';
import { blobPath, parseDockerManifest, resolveIndex, type DockerManifestItem } from '../model/oci-index.js';
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
  /** One per layer position, in order: the outer file that holds it (links followed) and its digest when named by one. */
  readonly layers: readonly { readonly path: string; readonly digest?: string }[];
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
    if (!items || items.length === 0) throw new SlimError(messages.badJson('manifest.json'));
    const item = pickItem(items, opts.tag, warnings);
    const configBytes = names.json(names.resolve(normalised(item.config)));
    if (!configBytes) throw new SlimError(messages.missingBlob(`${item.config} in ${opts.what}`));
    checkPlatform(configBytes, opts);
    const layers = item.layers.map((p) => {
      const path = names.resolve(normalised(p));
      const digest = digestFromBlobPath(path);
      return { path, ...(digest ? { digest } : {}) };
    });
    return { configBytes, layers, repoTags: item.repoTags, source: opts.source === 'oci-archive' ? 'docker-archive' : opts.source, warnings };
  }
  if (indexBuf) {
    const getJson = (digest: string): unknown => {
      const p = blobPath(digest);
      const b = p ? names.json(names.resolve(p)) : undefined;
      return b ? parseJson(b, `blob ${digest}`) : undefined;
    };
    const res = resolveIndex(parseJson(indexBuf, 'index.json'), getJson, opts.platform, opts.tag, opts.platformExplicit === true);
    if (!res.ok) {
      if (res.reason === 'missing-blob') throw new SlimError(messages.missingBlob(`${res.digest} in ${opts.what}`));
      if (res.reason === 'no-platform') throw new SlimError(messages.platformMissing(platformString(opts.platform), res.available));
      throw new SlimError(messages.truncated(opts.what, res.detail));
    }
    const m = res.manifest;
    if (res.otherPlatform) warnings.push({ code: 'other', message: `the image is for ${platformString(res.otherPlatform)}, not this host's ${platformString(opts.platform)}` });
    const configPath = blobPath(m.config.digest);
    const configBytes = configPath ? names.json(names.resolve(configPath)) : undefined;
    if (!configBytes) throw new SlimError(messages.missingBlob(`${m.config.digest} in ${opts.what}`));
    checkPlatform(configBytes, opts);
    const layers = m.layers.map((d) => {
      const p = blobPath(d.digest);
      if (!p) throw new SlimError(messages.missingBlob(`${d.digest} in ${opts.what}`));
      return { path: names.resolve(p), digest: d.digest };
    });
    return { configBytes, layers, repoTags: m.refName ? [m.refName] : [], source: opts.source === 'docker-archive' ? 'oci-archive' : opts.source, warnings };
  }
  throw new SlimError(messages.notAnImage(opts.what));
}

function pickItem(items: DockerManifestItem[], tag: string | undefined, warnings: Warning[]): DockerManifestItem {
  if (tag) {
    const want = tag.includes(':') ? tag : `${tag}:latest`;
    const hit = items.find((i) => i.repoTags.includes(want) || i.repoTags.includes(tag));
    if (hit) return hit;
  }
  if (items.length > 1) warnings.push({ code: 'other', message: `the archive holds ${items.length} images; showing the first (${items[0]!.repoTags[0] ?? items[0]!.config})` });
  return items[0]!;
}

function checkPlatform(configBytes: Buffer, opts: ManifestChoice): void {
  if (!opts.platformExplicit) return;
  const cfg = parseImageConfig(parseJson(configBytes, 'image config'));
  if (!platformMatches(cfg.platform, opts.platform)) throw new SlimError(messages.platformMissing(platformString(opts.platform), [platformString(cfg.platform)]));
}
