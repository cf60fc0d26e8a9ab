import type { ElfInfo } from '../elf/index.js';
import type { Image } from '../image.js';
import { predictStrip } from '../predict/strip.js';
import { elfOf } from './elf-facts.js';
import { ratioPredictors, type Predictors } from './predictors.js';

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
      strip: "objcopy's --strip-all layout redone from the section table (src/model/predict/strip.ts; within 1 % of binutils strip on the test ELFs)",
    },
  };
}
