/** A file's head as preview lines: text with line numbers, or a hex dump when the bytes look binary. */

export const PREVIEW_BYTES = 64 * 1024;

/** Binary when the head holds a NUL byte or does not decode as UTF-8, as git and less decide. */
export function looksBinary(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(trimPartialUtf8(head));
    return false;
  } catch {
    return true;
  }
}

/** Drops a UTF-8 sequence cut off at the end of a buffer (the 64 KB cap can split one). */
function trimPartialUtf8(b: Uint8Array): Uint8Array {
  let i = b.length - 1;
  let back = 0;
  while (i >= 0 && back < 4 && (b[i]! & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i < 0) return b;
  const lead = b[i]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return need > back + 1 ? b.subarray(0, i) : b;
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** `00000010  7f 45 4c 46 02 01 01 00  00 00 00 00 00 00 00 00  |.ELF............|` */
export function hexLines(bytes: Uint8Array): string[] {
  const lines: string[] = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const row = bytes.subarray(off, off + 16);
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      if (i === 8) hex += ' ';
      const b = row[i];
      hex += b === undefined ? '   ' : `${hex2(b)} `;
      if (b !== undefined) ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  return lines;
}

/** Text lines numbered from 1; tabs expanded, control characters shown as `·`. */
export function textLines(bytes: Uint8Array): string[] {
  const text = new TextDecoder('utf-8').decode(trimPartialUtf8(bytes));
  const raw = text.split(/\r?\n/);
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
  const width = String(raw.length).length;
  return raw.map(
    (l, i) =>
      `${String(i + 1).padStart(width)} │ ${l.replace(/\t/g, '    ').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '·')}`,
  );
}

export interface PreviewText {
  readonly kind: 'text' | 'binary';
  readonly lines: readonly string[];
  /** True when the file is longer than what was read. */
  readonly truncated: boolean;
}

export function formatPreview(bytes: Uint8Array, fileSize: number): PreviewText {
  const head = bytes.subarray(0, PREVIEW_BYTES);
  const truncated = fileSize > head.length;
  if (looksBinary(head))
    return { kind: 'binary', lines: hexLines(head.subarray(0, 4096)), truncated: truncated || head.length > 4096 };
  return { kind: 'text', lines: textLines(head), truncated };
}
