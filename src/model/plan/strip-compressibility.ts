import type { Entry } from '../entry.js';
import { isStrippedByStripAll } from '../predict/strip.js';
import { elfOf } from './elf-facts.js';

const SHF_COMPRESSED = 0x800;
/** gzip -6 of symbol tables and uncompressed DWARF is typically 25–35 % of their size. */
const SYMBOL_GZIP_RATIO = 0.3;

/**
 * How much of the removed bytes' weight leaves the compressed layer when strip drops a file's sections:
 * sections already compressed (SHF_COMPRESSED, `.zdebug_*`, as Go writes its DWARF) leave byte for byte,
 * symbol tables and plain DWARF at a typical gzip ratio. Undefined without a section table.
 */
export function stripCompressedRatio(entry: Entry): number | undefined {
  const elf = elfOf(entry) as { sections?: { name: string; type: number; flags: number; size: number }[] } | undefined;
  const sections = elf?.sections;
  if (!Array.isArray(sections) || sections.length === 0) return undefined;
  let raw = 0;
  let packed = 0;
  for (const s of sections) {
    if (s.type === 8 /* SHT_NOBITS */ || !isStrippedByStripAll(s.name, s.type)) continue;
    raw += s.size;
    packed += (s.flags & SHF_COMPRESSED) !== 0 || s.name.startsWith('.zdebug') ? s.size : s.size * SYMBOL_GZIP_RATIO;
  }
  return raw > 0 ? packed / raw : undefined;
}
