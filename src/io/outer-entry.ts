import { normaliseName, parentOf } from '../model/paths.js';
import type { TarEntry } from './layer-reader.js';

/**
 * Where a link between an image archive's own files points (normalised), or undefined when it cannot be used:
 * a hard link names its target from the archive root, a symlink relative to its own folder. Docker < 25 writes
 * a layer it has already written as `<id>/layer.tar -> ../<id0>/layer.tar`, so `..` is resolved here — inside
 * the archive only (a target above its root is refused). These are the archive's own names, never a path on
 * disk, and nothing is extracted by them.
 */
export function archiveLinkTarget(name: string, type: 'symlink' | 'link', linkname: string): string | undefined {
  if (linkname === '') return undefined;
  const parts: string[] = [];
  const joined = type === 'link' || linkname.startsWith('/') ? linkname : `${parentOf(name)}/${linkname}`;
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.length > 0 ? parts.join('/') : undefined;
}

/**
 * One entry of an image archive's outer tar: returns its normalised name when it is a regular file (a blob,
 * a layer, a JSON document); otherwise lets it drain, recording links between blobs (legacy `docker save`
 * links repeated layers) in `links`, and returns undefined.
 */
export function outerFileName(te: TarEntry, links: Map<string, string>): string | undefined {
  const n = normaliseName(te.header.name);
  const name = n.ok ? n.path : '';
  const type = te.header.type || 'file';
  if (type === 'symlink' || type === 'link') {
    const target = archiveLinkTarget(name, type, te.header.linkname ?? '');
    if (n.ok && target !== undefined) links.set(name, target);
    te.resume();
    return undefined;
  }
  if (!n.ok || name === '' || (type !== 'file' && type !== 'contiguous-file')) {
    te.resume();
    return undefined;
  }
  return name;
}
