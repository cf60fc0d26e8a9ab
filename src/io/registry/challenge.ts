/** One `WWW-Authenticate` challenge, as RFC 7235 writes it: `Bearer realm="…",service="…",scope="…"`. */
export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Parses a WWW-Authenticate header into its challenges (a header may carry several, comma-separated, each a
 * scheme followed by `key=value` or `key="quoted, value"` pairs). Scheme names are lower-cased.
 */
export function parseChallenges(header: string): Challenge[] {
  const out: { scheme: string; params: Record<string, string> }[] = [];
  const re =
    /\s*(?:([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?=\s+[A-Za-z0-9!#$%&'*+.^_`|~-]+\s*=|\s*,|\s*$)|([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*)))\s*,?/y;
  let i = 0;
  while (i < header.length) {
    re.lastIndex = i;
    const m = re.exec(header);
    if (!m || m[0] === '') break;
    i = re.lastIndex;
    if (m[1] !== undefined) out.push({ scheme: m[1].toLowerCase(), params: {} });
    else if (m[2] !== undefined && out.length > 0)
      out[out.length - 1]!.params[m[2].toLowerCase()] =
        m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : (m[4] ?? '');
  }
  return out;
}
