/**
 * The explorer's fast open: the first frame needs the tree, and the tree needs only the layers' headers. When
 * every layer blob is reachable in a file (a `docker save` archive, an OCI archive or layout), worker threads first
 * skim the layers (skim-chunks.ts: an uncompressed layer's big files are not even read; a compressed one is
 * inflated, with no analyser, digest or tap), the image is assembled from those entries and returned; then
 * `content()` — called once the first frame is drawn, so the pass does not compete with the tree and the frame
 * for the cores — has the same workers read every layer in full, the one pass over the contents, for the analysers
 * (ELF, text, digests) and taps (pull-size estimate, diff_id), and their facts are put on the skim's entries. It
 * resolves to the image as a full load would have made it.
 *
 * A compressed layer is inflated twice that way (measured on the bench image's gzip OCI twin, load ~4: first
 * frame 9.9–12.3 s instead of 21.4–36.9 s; the contents arrive later by about one inflate). If the content pass
 * sees other entries than the skim did (a header the skim misjudged), its facts are not used: `content` resolves
 * to a full load's image instead, marked `reloaded`.
 */
import type { Image } from '../model/image.js';
import type { LayerBlob } from './assemble-image.js';
import { sameEntries } from './layer-facts.js';
import { MIN_SPAN } from './layer-spans.js';
import { LayerPool, workerPlan, type ContentLayer } from './parallel-layers.js';
import type { LayerBlobListing, LayerBlobRef, LoadOptions } from './sources/image-source.js';

/** The image after the content pass; `reloaded` when it is a new image rather than the skim's with facts. */
export interface ContentImage {
  readonly image: Image;
  readonly reloaded: boolean;
}

export interface SkimmedLoad {
  readonly image: Image;
  readonly listing: LayerBlobListing;
  /** Starts the content pass (once; later calls return the same promise). */
  readonly content: () => Promise<ContentImage>;
}

/** Skims then reads the listed layers; undefined when the listing cannot be skimmed (see the top of this file). */
export async function skimThenContent(
  listing: LayerBlobListing,
  opts: LoadOptions,
  assemble: (layers: LayerBlob[]) => Image,
  what: (ref: LayerBlobRef) => string,
  reload: () => Promise<Image>,
): Promise<SkimmedLoad | undefined> {
  if (opts.verify === 'error') return undefined;
  const names = workerPlan(listing.layers, opts, 1);
  if (!names) return undefined;
  // Threads for the spans of a big layer too (layer-spans.ts), not only one per layer.
  const bytes = listing.layers.reduce((s, r) => s + r.size, 0);
  const pool = new LayerPool(listing.layers, opts, names, what, Math.max(listing.layers.length, bytes / MIN_SPAN));
  let skimmed;
  try {
    skimmed = await pool.parse('skim');
    performance.mark('skimmed');
  } catch {
    // Whatever the skim tripped on, the full pass reads it as stored and says what is wrong.
    await pool.close();
    return undefined;
  }
  const blobs = (parsed: typeof skimmed): LayerBlob[] =>
    parsed.map((p, i) => {
      const ref = listing.layers[i]!;
      return {
        parsed: p,
        ...(ref.digest ? { digest: ref.digest } : {}),
        ...(ref.expectedSize !== undefined ? { expectedSize: ref.expectedSize } : {}),
      };
    });
  const image = assemble(blobs(skimmed));
  let started: Promise<ContentImage> | undefined;
  const content = (): Promise<ContentImage> =>
    (started ??= pool
      .content()
      .finally(() => pool.close())
      .then(async (layers): Promise<ContentImage> => {
        if (layers.some((c, i) => !sameEntries(image.layers[i]!.entries, c.check)))
          return { image: await reload(), reloaded: true };
        // The digests (diff_id, blob) and layer facts come from the content pass: assemble again with them.
        const full = assemble(blobs(skimmed.map((p, i) => ({ ...p, ...layers[i]!.rest, entries: p.entries }))));
        return { image: withContent(full, layers), reloaded: false };
      }));
  // The workers wait, idle, for the content round; they must not keep a process alive that never starts it.
  pool.unref();
  return { image, listing, content };
}

/** The full assembly (the skim's entry arrays, the content pass's digests and layer facts) with the facts put on its entries. */
function withContent(full: Image, layers: readonly ContentLayer[]): Image {
  full.layers.forEach((l, i) => {
    for (const [k, f] of layers[i]!.facts) l.entries[k]!.facts = f;
  });
  return full;
}
