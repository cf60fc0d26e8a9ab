/**
 * Follows a tar stream's record structure as it streams by (no buffering of file data): for each entry, the
 * normalised path and the stream range of its records — extension headers (GNU 'L'/'K', PAX 'x'), the header,
 * the data and its padding. Used to attribute compressed bytes to files.
 */
import type { FileSpan } from '../model/predict/gzip-estimate.js';
import { normaliseName } from '../model/paths.js';

const BLOCK = 512;
const MAX_META = 1 << 20; // longest GNU long name / PAX header we keep

function octal(b: Uint8Array, off: number, len: number): number {
  if ((b[off]! & 0x80) !== 0) {
    // base-256 (GNU) for big sizes
    let n = 0;
    for (let i = off + 1; i < off + len; i++) n = n * 256 + b[i]!;
    return n;
  }
  let n = 0;
  for (let i = off; i < off + len; i++) {
    const c = b[i]!;
    if (c === 0 || c === 0x20) {
      if (n > 0) break;
      continue;
    }
    if (c < 0x30 || c > 0x37) break;
    n = n * 8 + (c - 0x30);
  }
  return n;
}

function cstr(b: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return Buffer.from(b.buffer, b.byteOffset + off, end - off).toString('utf8');
}

function paxPath(data: Uint8Array): string | undefined {
  const text = Buffer.from(data.buffer, data.byteOffset, data.length).toString('utf8');
  let i = 0;
  let found: string | undefined;
  while (i < text.length) {
    const sp = text.indexOf(' ', i);
    if (sp < 0) break;
    const len = Number(text.slice(i, sp));
    if (!(len > 0)) break;
    const rec = text.slice(sp + 1, i + len - 1);
    if (rec.startsWith('path=')) found = rec.slice(5);
    i += len;
  }
  return found;
}

/** Files at least this big get their own compression samples (their data start is a segment boundary). */
export const OWN_SAMPLE_MIN = 64 * 1024;

export class TarSpanner {
  readonly spans: FileSpan[] = [];
  /** Stream offsets where the data of a file ≥ OWN_SAMPLE_MIN starts, in order (consumers shift them off). */
  readonly bigDataStarts: number[] = [];
  private pos = 0;
  /** Stream offset of the next header. */
  private nextHeader = 0;
  private header = new Uint8Array(BLOCK);
  private headerFill = 0;
  /** Collecting an extension header's data. */
  private meta: { kind: 'L' | 'x' | 'skip'; size: number; buf: Uint8Array; fill: number } | undefined;
  private groupStart = -1;
  private longName: string | undefined;
  private paxName: string | undefined;
  private done = false;

  write(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && !this.done) {
      const abs = this.pos + i;
      if (abs < this.nextHeader) {
        // Inside data: copy only extension-header data we need.
        const n = Math.min(chunk.length - i, this.nextHeader - abs);
        if (this.meta && this.meta.kind !== 'skip' && this.meta.fill < this.meta.buf.length) {
          const take = Math.min(n, this.meta.buf.length - this.meta.fill);
          this.meta.buf.set(chunk.subarray(i, i + take), this.meta.fill);
          this.meta.fill += take;
        }
        i += n;
        if (this.pos + i === this.nextHeader) this.finishMeta();
        continue;
      }
      const take = Math.min(chunk.length - i, BLOCK - this.headerFill);
      this.header.set(chunk.subarray(i, i + take), this.headerFill);
      this.headerFill += take;
      i += take;
      if (this.headerFill === BLOCK) {
        this.headerFill = 0;
        this.onHeader(this.pos + i - BLOCK);
      }
    }
    this.pos += chunk.length;
  }

  private finishMeta(): void {
    const m = this.meta;
    if (!m) return;
    this.meta = undefined;
    if (m.kind === 'L') this.longName = cstr(m.buf, 0, m.fill);
    else if (m.kind === 'x') this.paxName = paxPath(m.buf.subarray(0, m.fill)) ?? this.paxName;
  }

  private onHeader(at: number): void {
    const h = this.header;
    if (h.every((c) => c === 0)) {
      this.nextHeader = at + BLOCK; // end-of-archive blocks (or padding): keep scanning harmlessly
      return;
    }
    const size = octal(h, 124, 12);
    const type = String.fromCharCode(h[156]!);
    const dataBlocks = Math.ceil(size / BLOCK) * BLOCK;
    if (this.groupStart < 0) this.groupStart = at;
    this.nextHeader = at + BLOCK + dataBlocks;
    if (type === 'L' || type === 'x' || type === 'K' || type === 'g') {
      const keep = type === 'L' || type === 'x';
      this.meta = {
        kind: keep ? (type as 'L' | 'x') : 'skip',
        size,
        buf: new Uint8Array(keep ? Math.min(size, MAX_META) : 0),
        fill: 0,
      };
      if (type === 'g') this.groupStart = -1; // global header belongs to no file
      if (size === 0) this.finishMeta();
      return;
    }
    let name = cstr(h, 0, 100);
    const magic = cstr(h, 257, 6);
    if (magic.startsWith('ustar')) {
      const prefix = cstr(h, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    name = this.paxName ?? this.longName ?? name;
    this.paxName = undefined;
    this.longName = undefined;
    // Hard links, symlinks, dirs carry no data even if size is set (tar-stream does the same for links).
    const carries = type === '0' || type === '\0' || type === '7' || type === '';
    if (!carries) this.nextHeader = at + BLOCK + (type === '1' || type === '2' || type === '5' ? 0 : dataBlocks);
    if (carries && size >= OWN_SAMPLE_MIN) this.bigDataStarts.push(at + BLOCK);
    const n = normaliseName(name);
    if (n.ok && n.path !== '') this.spans.push({ path: n.path, start: this.groupStart, end: this.nextHeader });
    this.groupStart = -1;
  }
}
