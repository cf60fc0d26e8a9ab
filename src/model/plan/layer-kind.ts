import type { Image } from '../image.js';
import { shortCommand } from '../history.js';

export type LayerKind = 'run' | 'copy' | 'add' | 'base' | 'unknown';

/** How a layer was made, from its history command. */
export function layerKind(image: Image, index: number): LayerKind {
  const created = image.layers[index]?.history?.createdBy;
  if (isBaseLayer(image, index)) return 'base';
  if (created === undefined || created.trim() === '') return 'unknown';
  const c = shortCommand(created);
  if (/^RUN\b/.test(c) || (/\/bin\/sh -c /.test(created) && !/#\(nop\)/.test(created))) return 'run';
  if (/^COPY\b/.test(c)) return 'copy';
  if (/^ADD\b/.test(c)) return 'add';
  return 'unknown';
}

const ROOTFS_ADD = /(^|\s)ADD (file|multi):[0-9a-f]+ in \/\s*$/;

/**
 * Whether a layer comes from the base image: layer 0, and every layer up to the last one that unpacks a
 * root filesystem (`ADD file:… in /`, how base images start). A guess from history; users know better.
 */
export function isBaseLayer(image: Image, index: number): boolean {
  if (index === 0) return true;
  let lastRootfs = 0;
  image.layers.forEach((l, i) => {
    if (ROOTFS_ADD.test(shortCommand(l.history?.createdBy))) lastRootfs = i;
  });
  return index <= lastRootfs;
}

/** A command short enough to quote in a sentence. */
export function quoteCommand(image: Image, index: number, max = 90): string {
  // The legacy builder records `COPY file:<64 hex> in /x`: keep 12 hex digits, like docker's short ids.
  const c = shortCommand(image.layers[index]?.history?.createdBy).replace(
    /\b(file|dir|multi):([0-9a-f]{12})[0-9a-f]{52}\b/g,
    '$1:$2…',
  );
  if (c === '') return `layer ${index}`;
  return c.length > max ? `${c.slice(0, max - 1)}…` : c;
}
