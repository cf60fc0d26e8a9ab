/**
 * The few facts about a tar record that decide where the next header starts, read exactly as tar-stream 3 reads
 * them (headers.js, extract.js) — for the stream stages that walk records beside it (tar-end.ts, skim-chunks.ts)
 * and must never disagree with it about where a header is.
 */

/** A numeric header field: base-256 when the high bit is set (GNU, for big sizes), else octal. */
export function tarNumber(b: Uint8Array, off: number, len: number): number {
  if (b[off]! & 0x80) {
    let n = 0;
    for (let i = off + 1; i < off + len; i++) n = n * 256 + b[i]!;
    return n;
  }
  let i = off;
  const end = off + len;
  while (i < end && b[i] === 0x20) i++;
  let n = 0;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c < 0x30 || c > 0x37) break;
    n = n * 8 + (c - 0x30);
  }
  return n;
}

/** The `size` record of a PAX header's data, if any (it replaces the next header's size field). */
export function paxSize(data: Uint8Array): number | undefined {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  let size: number | undefined;
  for (let i = 0; i < text.length;) {
    const sp = text.indexOf(' ', i);
    const len = sp < 0 ? 0 : Number(text.slice(i, sp));
    if (!(len > 0)) break;
    const rec = text.slice(sp + 1, i + len - 1);
    if (rec.startsWith('size=')) size = parseInt(rec.slice(5), 10);
    i += len;
  }
  return size;
}

/**
 * Whether tar-stream reads the header as a directory, which has no data whatever its size field says. Only
 * typeflag '5': tar-stream's decode does turn a v7 regular entry named "dir/" into typeflag 5, but after it has
 * computed the entry's type, so such an entry stays a file with `size` bytes of data — and so it must stay here.
 */
export const isTarDirectory = (h: Uint8Array, at = 0): boolean => h[at + 156] === 0x35;

/** Whether a 512-byte block's checksum field matches its bytes (the field itself counted as spaces). */
export function tarChecksumOk(h: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  return sum === tarNumber(h, 148, 8);
}

const magicIs = (h: Uint8Array, m: string): boolean => {
  for (let i = 0; i < m.length; i++) if (h[257 + i] !== m.charCodeAt(i)) return false;
  return true;
};

/** A POSIX ustar or GNU header's magic (v7 headers have none: the header walks stop at them). */
export const hasTarMagic = (h: Uint8Array): boolean =>
  h.length >= 512 && (magicIs(h, 'ustar\0') || magicIs(h, 'ustar  \0'));

/** A POSIX ustar or GNU header with a right checksum: where a span of a layer may start (layer-spans.ts). */
export const isTarHeader = (h: Uint8Array): boolean => hasTarMagic(h) && tarChecksumOk(h);
