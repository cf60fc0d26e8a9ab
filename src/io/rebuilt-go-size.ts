/**
 * The compressed weight of the Go binaries a Dockerfile patch rebuilds with `-trimpath -ldflags='-s -w'`,
 * measured rather than guessed: the binary's bytes are read again from the source (one targeted pass, the
 * source's `readFiles` port), the sections `-s -w` leaves out (the symbol table and DWARF — what
 * `strip --strip-all` removes; `strippedView`) are cut, and the rest is deflated at level 6 on zlib's thread
 * pool (the event loop, and the explorer's frames, keep running), scaled to GNU gzip as every other layer estimate
 * is. On the test program (crypto/x509, go1.19) this lands within 0.3 % of `gzip -6` of the real -s -w build.
 * -trimpath: the whole pages its shorter file names take off the file are computed from pclntab's file table
 * (model/predict/go-trimpath.ts); its effect on the compressed weight (0.04 % there) is not modelled.
 * Runs only for the patch (--export x.patch, --verify-build, the explorer's `E`), never for the first frame.
 */
import { createDeflateRaw } from 'node:zlib';
import type { ByteSource } from '../model/elf/index.js';
import { parseElf } from '../model/elf/index.js';
import { gnuGzipEquivalent } from '../model/predict/gzip-estimate.js';
import type { RebuiltGoSizes } from '../model/dockerfile/go-rebuild.js';
import type { ReadFiles, WantedFile } from '../model/ports.js';
import { goFileTable, trimpathFileSaving, trimpathTableSaving } from '../model/predict/go-trimpath.js';
import { strippedView } from './upx-targets.js';

const CHUNK = 1 << 20;

/** zlib level-6 raw deflate size of `src`, fed in 1 MiB pieces (the work runs off the main thread). */
export function deflatedSize(src: ByteSource): Promise<number> {
  return new Promise((resolve, reject) => {
    const z = createDeflateRaw({ level: 6 });
    let n = 0;
    z.on('data', (c: Buffer) => (n += c.length));
    z.on('end', () => resolve(n));
    z.on('error', reject);
    let at = 0;
    const pump = (): void => {
      while (at < src.size) {
        const piece = src.read(at, Math.min(CHUNK, src.size - at));
        at += piece.length;
        if (piece.length === 0) break;
        if (!z.write(piece)) return void z.once('drain', pump);
      }
      z.end();
    };
    pump();
  });
}

export interface RebuiltGoResult {
  readonly sizes: RebuiltGoSizes;
  /** Why some file keeps the guess (not re-readable, not an ELF file). */
  readonly note?: string;
}

/** gzip -6 weight of each target as rebuilt with -s -w; targets that cannot be read keep the patch's guess. */
export async function measureRebuiltGo(
  readFiles: ReadFiles | undefined,
  targets: readonly WantedFile[],
): Promise<RebuiltGoResult> {
  const sizes = new Map<string, { compressed: number; trimpath: number; original: number }>();
  if (targets.length === 0) return { sizes };
  if (!readFiles)
    return {
      sizes,
      note: 'the source (standard input) cannot be read a second time: the rebuilt Go binary is a rough guess',
    };
  const set = await readFiles(targets);
  try {
    const failed: string[] = [];
    for (const t of targets) {
      const src = set.get(t.layer, t.path);
      const parsed = src ? parseElf(src) : undefined;
      if (!src || !parsed?.ok) {
        failed.push(`/${t.path}`);
        continue;
      }
      const view = strippedView(src, parsed.elf);
      // The tar header of the file (512 B of mostly zeros, ~60 B deflated) is left out: 0.01 % of a Go binary.
      const names = goFileTable(src, parsed.elf);
      const trimpath = names ? trimpathFileSaving(parsed.elf, trimpathTableSaving(names, parsed.elf.go)) : 0;
      const weigh = async (s: ByteSource): Promise<number> =>
        Math.round(gnuGzipEquivalent(await deflatedSize(s), s.size));
      // Both on zlib's thread pool at once.
      const [compressed, original] = await Promise.all([weigh(view), weigh(src)]);
      sizes.set(t.path, { compressed, trimpath, original });
    }
    return {
      sizes,
      ...(failed.length > 0
        ? { note: `${failed.join(', ')} could not be read again from the source: its rebuilt size is a rough guess` }
        : {}),
    };
  } finally {
    set.close();
  }
}
