/**
 * On-demand UPX prediction for one ELF file (the planner calls this for the files a plan packs): the byte scan,
 * UPX's refusals, and the packed size from one `xz` run over the bytes UPX compresses.
 */
import type { ByteSource, ElfInfo } from '../model/elf/index.js';
import { scanForUpx, type UpxScan } from '../model/predict/upx-scan.js';
import {
  extentStored,
  predictUpx,
  predictUpxGzip,
  upxEligibility,
  upxPackPlan,
  withStoredExtent,
  type UpxEligibility,
  type UpxPackPlan,
} from '../model/predict/upx.js';
import { deflateRawSync } from 'node:zlib';
import { lzmaRawSize } from './lzma-size.js';

/** deflate level 6 of the bytes UPX leaves uncompressed in a shared library. */
function storedGzip(src: ByteSource, plan: UpxPackPlan): number {
  let n = 0;
  for (const r of plan.storedRanges) n += deflateRawSync(src.read(r.start, r.end - r.start), { level: 6 }).length;
  return n;
}

export type UpxFilePrediction =
  | {
      packable: false;
      eligibility: Extract<UpxEligibility, { ok: false }> | { ok: false; refusal: 'not-compressible'; message: string };
      scan: UpxScan;
    }
  | {
      packable: true;
      /** Predicted `upx --best --lzma` output size. */
      size: number;
      savedBytes: number;
      /** Predicted gzip -6 of the packed file (what it will weigh in a gzip layer). */
      gzip6: number;
      lzmaBytes: number;
      plan: UpxPackPlan;
      scan: UpxScan;
    };

/** `mode`: tar/stat permission bits (undefined = do not check the x bit). */
export async function predictUpxForFile(src: ByteSource, elf: ElfInfo, mode?: number): Promise<UpxFilePrediction> {
  const scan = scanForUpx(src, elf);
  const el = upxEligibility(elf, src.size, mode === undefined ? { scan } : { scan, mode });
  if (!el.ok) return { packable: false, eligibility: el, scan };
  let plan = upxPackPlan(elf, src.size, scan);
  const ext = plan.filteredExtent;
  if (ext && extentStored(ext, await lzmaRawSize(src, { x86: plan.x86Filter }, [ext])))
    plan = withStoredExtent(plan, ext);
  const lzmaBytes = await lzmaRawSize(src, { x86: plan.x86Filter }, plan.ranges);
  const p = predictUpx(plan, lzmaBytes, src.size);
  if ('refusal' in p)
    return {
      packable: false,
      eligibility: { ok: false, refusal: 'not-compressible', message: 'NotCompressibleException' },
      scan,
    };
  return {
    packable: true,
    size: p.size,
    savedBytes: p.savedBytes,
    gzip6: predictUpxGzip(p.size, plan.storedBytes, storedGzip(src, plan)),
    lzmaBytes,
    plan,
    scan,
  };
}
