import type { Entry } from '../model/entry.js';
import { formatBytes } from '../model/byte-units.js';
import { CH_ADDED, CH_MODIFIED, CH_REMOVED } from './layer-view.js';

/** `drwxr-xr-x`, like ls and dive (setuid/setgid/sticky included). */
export function modeString(e: Entry | null): string {
  if (!e) return '----------';
  const type =
    e.kind === 'dir' ? 'd' : e.kind === 'symlink' ? 'l' : e.kind === 'hardlink' ? '-' : e.kind === 'other' ? 'c' : '-';
  const m = e.mode;
  const bit = (mask: number, c: string): string => (m & mask ? c : '-');
  const exec = (x: number, s: number, on: string, off: string): string =>
    m & s ? (m & x ? on : off) : m & x ? 'x' : '-';
  return (
    type +
    bit(0o400, 'r') +
    bit(0o200, 'w') +
    exec(0o100, 0o4000, 's', 'S') +
    bit(0o040, 'r') +
    bit(0o020, 'w') +
    exec(0o010, 0o2000, 's', 'S') +
    bit(0o004, 'r') +
    bit(0o002, 'w') +
    exec(0o001, 0o1000, 't', 'T')
  );
}

export const changeSymbol = (code: number): string =>
  code === CH_ADDED ? '+' : code === CH_MODIFIED ? '~' : code === CH_REMOVED ? '-' : ' ';

/** Right-aligned size column; directories show their subtree size, a removed directory a dash. */
export const sizeColumn = (n: number, width = 8): string => formatBytes(n).padStart(width);

/** The name part of a row: `name`, `name → target` for links. */
export function nameWithLink(name: string, e: Entry | null): string {
  if (e && (e.kind === 'symlink' || e.kind === 'hardlink') && e.linkTarget !== undefined)
    return `${name} → ${e.kind === 'hardlink' ? '/' : ''}${e.linkTarget}`;
  return e?.kind === 'dir' ? `${name}/` : name;
}

/** Wraps text to `width` columns, hard-breaking long words, at most `maxLines` lines (the last ends with …). */
export function wrapText(text: string, width: number, maxLines: number): string[] {
  const w = Math.max(8, width);
  const lines: string[] = [];
  let rest = text;
  while (rest.length > 0 && lines.length < maxLines) {
    if (rest.length <= w) {
      lines.push(rest);
      rest = '';
      break;
    }
    let cut = rest.lastIndexOf(' ', w);
    if (cut <= 0) cut = w;
    lines.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^ /, '');
  }
  if (rest.length > 0 && lines.length > 0) lines[lines.length - 1] = `${lines[lines.length - 1]!.slice(0, w - 1)}…`;
  return lines;
}
