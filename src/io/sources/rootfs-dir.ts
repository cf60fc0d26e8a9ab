import { createReadStream, promises as fs, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { Entry } from '../../model/entry.js';
import type { Image, Platform, Warning } from '../../model/image.js';
import type { ContentAnalyser, ContentSink } from '../content-analyser.js';
import { SlimError, messages } from '../errors.js';
import { fsMessage } from './archive-file.js';
import type { ProgressListener } from '../progress.js';

export interface DirReadOptions {
  readonly reference: string;
  readonly analysers: readonly ContentAnalyser[];
  readonly platform: Platform;
  readonly onProgress?: ProgressListener;
}

const S_IFMT = 0o170000;

async function feed(path: string, entry: Entry, analysers: readonly ContentAnalyser[], warnings: Warning[]): Promise<void> {
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
export async function readRootfsDir(dir: string, opts: DirReadOptions): Promise<Image> {
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
    reference: opts.reference,
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
