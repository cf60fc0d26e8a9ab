import { normaliseName, parentOf } from '../model/paths.js';
import type { TarEntry } from './layer-reader.js';

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
    const linkname = te.header.linkname ?? '';
    const target = type === 'link' ? normaliseName(linkname) : normaliseName(`${parentOf(name)}/${linkname}`);
    if (n.ok && target.ok) links.set(name, target.path);
    te.resume();
    return undefined;
  }
  if (!n.ok || name === '' || (type !== 'file' && type !== 'contiguous-file')) {
    te.resume();
    return undefined;
  }
  return name;
}
