/**
 * The 'elf' content analyser: parses every ELF file in the single streaming pass and stores an `elf` fact
 * (see model/libc/elf-summary.ts) or `{ malformed: reason }`.
 *
 * Where the layer is an uncompressed range of a file (a `docker save` archive's layers, read on a layer thread),
 * nothing is kept: the file is parsed by position where it is stored (`StoredAt`, checked against the stream's
 * first and last bytes). Otherwise:
 *
 * Memory bound: a file is only held when its first bytes are the ELF magic (anything else is dropped after
 * the first chunk). An ELF file is kept in memory up to MEMORY_CAP bytes (16 MiB); a bigger one is spooled to
 * an anonymous temp file (random name in os.tmpdir(), opened and unlinked at once, never named after the layer
 * path) and parsed through positioned reads. Layers and entries are consumed one at a time, so the pass holds at
 * most one ELF file (≤ 16 MiB) per thread in memory, plus the parsed summaries (section and program headers, dynamic
 * strings, version names, Go build info: a few KiB per file).
 */
import { closeSync, openSync, readSync, unlinkSync, write, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry } from '../model/entry.js';
import { bytesSource, isElfMagic, parseElf, type ByteSource } from '../model/elf/index.js';
import {
  GLIBC_BANNER,
  GO_MARKERS,
  MUSL_BANNER,
  NSS_BUILTIN_FILES,
  NSS_MODULE_PATTERN,
  summariseElf,
  type GoUses,
} from '../model/libc/elf-summary.js';
import type { StaticNss } from '../model/libc/static-nss.js';
import { parseLdCache, type LdCacheFact } from '../model/libc/ld-cache.js';
import type { ContentAnalyser, ContentSink, StoredAt } from './content-analyser.js';
import { setFact } from './content-analyser.js';

// 16 MiB, not more: with a layer on each core, two 100 MB libraries in memory at once (and the copies a growing
// buffer makes) were most of the peak RSS on the bench image (494–546 MB at 128 MiB, 339–363 MB at 16 MiB, the same
// CPU time); the few bigger files go through the spool file's page cache instead.
export const MEMORY_CAP = 16 * 1024 * 1024;
/** Spool bytes written behind the stream (by libuv's threads) before a write waits in line: the stream's own
 * chunks, never copied, so this bounds what the writes keep alive. */
const SPOOL_AHEAD = 32 * 1024 * 1024;
/** Smallest possible ELF file: the 64-byte ELF64 header (ELF32's is 52, but a useful one is bigger). */
const MIN_SIZE = 64;
const SCAN_WINDOW = 8 * 1024 * 1024;

/** A ByteSource over `size` bytes at `base` of an open file (an unlinked spool file, or a layer archive). */
export function fdSource(fd: number, size: number, base = 0): ByteSource {
  return {
    size,
    read(offset: number, length: number): Uint8Array {
      if (!(offset >= 0) || !(length > 0) || offset >= size) return new Uint8Array(0);
      const n = Math.min(length, size - offset);
      const buf = Buffer.allocUnsafe(n);
      let got = 0;
      while (got < n) {
        const r = readSync(fd, buf, got, n - got, base + offset + got);
        if (r === 0) break;
        got += r;
      }
      return buf.subarray(0, got);
    },
  };
}

/** Calls `visit(window, windowOffset)` over the whole source in overlapping windows (overlap ≥ `overlap`). */
function scanWindows(src: ByteSource, overlap: number, visit: (w: Buffer, at: number) => boolean): void {
  for (let at = 0; at < src.size; at += SCAN_WINDOW) {
    const bytes = src.read(at, SCAN_WINDOW + overlap);
    const w = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (!visit(w, at)) return;
  }
}

/** Bytes of Go markers searched (for tests: proof that a build's pclntab was found and the rest left out). */
export const goScanStats = { bytes: 0 };

/**
 * The function-name table inside a Go pclntab at `off` (Go ≥ 1.16 header: magic, pad, minLC, ptrSize, then
 * nfunc, nfiles, [textStart ≥ 1.18], funcnameOffset, cuOffset, … as ptrSize words; `size`: the bytes the table may
 * span); undefined when the header is not one of those.
 */
function funcNameRange(
  src: ByteSource,
  off: number,
  size: number,
  le: boolean,
): { offset: number; size: number } | undefined {
  const h = Buffer.from(src.read(off, 64));
  if (h.length < 64) return undefined;
  const magic = le ? h.readUInt32LE(0) : h.readUInt32BE(0);
  const ptr = h[7]!;
  if (h[4] !== 0 || h[5] !== 0 || (ptr !== 4 && ptr !== 8) || ![1, 2, 4].includes(h[6]!)) return undefined;
  const word = (i: number): number =>
    ptr === 8
      ? Number(le ? h.readBigUInt64LE(8 + i * 8) : h.readBigUInt64BE(8 + i * 8))
      : le
        ? h.readUInt32LE(8 + i * 4)
        : h.readUInt32BE(8 + i * 4);
  let first: number;
  if (magic === 0xfffffffa)
    first = 2; // go1.16, go1.17
  else if (magic === 0xfffffff0 || magic === 0xfffffff1)
    first = 3; // go1.18, go1.19 / go1.20+
  else return undefined;
  const start = word(first);
  const end = word(first + 1);
  if (!(word(0) > 0 && start > 0 && end > start && end <= size)) return undefined;
  return { offset: off + start, size: end - start };
}

const PCLNTAB_MAGICS = [0xfffffff1, 0xfffffff0, 0xfffffffa];
const PCLNTAB_SECTIONS = new Set(['.gopclntab', '.data.rel.ro.gopclntab']);

/**
 * A Go pclntab with no section of its own: a PIE build linked by the system linker (`-buildmode=pie` with
 * `-linkmode=external`, as cgo programs such as Debian's dockerd and docker are) has it merged into .data.rel.ro,
 * where Go's own tools find it through the `runtime.pclntab` symbol — gone once stripped. Its header is
 * recognisable (funcNameRange checks every field), so .data.rel.ro is searched for it: one pass over that section
 * instead of one per marker over the whole file (dockerd: 75 MB searched five times, 146 -> 49 ms).
 */
function pclntabInDataRelRo(
  src: ByteSource,
  sections: readonly { name: string; offset: number; size: number; type: number }[],
  le: boolean,
): { offset: number; size: number } | undefined {
  const sec = sections.find((s) => s.name === '.data.rel.ro' && s.type !== 8 && s.offset < src.size);
  if (!sec) return undefined;
  const size = Math.min(sec.size, src.size - sec.offset);
  const patterns = PCLNTAB_MAGICS.map((m) => {
    const b = Buffer.alloc(6);
    if (le) b.writeUInt32LE(m, 0);
    else b.writeUInt32BE(m, 0);
    return b;
  });
  let found: { offset: number; size: number } | undefined;
  scanWindows({ size, read: (o, n) => src.read(sec.offset + o, Math.min(n, size - o)) }, 8, (w, at) => {
    for (const pat of patterns)
      // The header is aligned (the linker aligns the symbol, and a file offset keeps its address's alignment).
      for (let i = w.indexOf(pat); i >= 0 && !found; i = w.indexOf(pat, i + 1)) {
        if ((sec.offset + at + i) % 4 !== 0) continue;
        found = funcNameRange(src, sec.offset + at + i, size - (at + i), le);
      }
    return !found;
  });
  return found;
}

/**
 * Scans Go's function names for the markers: within the pclntab's function-name table (its own .gopclntab
 * section, or found in .data.rel.ro), the whole file when neither is there.
 */
function goUsesOf(
  src: ByteSource,
  sections: readonly { name: string; offset: number; size: number; type: number }[],
  le: boolean,
): GoUses {
  const keys = Object.keys(GO_MARKERS) as (keyof GoUses)[];
  const found: GoUses = {
    x509SystemRoots: false,
    osUser: false,
    loadLocation: false,
    embeddedTzdata: false,
    netResolver: false,
  };
  const overlap = 64;
  // Its own section: .gopclntab, or .data.rel.ro.gopclntab in a PIE that Go's own linker wrote.
  const tab = sections.find((s) => PCLNTAB_SECTIONS.has(s.name) && s.type !== 8 && s.offset < src.size);
  const tabSize = tab ? Math.min(tab.size, src.size - tab.offset) : 0;
  const r = tab
    ? (funcNameRange(src, tab.offset, tabSize, le) ?? { offset: tab.offset, size: tabSize })
    : pclntabInDataRelRo(src, sections, le);
  const region: ByteSource = r
    ? { size: r.size, read: (o, n) => src.read(r.offset + o, Math.min(n, r.size - o)) }
    : src;
  scanWindows(region, overlap, (w) => {
    goScanStats.bytes += w.length;
    for (const k of keys) if (!found[k]) found[k] = GO_MARKERS[k].some((m) => w.indexOf(m) >= 0);
    return keys.some((k) => !found[k]);
  });
  return found;
}

const VERSION_RE = /^\d+\.\d+\.\d+$/;

/** musl keeps its version in a plain string near its `--version` banner; find it (heuristic, bounded). */
function muslVersionOf(src: ByteSource): string | undefined {
  let at = -1;
  scanWindows(src, MUSL_BANNER.length, (w, off) => {
    const i = w.indexOf(MUSL_BANNER);
    if (i >= 0) at = off + i;
    return at < 0;
  });
  if (at < 0) return undefined;
  const from = Math.max(0, at - 65536);
  const bytes = Buffer.from(src.read(from, 131072));
  let best: { v: string; d: number } | undefined;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0) {
      const len = i - start;
      if (len >= 5 && len <= 12 && start > 0 && bytes[start - 1] === 0) {
        const s = bytes.toString('latin1', start, i);
        if (VERSION_RE.test(s)) {
          const d = Math.abs(from + start - at);
          if (!best || d < best.d) best = { v: s, d };
        }
      }
      start = i + 1;
    }
  }
  return best?.v;
}

/** A static glibc binary's NSS use (markers in elf-summary.ts); undefined when it cannot load NSS modules. */
function staticNssOf(src: ByteSource): StaticNss | undefined {
  let pattern = false;
  let builtin = false;
  let banner = -1;
  scanWindows(src, 64, (w, at) => {
    pattern ||= w.indexOf(NSS_MODULE_PATTERN) >= 0;
    builtin ||= w.indexOf(NSS_BUILTIN_FILES) >= 0;
    if (banner < 0) {
      const i = w.indexOf(GLIBC_BANNER);
      if (i >= 0) banner = at + i;
    }
    return !(pattern && builtin && banner >= 0);
  });
  if (!pattern) return undefined;
  const out: StaticNss = { builtinFilesDns: builtin };
  if (banner >= 0) {
    const m = /version (\d+\.\d+)/.exec(Buffer.from(src.read(banner, 200)).toString('latin1'));
    if (m) out.glibcVersion = m[1]!;
  }
  return out;
}

function analyse(entry: Entry, src: ByteSource): void {
  const r = parseElf(src);
  if (!r.ok) {
    setFact(entry, 'elf', { malformed: r.malformed });
    return;
  }
  const elf = r.elf;
  const goUses = elf.go ? goUsesOf(src, elf.sections, elf.endian === 'le') : undefined;
  // musl's libc.so is also its loader: a shared object with no DT_NEEDED and no symbol versions.
  const maybeMusl =
    (elf.kind === 'shared-lib' || elf.kind === 'static-pie') &&
    elf.needed.length === 0 &&
    elf.versionDefs.length === 0 &&
    !elf.go;
  const muslVersion = maybeMusl ? muslVersionOf(src) : undefined;
  const staticNss = (elf.kind === 'static' || elf.kind === 'static-pie') && !elf.go ? staticNssOf(src) : undefined;
  setFact(
    entry,
    'elf',
    summariseElf(elf, src.size, {
      ...(goUses ? { goUses } : {}),
      ...(muslVersion ? { muslVersion } : {}),
      ...(staticNss ? { staticNss } : {}),
    }),
  );
}

/**
 * One reusable buffer for files that fit in memory: copying each chunk into warm memory is cheaper than
 * keeping the stream's chunks alive (which makes every read buffer fresh, page-faulted memory). A sink
 * borrows it and gives it back at the end; a second concurrent sink allocates its own.
 */
let spare: Buffer | undefined;
const borrow = (size: number): Buffer => {
  const b = spare && spare.length >= size ? spare : undefined;
  if (b) {
    spare = undefined;
    return b;
  }
  return Buffer.allocUnsafe(Math.max(size, 1 << 20));
};
const giveBack = (b: Buffer): void => {
  if (!spare || spare.length < b.length) spare = b;
};

/** ELF files read by position from where they are stored, and those whose stored bytes did not match (tests). */
export const storedStats = { direct: 0, mismatched: 0 };
/** Bytes compared at a file's start and end before the stored copy is trusted in place of the stream. */
const CHECK = 64;

/** Whether `b` is what the open file `fd` holds at `at` (a failed read is a mismatch). */
function storedEquals(fd: number, at: number, b: Uint8Array): boolean {
  try {
    const got = Buffer.from(fdSource(fd, b.length, at).read(0, b.length));
    return got.length === b.length && got.equals(b);
  } catch {
    return false;
  }
}

class ElfSink implements ContentSink {
  /**
   * The file's data lies in an uncompressed layer file (`stored`) and its first bytes there match the stream's:
   * nothing is kept (no copy into memory, no spool file); the parse reads what it needs from the layer file by
   * position, and only the last bytes are kept, to check against the file at the end. On the bench image this
   * is 1.5 GB of ELF files not copied, 1 GB of it not spooled and read back.
   */
  private direct = false;
  /** Bytes the stream has handed over so far. */
  private seen = 0;
  private tail: Buffer = Buffer.alloc(0);
  private buf: Buffer | undefined;
  private held = 0;
  private head: Buffer = Buffer.alloc(0);
  private checked = false;
  private rejected = false;
  private fd: number | undefined;
  private spooled = 0;
  /** Spool writes in flight, their bytes, and the first that failed. */
  private writes: Promise<void>[] = [];
  private ahead = 0;
  private writeError: unknown;

  constructor(
    private readonly entry: Entry,
    private readonly stored?: StoredAt,
  ) {}

  write(chunk: Uint8Array): boolean {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const at = this.seen;
    this.seen += b.length;
    if (this.direct) {
      this.keepTail(b);
      return true;
    }
    if (!this.checked) {
      // Copied: a chunk of under 4 bytes leaves the check for the next one, and no view of a chunk is kept.
      this.head = Buffer.concat([this.head, b.subarray(0, 4 - this.head.length)]);
      if (this.head.length >= 4) {
        this.checked = true;
        if (!isElfMagic(this.head)) {
          this.rejected = true;
          return false;
        }
        if (this.stored) {
          // The chunk that completed the check, compared where the layer file should hold it.
          const probe = b.subarray(0, CHECK);
          if (storedEquals(this.stored.fd, this.stored.offset + at, probe)) {
            this.direct = true;
            storedStats.direct++;
            this.release();
            this.keepTail(b);
            return true;
          }
          storedStats.mismatched++;
        }
        // The tar header's size is trusted only as a hint: more bytes than announced still spool.
        if (this.entry.size > MEMORY_CAP) {
          this.fd = openAnonymous();
          if (this.buf) this.spool(this.buf.subarray(0, this.held), true);
          this.release();
        } else if (!this.buf) this.buf = borrow(this.entry.size);
        else if (this.buf.length < this.entry.size) this.grow(this.entry.size);
      }
    }
    if (this.fd !== undefined) {
      this.spool(b);
      return true;
    }
    if (!this.buf) {
      // Still before the magic check (chunks shorter than 4 bytes): keep them in a small buffer.
      this.buf = Buffer.allocUnsafe(Math.max(64, this.entry.size));
    }
    if (this.held + b.length > this.buf.length) {
      if (this.held + b.length > MEMORY_CAP) {
        this.fd = openAnonymous();
        this.spool(this.buf.subarray(0, this.held), true);
        this.release();
        this.spool(b);
        return true;
      }
      this.grow(Math.min(MEMORY_CAP, Math.max(2 * this.buf.length, this.held + b.length)));
    }
    b.copy(this.buf, this.held);
    this.held += b.length;
    return true;
  }

  private grow(size: number): void {
    const bigger = Buffer.allocUnsafe(size);
    const held = this.held;
    this.buf!.copy(bigger, 0, 0, held);
    this.release();
    this.buf = bigger;
    this.held = held;
  }

  /**
   * Appends to the spool file. The stream's chunks are written behind it (a blocking write of a 100 MB library
   * held its layer's inflate for the disk: ~3 s of a gzip layer's 16 on the bench image); `reused` bytes (the
   * shared buffer, given back next) and anything past SPOOL_AHEAD are written now. Writes are positioned, so the
   * order they land in does not matter.
   */
  private spool(b: Buffer, reused = false): void {
    const fd = this.fd!;
    const at = this.spooled;
    this.spooled += b.length;
    if (reused || this.ahead + b.length > SPOOL_AHEAD) {
      let off = 0;
      while (off < b.length) off += writeSync(fd, b, off, b.length - off, at + off);
      return;
    }
    this.ahead += b.length;
    // A chunk of a stored layer may be read into again once its write call has returned (copiesChunks): the
    // write behind the stream gets a copy. (Only for a file whose stored bytes did not match: a rare path.)
    const data = this.stored ? Buffer.from(b) : b;
    this.writes.push(
      writeAll(fd, data, at).then(
        () => void (this.ahead -= b.length),
        (e: unknown) => void (this.writeError ??= e),
      ),
    );
  }

  /** Every write behind the stream has landed (or failed: writeError). */
  private settled(): Promise<unknown> {
    const writes = this.writes;
    this.writes = [];
    return Promise.all(writes);
  }

  private release(): void {
    if (this.buf) giveBack(this.buf);
    this.buf = undefined;
    this.held = 0;
  }

  /** Keeps the stream's last CHECK bytes (copied: the chunk itself is not held). */
  private keepTail(b: Buffer): void {
    if (b.length >= CHECK) this.tail = Buffer.from(b.subarray(b.length - CHECK));
    else this.tail = Buffer.concat([this.tail, b]).subarray(-CHECK);
  }

  /** The parse of a file read by position from the layer file, once its last bytes there match the stream's too. */
  private endDirect(stored: StoredAt): void {
    const { file, fd, offset } = stored;
    if (!storedEquals(fd, offset + this.seen - this.tail.length, this.tail))
      throw new Error(`${file} changed while it was read (the data of ${this.entry.path} differs from what streamed)`);
    analyse(this.entry, fdSource(fd, this.seen, offset));
  }

  end(): void | Promise<void> {
    if (!this.checked || this.rejected) return this.abort(); // fewer than 4 bytes, or not ELF
    if (this.direct) return this.endDirect(this.stored!);
    if (this.fd !== undefined) {
      const fd = this.fd;
      return this.settled().then(() => {
        try {
          if (this.writeError) throw this.writeError;
          analyse(this.entry, fdSource(fd, this.spooled));
        } finally {
          this.abort();
        }
      });
    }
    try {
      if (this.buf) analyse(this.entry, bytesSource(this.buf.subarray(0, this.held)));
    } finally {
      this.abort();
    }
  }

  abort(): void {
    this.release();
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    // Closed once no write is left on it: a number closed under a write could be reused by the next open.
    if (this.writes.length === 0) closeSync(fd);
    else void this.settled().then(() => closeSync(fd));
  }
}

/** Writes all of `b` at `at`, through libuv's threads. */
function writeAll(fd: number, b: Buffer, at: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (off: number): void =>
      write(fd, b, off, b.length - off, at + off, (e, n) => {
        if (e) reject(e);
        else if (off + n < b.length) step(off + n);
        else resolve();
      });
    step(0);
  });
}

/** Creates, opens and immediately unlinks a temp file with a random name; returns its descriptor. */
export function openAnonymous(): number {
  const path = join(tmpdir(), `slimtui-spool-${process.pid}-${randomBytes(12).toString('hex')}`);
  const fd = openSync(path, 'wx+', 0o600);
  unlinkSync(path);
  return fd;
}

/**
 * Which files are looked at: anything executable (a program must have an x bit to run), and anything named
 * like an ELF object that is loaded or linked rather than exec'd: shared objects (`*.so`, `*.so.N…`, what the
 * loader looks up by soname; often 0644), Node addons (`*.node`), kernel modules (`*.ko`) and object files
 * (`*.o`). Opening a sink for every other file cost ~2 µs each in the stream (0.4 s per 200,000 files) to find
 * ELF files that are neither run nor loaded; a 0644 ELF file under another name is not reported.
 */
export const mayBeElf = (e: Entry): boolean =>
  e.kind === 'file' && e.size >= MIN_SIZE && ((e.mode & 0o111) !== 0 || /\.(so(\.[^/]*)?|node|ko|o)$/.test(e.path));

/** The loader's cache: glibc reads /etc/ld.so.cache, not the conf files, so the resolver needs it. */
const LD_CACHE = 'etc/ld.so.cache';
/** A real cache holds a few thousand entries (~40 kB per 600); anything past this is not read. */
export const LD_CACHE_CAP = 16 * 1024 * 1024;

/** Keeps /etc/ld.so.cache's bytes and stores the parsed cache as the `ldcache` fact. */
function ldCacheSink(entry: Entry): ContentSink {
  const chunks: Buffer[] = [];
  let n = 0;
  return {
    write(chunk) {
      n += chunk.length;
      if (n > LD_CACHE_CAP) return false;
      chunks.push(Buffer.from(chunk));
      return true;
    },
    end() {
      let fact: LdCacheFact;
      try {
        fact =
          n > LD_CACHE_CAP ? { unreadable: `larger than ${LD_CACHE_CAP} bytes` } : parseLdCache(Buffer.concat(chunks));
      } catch (e) {
        fact = { unreadable: `unreadable: ${e instanceof Error ? e.message : String(e)}` };
      }
      setFact(entry, 'ldcache', fact);
    },
  };
}

/** Parses ELF files (executables and shared objects, see `mayBeElf`) and the loader's /etc/ld.so.cache. */
export const elfAnalyser: ContentAnalyser = {
  name: 'elf',
  // With a StoredAt: the file is read in place, or copied into memory, or spooled from copies (ElfSink.spool).
  copiesChunks: true,
  wants: (e) => (e.kind === 'file' && e.path === LD_CACHE) || mayBeElf(e),
  open: (entry, stored) => (entry.path === LD_CACHE ? ldCacheSink(entry) : new ElfSink(entry, stored)),
};
