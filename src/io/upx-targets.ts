/**
 * The UPX model for the files a plan packs: re-reads exactly those files' bytes from the source (one targeted
 * pass, the source's `readFiles` port), then runs `predictUpxForFile` (the byte scan, UPX's refusals, one `xz` run)
 * on each, sequentially. The results are handed to the pure planner through `withUpxResults`.
 */
import type { Analysis } from '../model/analysis.js';
import type { Entry } from '../model/entry.js';
import { parseElf, type ByteSource, type ElfInfo } from '../model/elf/index.js';
import { isStrippedByStripAll } from '../model/predict/strip.js';
import type { UpxModelResult, UpxTarget } from '../model/plan/upx-target.js';
import { UPX_BY_MODEL, type UpxPrediction } from '../model/plan/predictors.js';
import type { UpxRefusal } from '../model/predict/upx.js';
import type { ReadFiles } from '../model/ports.js';
import { predictUpxForFile } from './upx-predict.js';

export { upxTargets, type UpxTarget } from '../model/plan/upx-target.js';

export type UpxModelProgress =
  | { readonly stage: 'reading'; readonly bytes: number; readonly files: number; readonly fileBytes: number }
  | {
      readonly stage: 'packing';
      readonly done: number;
      readonly total: number;
      readonly doneBytes: number;
      readonly totalBytes: number;
      readonly path: string;
    };

export interface UpxModelOptions {
  readonly onProgress?: (p: UpxModelProgress) => void;
  /** Bytes of file content held in memory before spooling (default 256 MiB). */
  readonly memoryCap?: number;
}

export type { UpxModelResult } from '../model/plan/upx-target.js';

const REFUSAL_WORDS: Record<UpxRefusal, string> = {
  'too-small': 'too small',
  'already-packed': 'already packed by UPX',
  'not-executable': 'not executable',
  'unsupported-format': 'a format UPX cannot pack',
  'shared-library-unsupported': 'a shared library UPX cannot pack',
  'not-compressible': 'would not get smaller',
};

/** A refusal as the outputs show it: the reason in words, then what upx itself says (and the fix). */
export function upxRefusalText(refusal: UpxRefusal, message: string, fix?: string): string {
  return `${REFUSAL_WORDS[refusal]} (upx: ${message}${fix && !message.includes(fix) ? `; fix: ${fix}` : ''})`;
}

/**
 * The file as `strip --strip-all` leaves it, approximately: the same bytes without the sections strip removes
 * (symbol tables, DWARF). Loaded segments keep their offsets (those sections lie outside them), so UPX's scan
 * and pack plan still hold; the rewritten section header table is a few hundred bytes.
 */
export function strippedView(src: ByteSource, elf: ElfInfo): ByteSource {
  const cut = elf.sections
    .filter(
      (x) => x.type !== 8 /* NOBITS */ && x.size > 0 && (x.flags & 0x2) === 0 && isStrippedByStripAll(x.name, x.type),
    )
    .map((x) => ({ start: x.offset, end: Math.min(src.size, x.offset + x.size) }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  const keep: { start: number; end: number }[] = [];
  let at = 0;
  for (const c of cut) {
    if (c.start > at) keep.push({ start: at, end: c.start });
    at = Math.max(at, c.end);
  }
  if (at < src.size) keep.push({ start: at, end: src.size });
  if (cut.length === 0) return src;
  const size = keep.reduce((n, r) => n + (r.end - r.start), 0);
  return {
    size,
    read(offset, length) {
      const parts: Uint8Array[] = [];
      let pos = 0;
      let want = Math.min(length, size - offset);
      for (const r of keep) {
        const len = r.end - r.start;
        if (want <= 0) break;
        if (offset < pos + len) {
          const from = Math.max(0, offset - pos);
          const n = Math.min(len - from, want);
          parts.push(src.read(r.start + from, n));
          offset += n;
          want -= n;
        }
        pos += len;
      }
      if (parts.length === 1) return parts[0]!;
      return Buffer.concat(parts);
    },
  };
}

/** Runs the UPX model on `targets`; files that cannot be re-read keep the planner's rough guess. */
export async function predictUpxTargets(
  readFiles: ReadFiles | undefined,
  analysis: Analysis,
  targets: readonly UpxTarget[],
  opts: UpxModelOptions = {},
): Promise<UpxModelResult> {
  const results = new Map<Entry, UpxPrediction>();
  if (targets.length === 0) return { results };
  const fileBytes = targets.reduce((s, t) => s + t.entry.size, 0);
  if (!readFiles)
    return { results, note: 'the source (standard input) cannot be read a second time: UPX sizes are a rough guess' };
  const set = await readFiles(
    targets.map((t) => ({ layer: t.layer, path: t.entry.path })),
    {
      ...(opts.memoryCap !== undefined ? { memoryCap: opts.memoryCap } : {}),
      onProgress: (bytes) => opts.onProgress?.({ stage: 'reading', bytes, files: targets.length, fileBytes }),
    },
  );
  try {
    const failed: string[] = [];
    let done = 0;
    let doneBytes = 0;
    for (const t of targets) {
      opts.onProgress?.({
        stage: 'packing',
        done,
        total: targets.length,
        doneBytes,
        totalBytes: fileBytes,
        path: t.path,
      });
      const src = set.get(t.layer, t.entry.path);
      done++;
      doneBytes += t.entry.size;
      if (!src) continue;
      const parsed = parseElf(src);
      if (!parsed.ok) {
        results.set(t.entry, {
          refused: `not an ELF file UPX can read (${parsed.malformed})`,
          estimatedBy: UPX_BY_MODEL,
        });
        continue;
      }
      let p;
      try {
        p = await predictUpxForFile(t.stripped ? strippedView(src, parsed.elf) : src, parsed.elf, t.entry.mode);
      } catch (e) {
        failed.push(`/${t.path}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
        continue;
      }
      if (p.packable) results.set(t.entry, { size: p.size, gzipSize: p.gzip6, estimatedBy: UPX_BY_MODEL });
      else {
        const el = p.eligibility;
        results.set(t.entry, {
          refused: upxRefusalText(el.refusal, el.message, 'fix' in el ? el.fix : undefined),
          estimatedBy: UPX_BY_MODEL,
        });
      }
    }
    const missing = set.missing.length;
    const notes = [
      ...(missing > 0
        ? [`${missing} file${missing === 1 ? '' : 's'} could not be read again from the source (rough guess)`]
        : []),
      ...(failed.length > 0
        ? [
            `the UPX model failed on ${failed.length} file${failed.length === 1 ? '' : 's'} (rough guess; first: ${failed[0]})`,
          ]
        : []),
    ];
    return { results, ...(notes.length > 0 ? { note: notes.join('; ') } : {}) };
  } finally {
    set.close();
  }
}
