// Builds container-image archives in code, with tar-stream's pack(), for tests:
//   - layer tars from a list of entries (names are written exactly as given: `./x`, `/abs/y`, `../escape`,
//     whiteouts `.wh.NAME`, opaque markers `.wh..wh..opq`, duplicates — whatever the test needs);
//   - docker-save archives: the legacy layout (`<id>/layer.tar`, `<id>/json`, `<id>/VERSION`, `<cfg>.json`,
//     `repositories`, and manifest.json LAST, as `docker save` writes it) and the Docker >= 25 layout
//     (an OCI layout with blobs/sha256 + index.json + oci-layout, plus a compat manifest.json into blobs/);
//   - OCI archives (index.json -> manifest -> config + layers; optionally index.json -> nested index with
//     several platforms -> manifests) and the same as an OCI layout directory;
//   - layers uncompressed, gzip (node:zlib) or zstd (the `zstd` CLI, Debian package zstd), or raw bytes
//     (for corrupt/xz layers).
// Nothing here reads slimtui's code: it only writes the formats.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';

export type EntrySpec =
  | { name: string; type?: 'file'; content?: string | Buffer; size?: number; mode?: number; uid?: number; gid?: number }
  | { name: string; type: 'directory'; mode?: number; uid?: number; gid?: number }
  | { name: string; type: 'symlink' | 'link'; linkname: string; mode?: number };

export type Compression = 'none' | 'gzip' | 'zstd';

const MTIME = new Date('2024-01-01T00:00:00Z');

/** A file entry of `size` bytes (content 'a'…), for size arithmetic. */
export const file = (name: string, size: number, mode = 0o644): EntrySpec => ({ name, size, mode });
export const dir = (name: string, mode = 0o755): EntrySpec => ({ name, type: 'directory', mode });
export const hardlink = (name: string, target: string): EntrySpec => ({ name, type: 'link', linkname: target });
export const symlink = (name: string, target: string): EntrySpec => ({ name, type: 'symlink', linkname: target });
/** A whiteout as Docker writes it: an empty regular file named `.wh.NAME`. */
export const whiteout = (name: string): EntrySpec => {
  const i = name.lastIndexOf('/');
  return { name: i < 0 ? `.wh.${name}` : `${name.slice(0, i)}/.wh.${name.slice(i + 1)}`, size: 0, mode: 0o600 };
};
export const opaque = (dirName: string): EntrySpec => ({
  name: `${dirName.replace(/\/$/, '')}/.wh..wh..opq`,
  size: 0,
  mode: 0o600,
});

function contentOf(e: EntrySpec & { type?: 'file' }): Buffer {
  if (e.content !== undefined) return Buffer.isBuffer(e.content) ? e.content : Buffer.from(e.content);
  const n = e.size ?? 0;
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = 0x61 + (i % 26);
  return b;
}

/** Packs entries (in the given order, names verbatim) into an uncompressed tar. */
export async function makeTar(entries: readonly EntrySpec[]): Promise<Buffer> {
  const p = tarPack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    p.on('data', (b: unknown) => chunks.push(b as Buffer));
    p.on('end', () => resolve(Buffer.concat(chunks)));
    p.on('error', reject);
  });
  for (const e of entries) {
    const common = {
      name: e.name,
      mode: e.mode ?? 0o644,
      mtime: MTIME,
      uid: 'uid' in e ? (e.uid ?? 0) : 0,
      gid: 'gid' in e ? (e.gid ?? 0) : 0,
    };
    if (e.type === 'directory') p.entry({ ...common, type: 'directory', mode: e.mode ?? 0o755 });
    else if (e.type === 'symlink' || e.type === 'link')
      p.entry({ ...common, type: e.type, linkname: e.linkname, mode: e.mode ?? 0o777 });
    else {
      const c = contentOf(e as EntrySpec & { type?: 'file' });
      p.entry({ ...common, type: 'file', size: c.length }, c);
    }
  }
  p.finalize();
  return done;
}

/** True when the `zstd` CLI is installed. */
export function haveZstd(): boolean {
  try {
    execFileSync('zstd', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function compress(tar: Buffer, how: Compression): Buffer {
  if (how === 'none') return tar;
  if (how === 'gzip') return gzipSync(tar);
  return execFileSync('zstd', ['-q', '-c', '-3'], { input: tar, maxBuffer: 1 << 30 });
}

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

export interface HistorySpec {
  created_by?: string;
  empty_layer?: boolean;
  comment?: string;
}

/** A layer: entries (packed here) or raw blob bytes (used as is: corrupt, xz, …). */
export type LayerSpec = readonly EntrySpec[] | { raw: Buffer; diffId?: string };

export interface ImageSpec {
  layers: readonly LayerSpec[];
  /** Default: one `created_by: "layer N"` entry per layer. `null` leaves history out of the config. */
  history?: readonly HistorySpec[] | null;
  compression?: Compression;
  os?: string;
  architecture?: string;
  variant?: string;
  /** Extra fields merged into the config's `config` object. */
  config?: Record<string, unknown>;
  repoTag?: string;
}

export interface BuiltImage {
  /** Layer blobs as stored (compressed when asked). */
  blobs: Buffer[];
  /** The uncompressed layer tars (empty Buffer for raw layers). */
  tars: Buffer[];
  config: Buffer;
  configDigest: string;
  layerMediaType: string;
}

const MEDIA: Record<Compression, string> = {
  none: 'application/vnd.oci.image.layer.v1.tar',
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
};

/** Packs the layers and writes the config (diff_ids = sha256 of each uncompressed tar). */
export async function buildImageParts(spec: ImageSpec): Promise<BuiltImage> {
  const how = spec.compression ?? 'none';
  const tars: Buffer[] = [];
  const blobs: Buffer[] = [];
  const diffIds: string[] = [];
  for (const l of spec.layers) {
    if ('raw' in l) {
      tars.push(Buffer.alloc(0));
      blobs.push(l.raw);
      diffIds.push(l.diffId ?? `sha256:${sha256(l.raw)}`);
    } else {
      const t = await makeTar(l);
      tars.push(t);
      blobs.push(compress(t, how));
      diffIds.push(`sha256:${sha256(t)}`);
    }
  }
  const history = spec.history === undefined ? spec.layers.map((_, i) => ({ created_by: `layer ${i}` })) : spec.history;
  const cfg: Record<string, unknown> = {
    architecture: spec.architecture ?? 'amd64',
    os: spec.os ?? 'linux',
    ...(spec.variant ? { variant: spec.variant } : {}),
    created: '2024-01-01T00:00:00Z',
    config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['/bin/sh'], ...(spec.config ?? {}) },
    rootfs: { type: 'layers', diff_ids: diffIds },
    ...(history ? { history: history.map((h) => ({ created: '2024-01-01T00:00:00Z', ...h })) } : {}),
  };
  const config = Buffer.from(JSON.stringify(cfg));
  return { blobs, tars, config, configDigest: sha256(config), layerMediaType: MEDIA[how] };
}

interface FileOut {
  name: string;
  data?: Buffer;
  dir?: boolean;
}

async function packFiles(files: readonly FileOut[]): Promise<Buffer> {
  return makeTar(
    files.map((f): EntrySpec => (f.dir ? dir(f.name) : { name: f.name, content: f.data ?? Buffer.alloc(0) })),
  );
}

/** The legacy `docker save` layout, manifest.json written LAST (after the layers, the config and repositories). */
export async function dockerArchiveLegacy(spec: ImageSpec): Promise<Buffer> {
  const img = await buildImageParts(spec);
  const files: FileOut[] = [];
  const layerPaths: string[] = [];
  let parent = '';
  img.blobs.forEach((blob, i) => {
    const id = sha256(`${parent}:${sha256(blob)}:${i}`);
    files.push({ name: `${id}/`, dir: true });
    files.push({ name: `${id}/VERSION`, data: Buffer.from('1.0') });
    files.push({ name: `${id}/json`, data: Buffer.from(JSON.stringify({ id, ...(parent ? { parent } : {}) })) });
    const ext = spec.compression === 'gzip' || spec.compression === 'zstd' ? '.tar.gz' : '.tar';
    files.push({ name: `${id}/layer${ext}`, data: blob });
    layerPaths.push(`${id}/layer${ext}`);
    parent = id;
  });
  const tag = spec.repoTag ?? 'fixture/image:latest';
  files.push({ name: `${img.configDigest}.json`, data: img.config });
  const [repo, t] = tag.split(':') as [string, string];
  files.push({ name: 'repositories', data: Buffer.from(JSON.stringify({ [repo]: { [t]: parent } })) });
  files.push({
    name: 'manifest.json',
    data: Buffer.from(JSON.stringify([{ Config: `${img.configDigest}.json`, RepoTags: [tag], Layers: layerPaths }])),
  });
  return packFiles(files);
}

function imageManifest(img: BuiltImage): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: `sha256:${img.configDigest}`,
        size: img.config.length,
      },
      layers: img.blobs.map((b) => ({ mediaType: img.layerMediaType, digest: `sha256:${sha256(b)}`, size: b.length })),
    }),
  );
}

/** The blobs and index of an OCI layout for one or several platform images. */
async function ociLayoutFiles(
  specs: readonly ImageSpec[],
  nested: boolean,
  tag: string,
): Promise<{ blobs: Map<string, Buffer>; index: Buffer; built: BuiltImage[]; manifests: Buffer[] }> {
  const blobs = new Map<string, Buffer>();
  const built: BuiltImage[] = [];
  const manifests: Buffer[] = [];
  const descs: unknown[] = [];
  for (const spec of specs) {
    const img = await buildImageParts(spec);
    built.push(img);
    for (const b of img.blobs) blobs.set(sha256(b), b);
    blobs.set(img.configDigest, img.config);
    const m = imageManifest(img);
    manifests.push(m);
    blobs.set(sha256(m), m);
    descs.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: `sha256:${sha256(m)}`,
      size: m.length,
      ...(nested
        ? {
            platform: {
              os: spec.os ?? 'linux',
              architecture: spec.architecture ?? 'amd64',
              ...(spec.variant ? { variant: spec.variant } : {}),
            },
          }
        : {}),
      ...(nested ? {} : { annotations: { 'org.opencontainers.image.ref.name': tag } }),
    });
  }
  let index: Buffer;
  if (nested) {
    const inner = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: descs }),
    );
    blobs.set(sha256(inner), inner);
    index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.index.v1+json',
            digest: `sha256:${sha256(inner)}`,
            size: inner.length,
            annotations: { 'org.opencontainers.image.ref.name': tag },
          },
        ],
      }),
    );
  } else {
    index = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: descs }),
    );
  }
  return { blobs, index, built, manifests };
}

const OCI_LAYOUT = Buffer.from('{"imageLayoutVersion":"1.0.0"}');

/** A Docker >= 25 `docker save`: an OCI layout plus a compat manifest.json pointing into blobs/ (written last). */
export async function dockerArchiveOciStyle(spec: ImageSpec): Promise<Buffer> {
  const tag = spec.repoTag ?? 'fixture/image:latest';
  const { blobs, index, built } = await ociLayoutFiles([spec], false, tag);
  const img = built[0]!;
  const files: FileOut[] = [
    { name: 'blobs/', dir: true },
    { name: 'blobs/sha256/', dir: true },
  ];
  for (const [hex, b] of blobs) files.push({ name: `blobs/sha256/${hex}`, data: b });
  files.push({ name: 'index.json', data: index });
  files.push({ name: 'oci-layout', data: OCI_LAYOUT });
  files.push({
    name: 'manifest.json',
    data: Buffer.from(
      JSON.stringify([
        {
          Config: `blobs/sha256/${img.configDigest}`,
          RepoTags: [tag],
          Layers: img.blobs.map((b) => `blobs/sha256/${sha256(b)}`),
        },
      ]),
    ),
  });
  return packFiles(files);
}

export interface OciOptions {
  /** Put the image manifests behind a nested index with per-platform descriptors. */
  nested?: boolean;
  tag?: string;
  /** Write index.json first (default) or last. */
  indexLast?: boolean;
  /** Blob digests (hex) to leave out, for missing-blob tests. */
  omit?: readonly string[];
}

/** An OCI archive (what `skopeo copy … oci-archive:` writes): oci-layout, index.json, blobs/sha256/*. */
export async function ociArchive(specs: ImageSpec | readonly ImageSpec[], opts: OciOptions = {}): Promise<Buffer> {
  const list = Array.isArray(specs) ? (specs as ImageSpec[]) : [specs as ImageSpec];
  const { blobs, index } = await ociLayoutFiles(list, opts.nested ?? list.length > 1, opts.tag ?? 'latest');
  const files: FileOut[] = [{ name: 'oci-layout', data: OCI_LAYOUT }];
  if (!opts.indexLast) files.push({ name: 'index.json', data: index });
  files.push({ name: 'blobs/', dir: true }, { name: 'blobs/sha256/', dir: true });
  for (const [hex, b] of blobs) if (!opts.omit?.includes(hex)) files.push({ name: `blobs/sha256/${hex}`, data: b });
  if (opts.indexLast) files.push({ name: 'index.json', data: index });
  return packFiles(files);
}

/** The same as ociArchive, written as an OCI image layout directory. */
export async function ociLayoutDir(
  dirPath: string,
  specs: ImageSpec | readonly ImageSpec[],
  opts: OciOptions = {},
): Promise<void> {
  const list = Array.isArray(specs) ? (specs as ImageSpec[]) : [specs as ImageSpec];
  const { blobs, index } = await ociLayoutFiles(list, opts.nested ?? list.length > 1, opts.tag ?? 'latest');
  await mkdir(join(dirPath, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dirPath, 'oci-layout'), OCI_LAYOUT);
  await writeFile(join(dirPath, 'index.json'), index);
  for (const [hex, b] of blobs)
    if (!opts.omit?.includes(hex)) await writeFile(join(dirPath, 'blobs', 'sha256', hex), b);
}

/** Wraps arbitrary files into a tar (a "non-image tar", or a hand-broken archive). */
export async function plainTar(files: Record<string, string | Buffer>): Promise<Buffer> {
  return makeTar(Object.entries(files).map(([name, content]) => ({ name, content })));
}
