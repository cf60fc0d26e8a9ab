import { promises as fs } from 'node:fs';
import { fileChunks } from '../file-chunks.js';
import type { Image } from '../../model/image.js';
import { readImageArchive, type ArchiveReadOptions } from '../archive-reader.js';
import { SlimError, messages } from '../errors.js';

/** A `docker save` or OCI archive on disk (or `-` for standard input), read in one pass. */
export async function readArchiveFile(path: string, opts: Omit<ArchiveReadOptions, 'what' | 'totalBytes'>): Promise<Image> {
  if (path === '-') return readImageArchive(process.stdin, { ...opts, what: 'standard input' });
  let size: number;
  try {
    const st = await fs.stat(path);
    if (st.isDirectory()) throw new SlimError(`${path} is a directory; use oci:${path} for an OCI layout or dir:${path} for a folder`);
    size = st.size;
  } catch (e) {
    if (e instanceof SlimError) throw e;
    throw new SlimError(fsMessage(e, path));
  }
  return readImageArchive(fileChunks(path), { ...opts, what: path, totalBytes: size });
}

export function fsMessage(e: unknown, path: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return messages.fileNotFound(path);
  if (code === 'EACCES' || code === 'EPERM') return `permission denied: ${path}`;
  if (code === 'ENOTDIR') return messages.notADirectory(path);
  return `cannot read ${path}: ${(e as Error).message}`;
}
