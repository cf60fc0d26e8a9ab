import { isUtf8 } from 'node:buffer';

/**
 * Tar names are bytes. tar-stream hands them over decoded as latin1 (one char per byte, nothing lost); this
 * turns them into the model's strings: a valid UTF-8 name becomes its text (so `café` is `café`), and a name
 * that is not UTF-8 keeps each stray byte as a lone surrogate U+DC80–U+DCFF (Python's "surrogateescape"),
 * which no decoded text can contain — two distinct byte names stay two distinct strings.
 * `model/paths.escapeName` shows those bytes as `\xNN`.
 */
export function nameFromLatin1(raw: string): string {
  // Fast path: ASCII, the common case, is the same in every encoding.
  if (!NON_ASCII.test(raw)) return raw;
  const bytes = Buffer.from(raw, 'latin1');
  if (isUtf8(bytes)) return bytes.toString('utf8');
  return decodeEscaped(bytes);
}

const NON_ASCII = /[^\x00-\x7f]/;

/** UTF-8 decoding that maps every byte not part of a valid sequence to U+DC00 + byte. */
function decodeEscaped(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    let len = 0;
    let cp = 0;
    if (c < 0x80) {
      out += String.fromCharCode(c);
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      cp = c & 0x07;
    }
    let ok = len > 0 && i + len <= b.length;
    for (let k = 1; ok && k < len; k++) {
      const cc = b[i + k]!;
      if ((cc & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8 either.
    if (
      ok &&
      ((len === 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len === 4 && (cp < 0x10000 || cp > 0x10ffff)))
    )
      ok = false;
    if (ok) {
      out += String.fromCodePoint(cp);
      i += len;
    } else {
      out += String.fromCharCode(0xdc00 + c);
      i++;
    }
  }
  return out;
}
