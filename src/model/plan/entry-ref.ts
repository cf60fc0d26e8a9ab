import type { Entry } from '../entry.js';
import type { Image } from '../image.js';

/** One entry stored in one layer: `image.layers[layer].entries[index]`. */
export interface EntryRef {
  readonly layer: number;
  readonly index: number;
}

export const refKey = (r: EntryRef): number => r.layer * 0x1_0000_0000 + r.index;

export const entryOf = (image: Image, r: EntryRef): Entry => image.layers[r.layer]!.entries[r.index]!;

/** Bytes an entry stores as file data (0 for directories, hard links, whiteouts). */
export const dataBytes = (e: Entry): number =>
  e.kind === 'file' || e.kind === 'symlink' || e.kind === 'other' ? e.size : 0;

/** Bytes an entry takes in the layer tar: a 512-byte header (two when the name needs a PAX/long-name record) and its data padded to 512. */
export function tarBytes(e: Entry): number {
  if (e.implicit) return 0;
  const name =
    e.kind === 'whiteout' || e.kind === 'opaque' ? e.path.length + 5 : e.path.length + (e.kind === 'dir' ? 1 : 0);
  const header = name > 100 || (e.linkTarget?.length ?? 0) > 100 ? 1536 : 512;
  return header + Math.ceil(dataBytes(e) / 512) * 512;
}

/** The padded tar footprint of `size` data bytes (for strip/UPX size changes). */
export const paddedBytes = (size: number): number => Math.ceil(size / 512) * 512;
