/**
 * `dir:PATH` (or a bare directory without index.json): a folder analysed as a one-layer image. Preview and
 * whole-file reads open the file itself, never following a symlink, never leaving the folder.
 */
import { constants, createReadStream, promises as fs, type Stats } from 'node:fs';
import { join, sep } from 'node:path';
import type { Entry } from '../../model/entry.js';
import type { Image, Warning } from '../../model/image.js';
import { normaliseName } from '../../model/paths.js';
import type { ReadFiles } from '../../model/ports.js';
import type { ByteStore, StoredFile } from '../byte-store.js';
import type { ContentAnalyser, ContentSink } from '../content-analyser.js';
import { SlimError, messages } from '../errors.js';
import { collectFileSet } from '../file-set.js';
import { fsMessage } from '../fs-message.js';
import { NotFound, PREVIEW_CAP } from '../layer-files.js';
import type { ImageSource, LoadOptions } from './image-source.js';
import type { SourceSpec } from './source-spec.js';

const S_IFMT = 0o170000;

async function feed(
  path: string,
  entry: Entry,
  analysers: readonly ContentAnalyser[],
  warnings: Warning[],
): Promise<void> {
  const sinks: ContentSink[] = analysers.filter((a) => a.wants(entry)).map((a) => a.open(entry));
  if (sinks.length === 0) return;
  let open = sinks.slice();
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      open = open.filter((s) => s.write(chunk as Buffer));
      if (open.length === 0) break;
    }
    for (const s of sinks) await s.end();
  } catch (e) {
    for (const s of sinks) s.abort?.();
    warnings.push({ code: 'other', message: `cannot read ${path}: ${(e as Error).message}`, path: entry.path });
  }
}

/**
 * A folder analysed as a one-layer image (a rootfs, a build output). Symlinks are recorded, never
 * followed; a second name for an inode becomes a hard link, as tar would write it.
 */
async function readRootfsDir(dir: string, opts: LoadOptions): Promise<Image> {
  let top: Stats;
  try {
    top = await fs.stat(dir);
  } catch (e) {
    throw new SlimError(fsMessage(e, dir));
  }
  if (!top.isDirectory()) throw new SlimError(messages.notADirectory(dir));
  const entries: Entry[] = [];
  const warnings: Warning[] = [];
  const inodes = new Map<string, string>();
  let size = 0;
  let bytes = 0;

  const walk = async (abs: string, rel: string): Promise<void> => {
    let names: string[];
    try {
      names = (await fs.readdir(abs)).sort();
    } catch (e) {
      warnings.push({ code: 'other', message: fsMessage(e, abs), path: rel });
      return;
    }
    for (const name of names) {
      const childAbs = join(abs, name);
      const path = rel === '' ? name : `${rel}/${name}`;
      let st: Stats;
      try {
        st = await fs.lstat(childAbs);
      } catch (e) {
        warnings.push({ code: 'other', message: fsMessage(e, childAbs), path });
        continue;
      }
      const base = { path, mode: st.mode & ~S_IFMT, uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000) };
      if (st.isDirectory()) {
        entries.push({ ...base, kind: 'dir', size: 0 });
        await walk(childAbs, path);
      } else if (st.isSymbolicLink()) {
        entries.push({ ...base, kind: 'symlink', size: 0, linkTarget: await fs.readlink(childAbs) });
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? inodes.get(key) : undefined;
        if (first !== undefined) {
          entries.push({ ...base, kind: 'hardlink', size: 0, linkTarget: first });
          continue;
        }
        if (st.nlink > 1) inodes.set(key, path);
        const entry: Entry = { ...base, kind: 'file', size: st.size };
        entries.push(entry);
        size += st.size;
        await feed(childAbs, entry, opts.analysers, warnings);
        bytes += st.size;
        opts.onProgress?.({ stage: 'reading', bytes, layersRead: 0, layerCount: 1 });
      } else if (st.isFIFO() || st.isCharacterDevice() || st.isBlockDevice()) {
        entries.push({ ...base, kind: 'other', size: 0 });
      }
    }
  };
  await walk(dir, '');
  return {
    reference: dir,
    source: 'dir',
    repoTags: [],
    repoDigests: [],
    platform: opts.platform,
    config: { env: [], labels: {} },
    history: [],
    layers: [{ index: 0, size, tarSize: size, compression: 'none', entries }],
    warnings,
  };
}

/** The head of a file of the folder, never following a symlink, never leaving the folder. */
async function headFromDir(dir: string, path: string, cap: number): Promise<Buffer> {
  const n = normaliseName(path);
  if (!n.ok || n.path === '') throw new NotFound(`bad path ${path}`);
  const handle = await fs.open(join(dir, n.path), constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const buf = Buffer.alloc(cap);
    const { bytesRead } = await handle.read(buf, 0, cap, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** A regular file of the folder into `store`, or undefined (a symlink, outside the folder, gone). */
async function wholeFromDir(dir: string, path: string, store: ByteStore): Promise<StoredFile | undefined> {
  const n = normaliseName(path);
  if (!n.ok || n.path === '') return undefined;
  const root = await fs.realpath(dir);
  const full = join(root, n.path);
  let parent: string;
  try {
    parent = await fs.realpath(join(full, '..'));
  } catch {
    return undefined;
  }
  if (parent !== root && !parent.startsWith(root + sep)) return undefined;
  let handle;
  try {
    handle = await fs.open(full, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return undefined;
    const w = store.begin(st.size);
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let pos = 0; ;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      w.write(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
    return w.end();
  } finally {
    await handle.close();
  }
}

export function open(spec: SourceSpec): ImageSource {
  const dir = spec.location;
  const readFiles: ReadFiles = (wanted, o = {}) =>
    collectFileSet(wanted, o, async (groups, store, found) => {
      let bytes = 0;
      for (const p of groups.get(0) ?? []) {
        const f = await wholeFromDir(dir, p, store);
        if (!f) continue;
        found(0, p, f);
        bytes += f.size;
        o.onProgress?.(bytes);
      }
    });
  const source: ImageSource = {
    kind: 'dir',
    spec,
    load: async (opts) => ({
      image: await readRootfsDir(dir, opts),
      source,
      preview: { read: (_layer, path) => headFromDir(dir, path, PREVIEW_CAP) },
      readFiles,
    }),
  };
  return source;
}
