import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract as tarExtract } from 'tar-stream';
import type { Image, Platform, SourceKind, Warning } from '../model/image.js';
import { normaliseName } from '../model/paths.js';
import { blobPath, parseDockerManifest, resolveIndex, type DockerManifestItem } from '../model/oci-index.js';
import { parseImageConfig, platformMatches } from '../model/image-config.js';
import { platformString } from '../model/image.js';
import { outerFileName } from './outer-entry.js';
import type { ContentAnalyser, LayerTap } from './content-analyser.js';
import { sniff } from './decompress.js';
import { archiveTarStream } from './archive-stream.js';
import { drain, peek, readAll, toReadable } from './byte-stream.js';
import { readLayer, type ParsedLayer, type TarEntry } from './layer-reader.js';
import { assembleImage, type LayerBlob } from './assemble-image.js';
import { SlimError, messages } from './errors.js';
import type { ProgressListener } from './progress.js';

export interface ArchiveReadOptions {
  readonly reference: string;
  readonly source: SourceKind;
  readonly analysers: readonly ContentAnalyser[];
  readonly taps?: readonly LayerTap[];
  /** The platform to pick from a multi-platform index. */
  readonly platform: Platform;
  /** True when the user chose the platform (a single-platform image that differs is then an error). */
  readonly platformExplicit?: boolean;
  /** A tag (`name:tag`) to pick from an archive holding several images. */
  readonly tag?: string;
  readonly totalBytes?: number;
  readonly onProgress?: ProgressListener;
  /** What the archive is, for messages. */
  readonly what: string;
}

const METADATA_CAP = 64 << 20;

class ByteCounter extends Transform {
  bytes = 0;
  constructor(private readonly tick: (bytes: number) => void) {
    super({ highWaterMark: 1 << 20 });
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.tick(this.bytes);
    done(null, chunk);
  }
}

/** Everything an archive's single pass collected, before the manifest says what is what. */
interface Collected {
  readonly json: Map<string, Buffer>;
  readonly layers: Map<string, ParsedLayer>;
  readonly failed: Map<string, SlimError>;
  readonly links: Map<string, string>;
}

/**
 * Reads a `docker save` archive (legacy or OCI layout, compressed layers too) or an OCI archive in one
 * sequential pass: small JSON files are kept, every layer-looking blob is parsed as it streams by
 * (manifest.json often comes last), and the manifest then says which blobs are the image's layers.
 */
export async function readImageArchive(input: AsyncIterable<Uint8Array>, opts: ArchiveReadOptions): Promise<Image> {
  const collected: Collected = { json: new Map(), layers: new Map(), failed: new Map(), links: new Map() };
  let layersRead = 0;
  const counter = new ByteCounter((bytes) => opts.onProgress?.({ stage: 'reading', bytes, layersRead, ...(opts.totalBytes ? { totalBytes: opts.totalBytes } : {}) }));
  const outer = tarExtract();
  // The archive itself may be compressed (`docker save IMAGE | gzip > img.tar.gz`); anything else that is
  // not a tar is not an image archive.
  const { stream, decompress } = await archiveTarStream(input, opts.what);
  const stages: Transform[] = [counter, ...decompress];
  let pipeError: unknown;
  const feeding = pipeline(toReadable(stream), ...(stages as [Transform]), outer).catch((e: unknown) => {
    pipeError = e;
  });

  try {
    for await (const te of outer as unknown as AsyncIterable<TarEntry>) {
      const path = outerFileName(te, collected.links);
      if (path === undefined) continue;
      const { head, stream } = await peek(te, 512);
      const kind = sniff(head);
      if (kind === 'json' || /(^|\/)(manifest\.json|index\.json|repositories|oci-layout|VERSION|json)$/.test(path) || path.endsWith('.json')) {
        collected.json.set(path, await readAll(stream, METADATA_CAP, () => new SlimError(messages.tooBig(path))));
      } else if (kind === 'tar' || kind === 'gzip' || kind === 'zstd') {
        try {
          collected.layers.set(path, await readLayer(stream, { what: `layer ${path} of ${opts.what}`, analysers: opts.analysers, ...(opts.taps ? { taps: opts.taps } : {}) }));
          layersRead++;
        } catch (e) {
          if (!(e instanceof SlimError)) throw e;
          collected.failed.set(path, e);
          // The layer's pipeline has let go of the entry; let the rest of it flow out so the archive goes on.
          te.resume();
        }
      } else {
        if (kind === 'xz' || kind === 'bzip2') collected.failed.set(path, new SlimError(messages.unknownCompression(`layer ${path} of ${opts.what}`, kind)));
        await drain(stream);
      }
    }
  } catch (e) {
    await feeding;
    if (e instanceof SlimError) throw e;
    throw new SlimError(messages.truncated(opts.what, errorText(pipeError ?? e)));
  }
  await feeding;
  if (pipeError) throw new SlimError(messages.truncated(opts.what, errorText(pipeError)));
  opts.onProgress?.({ stage: 'analysing', bytes: counter.bytes, layersRead });
  return resolveCollected(collected, opts);
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function resolvePath(c: Collected, path: string): string {
  let p = path;
  for (let i = 0; i < 16 && c.links.has(p); i++) p = c.links.get(p)!;
  return p;
}

function layerAt(c: Collected, rawPath: string, opts: ArchiveReadOptions): ParsedLayer {
  const n = normaliseName(rawPath);
  const path = resolvePath(c, n.ok ? n.path : rawPath);
  const failed = c.failed.get(path);
  if (failed) throw failed;
  const layer = c.layers.get(path);
  if (!layer) throw new SlimError(messages.missingBlob(`${rawPath} in ${opts.what}`));
  return layer;
}

function jsonAt(c: Collected, rawPath: string): Buffer | undefined {
  const n = normaliseName(rawPath);
  return c.json.get(resolvePath(c, n.ok ? n.path : rawPath));
}

function parseJson(buf: Buffer, what: string): unknown {
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

function resolveCollected(c: Collected, opts: ArchiveReadOptions): Image {
  const manifestBuf = c.json.get('manifest.json');
  const indexBuf = c.json.get('index.json');
  const warnings: Warning[] = [];
  if (manifestBuf) {
    const items = parseDockerManifest(parseJson(manifestBuf, 'manifest.json'));
    if (!items || items.length === 0) throw new SlimError(messages.badJson('manifest.json'));
    const item = pickItem(items, opts.tag, warnings);
    const configBytes = jsonAt(c, item.config);
    if (!configBytes) throw new SlimError(messages.missingBlob(`${item.config} in ${opts.what}`));
    checkPlatform(configBytes, opts);
    const layers: LayerBlob[] = item.layers.map((p) => {
      const parsed = layerAt(c, p, opts);
      const n = normaliseName(p);
      const digest = digestFromBlobPath(resolvePath(c, n.ok ? n.path : p));
      return { parsed, ...(digest ? { digest } : {}) };
    });
    return assembleImage({ reference: opts.reference, source: opts.source === 'oci-archive' ? 'docker-archive' : opts.source, configBytes, layers, repoTags: item.repoTags, warnings });
  }
  if (indexBuf) {
    const getJson = (digest: string): unknown => {
      const p = blobPath(digest);
      const b = p ? c.json.get(p) : undefined;
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
    const configBytes = configPath ? c.json.get(configPath) : undefined;
    if (!configBytes) throw new SlimError(messages.missingBlob(`${m.config.digest} in ${opts.what}`));
    checkPlatform(configBytes, opts);
    const layers: LayerBlob[] = m.layers.map((d) => {
      const p = blobPath(d.digest);
      if (!p) throw new SlimError(messages.missingBlob(`${d.digest} in ${opts.what}`));
      return { parsed: layerAt(c, p, opts), digest: d.digest };
    });
    return assembleImage({ reference: opts.reference, source: opts.source === 'docker-archive' ? 'oci-archive' : opts.source, configBytes, layers, ...(m.refName ? { repoTags: [m.refName] } : {}), warnings });
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

function checkPlatform(configBytes: Buffer, opts: ArchiveReadOptions): void {
  if (!opts.platformExplicit) return;
  const cfg = parseImageConfig(parseJson(configBytes, 'image config'));
  if (!platformMatches(cfg.platform, opts.platform)) throw new SlimError(messages.platformMissing(platformString(opts.platform), [platformString(cfg.platform)]));
}
