/**
 * Holds whole files read from an image, bounded: files are kept in memory while the total stays under a cap
 * (256 MiB by default); the rest go to ONE anonymous spool file (random name in os.tmpdir(), opened and
 * unlinked at once — never named after an image path) and are read back through positioned reads.
 * One file is written at a time (the passes that fill the store are sequential).
 */
import { closeSync, writeSync } from 'node:fs';
import { bytesSource, type ByteSource } from '../model/elf/index.js';
import { fdSource, openAnonymous } from './elf-analyser.js';

export const STORE_MEMORY_CAP = 256 * 1024 * 1024;

export interface StoredFile {
  readonly size: number;
  /** True when the bytes live in the spool file rather than in memory. */
  readonly spooled: boolean;
  readonly source: ByteSource;
}

export interface FileWriter {
  write(chunk: Uint8Array): void;
  end(): StoredFile;
}

export class ByteStore {
  private held = 0;
  private fd: number | undefined;
  private spoolEnd = 0;
  private writing = false;
  private closed = false;
  /** Bytes held in memory / in the spool file. */
  get memoryBytes(): number {
    return this.held;
  }
  get spooledBytes(): number {
    return this.spoolEnd;
  }

  constructor(readonly memoryCap = STORE_MEMORY_CAP) {}

  /** Starts a file; `expected` (the tar header's size) decides where it goes, more bytes still fit. */
  begin(expected: number): FileWriter {
    if (this.closed) throw new Error('byte store is closed');
    if (this.writing) throw new Error('byte store: one file at a time');
    this.writing = true;
    let buf: Buffer | undefined = this.held + expected <= this.memoryCap ? Buffer.allocUnsafe(expected) : undefined;
    if (buf) this.held += expected;
    let have = 0;
    let spoolStart = -1;
    const toSpool = (b: Uint8Array): void => {
      if (spoolStart < 0) {
        this.fd ??= openAnonymous();
        spoolStart = this.spoolEnd;
      }
      let off = 0;
      while (off < b.length) off += writeSync(this.fd!, b, off, b.length - off, this.spoolEnd + off);
      this.spoolEnd += b.length;
    };
    return {
      write: (chunk) => {
        if (buf && have + chunk.length > buf.length) {
          // More bytes than the header said: move what is held to the spool and go on there.
          toSpool(buf.subarray(0, have));
          this.held -= buf.length;
          buf = undefined;
        }
        if (buf) buf.set(chunk, have);
        else toSpool(chunk);
        have += chunk.length;
      },
      end: () => {
        this.writing = false;
        if (buf) {
          // Fewer bytes than announced: give the rest of the reservation back.
          this.held -= buf.length - have;
          return { size: have, spooled: false, source: bytesSource(buf.subarray(0, have)) };
        }
        if (spoolStart < 0) return { size: 0, spooled: false, source: bytesSource(new Uint8Array(0)) };
        const at = spoolStart;
        const inner = fdSource(this.fd!, this.spoolEnd);
        const source: ByteSource = {
          size: have,
          read: (offset, length) =>
            offset >= have || length <= 0
              ? new Uint8Array(0)
              : inner.read(at + offset, Math.min(length, have - offset)),
        };
        return { size: have, spooled: true, source };
      },
    };
  }

  /** Forgets a file's memory (a copy that turned out not to be wanted). Spooled bytes stay until close. */
  release(file: StoredFile): void {
    if (!file.spooled) this.held -= file.size;
  }

  /** Closes the spool file; the sources must not be read after this. */
  close(): void {
    this.closed = true;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
