import type { HistoryEntry, Warning } from './image.js';

/**
 * Lines history up with layers: entries with `emptyLayer` made no layer, the others match the layers one
 * to one, in order. When the counts disagree the alignment is unknowable, so no layer gets a command
 * (a wrong command is worse than none) and a warning says so.
 */
export function alignHistory(
  history: readonly HistoryEntry[],
  layerCount: number,
): { perLayer: (HistoryEntry | undefined)[]; warning?: Warning } {
  const layered = history.filter((h) => !h.emptyLayer);
  if (history.length === 0) return { perLayer: new Array(layerCount).fill(undefined) };
  if (layered.length !== layerCount) {
    return {
      perLayer: new Array(layerCount).fill(undefined),
      warning: {
        code: 'history-mismatch',
        message: `history has ${layered.length} layer-making entries for ${layerCount} layers; layer commands are not shown`,
      },
    };
  }
  return { perLayer: layered };
}

/** A layer command as people read it: Docker's `/bin/sh -c #(nop) ` noise removed, whitespace collapsed. */
export function shortCommand(createdBy: string | undefined): string {
  if (!createdBy) return '';
  let s = createdBy.trim();
  s = s.replace(/^\/bin\/sh -c #\(nop\)\s*/, '');
  s = s.replace(/^\/bin\/sh -c /, 'RUN ');
  s = s.replace(/^RUN \/bin\/sh -c /, 'RUN ');
  s = s.replace(/\s*# buildkit$/, '');
  return s.replace(/\s+/g, ' ').trim();
}
