/** The small files whose text the 'text' analyser keeps (paths are normalised: no leading `/`). */
import type { Entry } from '../entry.js';

const EXACT = new Set([
  'etc/ld.so.conf',
  'etc/nsswitch.conf',
  'etc/os-release',
  'usr/lib/os-release',
  'etc/alpine-release',
  'etc/debian_version',
  'etc/redhat-release',
]);

export function isWellKnownTextPath(path: string): boolean {
  if (EXACT.has(path)) return true;
  if (path.startsWith('etc/ld.so.conf.d/') && !path.slice('etc/ld.so.conf.d/'.length).includes('/')) return true;
  // musl's path file: /etc/ld-musl-<arch>.path, also under a prefix (<prefix>/etc/ld-musl-<arch>.path).
  return /(^|\/)etc\/ld-musl-[^/]+\.path$/.test(path);
}

/** The text fact of an entry, if the text analyser kept it. */
export function textOf(entry: Entry | null | undefined): string | undefined {
  const t = entry?.facts?.['text'];
  return typeof t === 'string' ? t : undefined;
}
