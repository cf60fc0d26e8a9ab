import { formatBytes } from '../model/byte-units.js';
import type { WasteClass } from '../model/plan/index.js';

/** The waste-classes view's line for one class: bytes stored, bytes in the final filesystem, files, label. */
export function wasteClassLine(c: WasteClass, planned: boolean): string {
  return `${planned ? '[x]' : '[ ]'} ${formatBytes(c.storedBytes).padStart(8)} ${formatBytes(c.finalBytes).padStart(8)} ${String(c.fileCount).padStart(6)}  ${c.id}: ${c.label}`;
}

export const WASTE_HEADER = '      stored    final  files  class';
