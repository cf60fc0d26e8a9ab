/**
 * The table of contents of an UNCOMPRESSED tar file, read by seeking from header to header (a few hundred
 * small reads for an image archive, whatever its size): each entry's normalised name, type, and the byte range
 * of its data. This is what gives an archive file random access to its blobs.
 */
import { promises as fs } from 'node:fs';
import { normaliseName } from '../model/paths.js';
import { archiveLinkTarget } from './outer-entry.js';

export interface TarIndexEntry {
  readonly name: string;
  readonly type: 'file' | 'link' | 'other';
  /** Offset of the data in the file, and its length. */
  readonly start: number;
  readonly size: number;
}

export interface TarIndex {
  /** Regular files by normalised name (a later entry of the same name wins, as extraction would). */
  readonly files: ReadonlyMap<string, TarIndexEntry>;
  /** Symlinks and hard links between entries: name → target name (normalised). */
  readonly links: ReadonlyMap<string, string>;
}

const BLOCK = 512;
const MAX_META = 1 << 20;

function num(b: Buffer, off: number, len: number): number {
  if (b[off]! & 0x80) {
    let n = 0;
    for (let i = off + 1; i < off + len; i++) n = n * 256 + b[i]!;
    return n;
  }
  const t = b
    .toString('latin1', off, off + len)
    .replace(/[\0 ]+$/, '')
    .trim();
  return t === '' ? 0 : parseInt(t, 8);
}

function cstr(b: Buffer, off: number, len: number): string {
  const end = b.indexOf(0, off);
  return b.toString('utf8', off, end < 0 || end > off + len ? off + len : end);
}

function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  const text = data.toString('utf8');
  for (let i = 0; i < text.length;) {
    const sp = text.indexOf(' ', i);
    const len = sp < 0 ? 0 : Number(text.slice(i, sp));
    if (!(len > 0)) break;
    const rec = text.slice(sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

/** Indexes `path`; undefined when it does not look like a plain tar (compressed, or corrupt at some header). */
export async function indexTarFile(path: string): Promise<TarIndex | undefined> {
  const handle = await fs.open(path, 'r');
  try {
    const total = (await handle.stat()).size;
    const files = new Map<string, TarIndexEntry>();
    const links = new Map<string, string>();
    const h = Buffer.alloc(BLOCK);
    let longName: string | undefined;
    let longLink: string | undefined;
    let pax = new Map<string, string>();
    for (let at = 0; at + BLOCK <= total;) {
      await handle.read(h, 0, BLOCK, at);
      if (h.every((c) => c === 0)) return { files, links };
      if (h.toString('latin1', 257, 262) !== 'ustar' && !checksumOk(h)) return undefined;
      const size = num(h, 124, 12);
      const type = String.fromCharCode(h[156]!);
      const data = at + BLOCK;
      const next = data + Math.ceil(size / BLOCK) * BLOCK;
      if (next > total) return undefined;
      if (type === 'L' || type === 'K' || type === 'x') {
        const buf = Buffer.alloc(Math.min(size, MAX_META));
        await handle.read(buf, 0, buf.length, data);
        if (type === 'L') longName = cstr(buf, 0, buf.length);
        else if (type === 'K') longLink = cstr(buf, 0, buf.length);
        else pax = paxRecords(buf);
        at = next;
        continue;
      }
      if (type === 'g') {
        at = next;
        continue;
      }
      let name = cstr(h, 0, 100);
      const prefix = h.toString('latin1', 257, 262) === 'ustar' ? cstr(h, 345, 155) : '';
      if (prefix) name = `${prefix}/${name}`;
      name = pax.get('path') ?? longName ?? name;
      const linkname = pax.get('linkpath') ?? longLink ?? cstr(h, 157, 100);
      longName = longLink = undefined;
      pax = new Map();
      const n = normaliseName(name);
      const isFile = type === '0' || type === '\0' || type === '7';
      if (n.ok && n.path !== '') {
        if (isFile) files.set(n.path, { name: n.path, type: 'file', start: data, size });
        else if (type === '1' || type === '2') {
          const target = archiveLinkTarget(n.path, type === '1' ? 'link' : 'symlink', linkname);
          if (target !== undefined) links.set(n.path, target);
        }
      }
      // Links and directories carry no data whatever their size field says (as tar-stream reads them).
      at = isFile || !(type === '1' || type === '2' || type === '5') ? next : data;
    }
    return { files, links };
  } finally {
    await handle.close();
  }
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  return sum === num(h, 148, 8);
}
