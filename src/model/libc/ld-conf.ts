/**
 * The loader configuration files as the image holds them: glibc's /etc/ld.so.conf (with `include` globs,
 * relative includes taken from the including file's directory, as ldconfig does) and musl's
 * /etc/ld-musl-<arch>.path. The text comes from the 'text' analyser's facts; only files it captured
 * (/etc/ld.so.conf, /etc/ld.so.conf.d/*) can be read.
 */
import { textOf } from './text-files.js';
import { dirOf, joinRel, type FinalFs } from './final-fs.js';

export interface LdSoConf {
  /** The library directories, in order (absolute, as written, duplicates removed). */
  dirs: string[];
  /** The files read, in order. */
  files: { path: string; text: string }[];
  /** Files named (by `include`) whose text is unavailable. */
  unreadable: string[];
}

const MAX_FILES = 256;

/** Matches one path component against a glob (`*`, `?`, `[...]`). */
export function globMatch(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const j = pattern.indexOf(']', i + 2);
      if (j < 0) re += '\\[';
      else {
        let body = pattern.slice(i + 1, j);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = j;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  try {
    return new RegExp(`${re}$`).test(name) && !(name.startsWith('.') && !pattern.startsWith('.'));
  } catch {
    return false;
  }
}

/** Expands a glob over the final filesystem (wildcards in any component), sorted as glob(3) does. */
export function expandGlob(fs: FinalFs, pattern: string): string[] {
  const parts = pattern.split('/').filter((p) => p !== '' && p !== '.');
  let current = [''];
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k]!;
    const next: string[] = [];
    const wild = /[*?[]/.test(part);
    for (const base of current) {
      if (!wild) {
        const p = joinRel(base, part);
        if (fs.exists(p)) next.push(p);
      } else for (const name of fs.list(base)) if (globMatch(part, name)) next.push(joinRel(base, name));
    }
    current = next;
  }
  return current.filter((p) => p !== '').sort();
}

/** Reads /etc/ld.so.conf and its includes. */
export function readLdSoConf(fs: FinalFs): LdSoConf {
  const out: LdSoConf = { dirs: [], files: [], unreadable: [] };
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (out.files.length >= MAX_FILES || seen.has(path)) return;
    seen.add(path);
    const r = fs.resolve(path);
    if (!r.ok) return;
    const text = textOf(fs.dataEntryOf(r.node));
    if (text === undefined) {
      out.unreadable.push(`/${path}`);
      return;
    }
    out.files.push({ path: `/${path}`, text });
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      if (line === '') continue;
      const inc = /^include\s+(.+)$/.exec(line);
      if (inc) {
        for (let pat of inc[1]!.trim().split(/\s+/)) {
          if (!pat.startsWith('/')) pat = `/${joinRel(dirOf(path), pat)}`;
          for (const p of expandGlob(fs, pat)) visit(p);
        }
        continue;
      }
      if (/^hwcap\s/.test(line)) continue;
      for (const d of line.split(/[:,\s]+/)) {
        const dir = d.replace(/=.*$/, '');
        if (dir.startsWith('/') && !out.dirs.includes(dir)) out.dirs.push(dir);
      }
    }
  };
  visit('etc/ld.so.conf');
  return out;
}

/** Lines of a musl path file (`:` or newline separated), or undefined when the file is absent. */
export function readMuslPath(
  fs: FinalFs,
  path: string,
): { dirs: string[]; text: string } | { dirs: undefined; unreadable: boolean } {
  const r = fs.resolve(path);
  if (!r.ok) return { dirs: undefined, unreadable: false };
  const text = textOf(fs.dataEntryOf(r.node));
  if (text === undefined) return { dirs: undefined, unreadable: true };
  return { dirs: text.split(/[:\n]/).filter((d) => d !== ''), text };
}
