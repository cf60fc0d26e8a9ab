import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Image } from '../model/image.js';
import type { LoadedImage, LoadOptions } from './sources/image-source.js';
import type { SourceSpec } from './sources/source-spec.js';
import { openSource, type PathClass } from './sources/source-table.js';

export type { LoadedImage, LoadOptions } from './sources/image-source.js';

/** What a bare argument names on disk, for `parseSourceArg`. */
export function classifyPath(p: string): PathClass {
  if (p === '-') return 'file'; // standard input
  try {
    const st = statSync(p);
    if (st.isFile()) return 'file';
    if (st.isDirectory()) {
      try {
        if (statSync(join(p, 'index.json')).isFile()) return 'oci-dir';
      } catch {
        // not a layout
      }
      return 'dir';
    }
  } catch {
    // not on disk: an engine reference
  }
  return /\.(tar|tar\.gz|tgz)$/.test(p) || p.startsWith('./') || p.startsWith('/') ? 'file' : 'none';
}

/** The one entry point every output uses: a source spec in, the model's Image out — with its source kept for re-reads. */
export async function openImage(spec: SourceSpec, opts: LoadOptions): Promise<LoadedImage> {
  return (await openSource(spec)).load(opts);
}

/** The model's Image only, for callers that never read the source again. */
export async function loadImage(spec: SourceSpec, opts: LoadOptions): Promise<Image> {
  return (await openImage(spec, opts)).image;
}
