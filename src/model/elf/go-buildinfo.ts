/**
 * Go build info (what `go version -m` prints), from the `.go.buildinfo` blob.
 * Mirrors Go's debug/buildinfo: look in `.go.buildinfo`, else the first writable non-executable PT_LOAD,
 * scanning at most 64 KiB for the 16-byte-aligned magic `\xff Go buildinf:`.
 */
import { decodeUtf8, readClamped, type ByteSource } from './byte-reader.js';
import { PF_W, PF_X, PT_LOAD, vaddrToOffset, type ProgramHeader } from './program-headers.js';
import { SHT_NOBITS, type RawSection } from './sections.js';

export interface GoBuildInfo {
  goVersion: string;
  path?: string;
  mainModule?: { path: string; version: string; sum?: string };
  deps: { path: string; version: string }[];
  settings: Record<string, string>;
  cgoEnabled?: boolean;
  ldflags?: string;
  /** True when -ldflags holds `-s` and `-w` (or `-s` alone on go1.22+, where -s implies -w). */
  stripped?: boolean;
  trimpath?: boolean;
  goos?: string;
  goarch?: string;
}

const MAGIC = [0xff, 0x20, 0x47, 0x6f, 0x20, 0x62, 0x75, 0x69, 0x6c, 0x64, 0x69, 0x6e, 0x66, 0x3a]; // "\xff Go buildinf:"
const SEARCH_SIZE = 64 * 1024;
const HEADER_SIZE = 32;
const ALIGN = 16;
/** Caps on the version and modinfo strings (real modinfo is a few KiB; big programs ~100 KiB). */
const MAX_STRING = 4 << 20;
const FLAG_BIG_ENDIAN = 1;
const FLAG_INLINE = 2;

/** Finds the file offset of the build info header, or undefined. */
function findHeader(
  src: ByteSource,
  phdrs: readonly ProgramHeader[],
  sections: readonly RawSection[],
): number | undefined {
  let start: number | undefined;
  const sec = sections.find((s) => s.name === '.go.buildinfo' && s.type !== SHT_NOBITS);
  if (sec) start = sec.offset;
  else {
    const p = phdrs.find((x) => x.type === PT_LOAD && (x.flags & (PF_X | PF_W)) === PF_W && x.filesz > 0);
    if (p) start = p.offset;
  }
  if (start === undefined || start >= src.size) return undefined;
  const data = readClamped(src, start, SEARCH_SIZE);
  for (let i = 0; i + HEADER_SIZE <= data.length; i += ALIGN) {
    let ok = true;
    for (let k = 0; k < MAGIC.length; k++) {
      if (data[i + k] !== MAGIC[k]) {
        ok = false;
        break;
      }
    }
    if (ok) return start + i;
  }
  return undefined;
}

/** Unsigned LEB128 varint (Go's binary.Uvarint); undefined on overflow or truncation. */
function uvarint(b: Uint8Array, pos: number): { value: number; next: number } | undefined {
  let value = 0;
  let mul = 1;
  for (let i = 0; i < 10 && pos + i < b.length; i++) {
    const c = b[pos + i] ?? 0;
    value += (c & 0x7f) * mul;
    if (c < 0x80) return Number.isSafeInteger(value) ? { value, next: pos + i + 1 } : undefined;
    mul *= 128;
  }
  return undefined;
}

/** Reads a varint-length-prefixed string at file offset `off`. */
function inlineString(src: ByteSource, off: number): { s: Uint8Array; next: number } | undefined {
  const head = readClamped(src, off, 10);
  const v = uvarint(head, 0);
  if (!v || v.value > MAX_STRING) return undefined;
  const bytes = readClamped(src, off + v.next, v.value);
  if (bytes.length < v.value) return undefined;
  return { s: bytes, next: off + v.next + v.value };
}

/** Pre-1.18 format: pointers to Go string headers {ptr, len} in the data segment. */
function pointerStrings(
  src: ByteSource,
  phdrs: readonly ProgramHeader[],
  hdr: Uint8Array,
): [Uint8Array, Uint8Array] | undefined {
  const ptrSize = hdr[14];
  if (ptrSize !== 4 && ptrSize !== 8) return undefined;
  const le = ((hdr[15] ?? 0) & FLAG_BIG_ENDIAN) === 0;
  const readPtr = (b: Uint8Array, o: number): bigint | undefined => {
    if (o + ptrSize > b.length) return undefined;
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return ptrSize === 8 ? v.getBigUint64(o, le) : BigInt(v.getUint32(o, le));
  };
  const readGoString = (addr: bigint | undefined): Uint8Array | undefined => {
    if (addr === undefined) return undefined;
    const m = vaddrToOffset(phdrs, addr, src.size);
    if (!m) return undefined;
    const sh = readClamped(src, m.offset, ptrSize * 2);
    const dataAddr = readPtr(sh, 0);
    const bigLen = readPtr(sh, ptrSize);
    if (dataAddr === undefined || bigLen === undefined || bigLen > BigInt(MAX_STRING)) return undefined;
    const len = Number(bigLen);
    if (len === 0) return new Uint8Array(0);
    const d = vaddrToOffset(phdrs, dataAddr, src.size);
    if (!d) return undefined;
    const bytes = readClamped(src, d.offset, Math.min(len, d.end - d.offset));
    return bytes.length === len ? bytes : undefined;
  };
  const vers = readGoString(readPtr(hdr, 16));
  const mod = readGoString(readPtr(hdr, 16 + ptrSize));
  return vers === undefined ? undefined : [vers, mod ?? new Uint8Array(0)];
}

/** Go's strconv.Unquote for "..." and `...` strings (enough for build settings). */
export function goUnquote(s: string): string | undefined {
  if (s.length < 2) return undefined;
  const q = s[0];
  if (q === '`') return s.endsWith('`') ? s.slice(1, -1) : undefined;
  if (q !== '"' || !s.endsWith('"')) return undefined;
  const body = s.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = {
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\\': '\\',
      '"': '"',
      "'": "'",
    };
    if (e !== undefined && simple[e] !== undefined) {
      out += simple[e];
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + n);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) return undefined;
      const cp = parseInt(hex, 16);
      out += e === 'x' ? String.fromCharCode(cp) : cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
      i += n;
    } else if (e !== undefined && /[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) return undefined;
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else return undefined;
  }
  return out;
}

/** Length of the quoted prefix of `s` (Go's strconv.QuotedPrefix), or 0. */
function quotedPrefixLength(s: string): number {
  const q = s[0];
  if (q === '`') {
    const end = s.indexOf('`', 1);
    return end < 0 ? 0 : end + 1;
  }
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i + 1;
  }
  return 0;
}

function hasFlag(tokens: readonly string[], name: string): boolean {
  return tokens.some((t) => t === `-${name}` || t === `--${name}` || t === `-${name}=true` || t === `--${name}=true`);
}

/** Parses the modinfo text (sentinels already stripped) into the structured form. */
export function parseModInfo(goVersion: string, text: string): GoBuildInfo {
  const info: GoBuildInfo = { goVersion, deps: [], settings: {} };
  let lastDep: { path: string; version: string } | undefined;
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const kind = line.slice(0, tab);
    const rest = line.slice(tab + 1);
    const f = rest.split('\t');
    if (kind === 'path') info.path = rest;
    else if (kind === 'mod' && f[0] !== undefined) {
      info.mainModule = { path: f[0], version: f[1] ?? '' };
      if (f[2]) info.mainModule.sum = f[2];
    } else if (kind === 'dep' && f[0] !== undefined) {
      lastDep = { path: f[0], version: f[1] ?? '' };
      info.deps.push(lastDep);
    } else if (kind === '=>' && lastDep && f[0] !== undefined) {
      // A replacement of the previous dep: report where the code really came from.
      lastDep.path = f[0];
      lastDep.version = f[1] ?? '';
    } else if (kind === 'build') {
      let key: string | undefined;
      let raw: string;
      if (rest[0] === '"' || rest[0] === '`') {
        const n = quotedPrefixLength(rest);
        key = n > 0 ? goUnquote(rest.slice(0, n)) : undefined;
        if (key === undefined || rest[n] !== '=') continue;
        raw = rest.slice(n + 1);
      } else {
        const eq = rest.indexOf('=');
        if (eq <= 0) continue;
        key = rest.slice(0, eq);
        raw = rest.slice(eq + 1);
      }
      const value = raw[0] === '"' || raw[0] === '`' ? goUnquote(raw) : raw;
      if (value !== undefined) info.settings[key] = value;
    }
  }
  const s = info.settings;
  if (s['CGO_ENABLED'] === '1') info.cgoEnabled = true;
  else if (s['CGO_ENABLED'] === '0') info.cgoEnabled = false;
  if (s['-ldflags'] !== undefined) {
    info.ldflags = s['-ldflags'];
    const tokens = info.ldflags.split(/\s+/).filter(Boolean);
    const minor = /^go1\.(\d+)/.exec(goVersion)?.[1];
    const sImpliesW = minor !== undefined && Number(minor) >= 22;
    info.stripped = hasFlag(tokens, 's') && (hasFlag(tokens, 'w') || sImpliesW);
  }
  if (s['-trimpath'] !== undefined) info.trimpath = s['-trimpath'] === 'true';
  if (s['GOOS'] !== undefined) info.goos = s['GOOS'];
  if (s['GOARCH'] !== undefined) info.goarch = s['GOARCH'];
  return info;
}

/** Strips the 16-byte sentinels around modinfo, as Go does (empty when they are not there). */
export function stripModInfoSentinels(mod: Uint8Array): Uint8Array {
  if (mod.length >= 33 && mod[mod.length - 17] === 0x0a) return mod.subarray(16, mod.length - 16);
  return new Uint8Array(0);
}

/** Reads Go build info from an ELF file, or undefined when it is not a Go (≥1.13-style) binary. */
export function parseGoBuildInfo(
  src: ByteSource,
  phdrs: readonly ProgramHeader[],
  sections: readonly RawSection[],
): GoBuildInfo | undefined {
  const at = findHeader(src, phdrs, sections);
  if (at === undefined) return undefined;
  const hdr = readClamped(src, at, HEADER_SIZE);
  if (hdr.length < HEADER_SIZE) return undefined;
  let vers: Uint8Array;
  let mod: Uint8Array;
  if (((hdr[15] ?? 0) & FLAG_INLINE) !== 0) {
    const v = inlineString(src, at + HEADER_SIZE);
    if (!v) return undefined;
    const m = inlineString(src, v.next);
    vers = v.s;
    mod = m?.s ?? new Uint8Array(0);
  } else {
    const r = pointerStrings(src, phdrs, hdr);
    if (!r) return undefined;
    [vers, mod] = r;
  }
  if (vers.length === 0) return undefined;
  // The sentinels are raw (non-UTF-8) bytes: strip them before decoding.
  return parseModInfo(decodeUtf8(vers), decodeUtf8(stripModInfoSentinels(mod)));
}
