/**
 * Path globs for plans and waste rules, over normalised paths (no leading `/`).
 * `*` matches within one path segment, `**` any number of segments (also none), `?` one character,
 * `{a,b}` alternatives. A leading `/` or `./` in the pattern is ignored. A pattern that names a
 * directory also matches everything under it (removing a directory removes its subtree).
 */

const cache = new Map<string, RegExp>();

function escape(ch: string): string {
  return /[.+^$()|[\]\\]/.test(ch) ? `\\${ch}` : ch;
}

function translate(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        const slashAfter = pattern[i + 2] === '/';
        // `**/` = zero or more whole segments; a trailing `**` = anything.
        out += slashAfter ? '(?:[^/]*/)*' : '.*';
        i += slashAfter ? 2 : 1;
      } else out += '[^/]*';
    } else if (ch === '?') out += '[^/]';
    else if (ch === '{') {
      const end = pattern.indexOf('}', i);
      if (end < 0) out += '\\{';
      else {
        out += `(?:${pattern
          .slice(i + 1, end)
          .split(',')
          .map((alt) => translate(alt))
          .join('|')})`;
        i = end;
      }
    } else out += escape(ch);
  }
  return out;
}

export function normaliseGlob(pattern: string): string {
  return pattern
    .trim()
    .replace(/^\.?\/+/, '')
    .replace(/\/+$/, '');
}

/** The compiled matcher: the path itself or anything below it. */
export function globRegExp(pattern: string): RegExp {
  // Keyed by the pattern as given: this runs once per path when classifying a whole tree.
  let re = cache.get(pattern);
  if (!re) {
    re = new RegExp(`^${translate(normaliseGlob(pattern))}(?:/.*)?$`);
    cache.set(pattern, re);
  }
  return re;
}

export const matchesGlob = (path: string, pattern: string): boolean => globRegExp(pattern).test(path);

export const isGlob = (pattern: string): boolean => /[*?{]/.test(pattern);

/** True when `path` is `dir` or lies below it. */
export const isUnder = (path: string, dir: string): boolean => dir === '' || path === dir || path.startsWith(`${dir}/`);
