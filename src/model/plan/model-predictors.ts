import type { ElfInfo } from '../elf/index.js';
import type { Entry } from '../entry.js';
import type { Image } from '../image.js';
import { predictStrip } from '../predict/strip.js';
import { elfOf } from './elf-facts.js';
import { ratioPredictors, UPX_BY_MODEL, type Predictors, type UpxPrediction } from './predictors.js';

/**
 * The predictors available from the single pass alone: strip from the section table (src/model/predict,
 * checked against binutils), UPX and compression from the ratio defaults. The real UPX model needs the file's
 * bytes (an LZMA run): inject it by replacing `upx` once those are at hand.
 */
export function modelPredictors(image: Image): Predictors {
  const base = ratioPredictors(image);
  return {
    ...base,
    strip(entry) {
      const elf = elfOf(entry);
      if (!elf || !Array.isArray((elf as { sections?: unknown }).sections)) return base.strip(entry);
      const p = predictStrip(elf as unknown as ElfInfo, entry.size);
      return p.changed && p.size < entry.size ? { size: p.size } : undefined;
    },
    methods: {
      ...base.methods,
      strip:
        "objcopy's --strip-all layout redone from the section table (src/model/predict/strip.ts; within 1 % of binutils strip on the test ELFs)",
    },
  };
}

/** The words for `methods.upx` when the UPX model was run on the files a plan packs. */
export const UPX_MODEL_METHOD =
  "model: raw LZMA1 preset-9 size (xz) of the bytes UPX packs, times a slope, plus UPX's stub and headers fitted on upx 4.2 " +
  '--best --lzma (src/model/predict/upx.ts; ~1 % mean error against the real upx); refusals as UPX decides them; the ' +
  'packed file is added back to the layer at its gzip -6 size (packed bytes barely compress)';

/**
 * `base` with UPX answered from results precomputed on the files' bytes (src/io/upx-targets.ts): the planner
 * stays pure and synchronous; entries without a result keep `base`'s answer (a rough guess).
 */
export function withUpxResults(
  base: Predictors,
  results: ReadonlyMap<Entry, UpxPrediction>,
  note?: string,
): Predictors {
  if (results.size === 0 && note === undefined) return base;
  const rough = base.methods?.upx;
  return {
    ...base,
    upx: (entry) => results.get(entry) ?? base.upx(entry),
    methods: {
      ...base.methods,
      upx: `${UPX_MODEL_METHOD}${note ? `; ${note}` : ''}${rough && note ? ` (there: ${rough})` : ''}`,
    },
  };
}

export { UPX_BY_MODEL };
