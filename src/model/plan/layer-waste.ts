import type { Analysis } from '../analysis.js';
import type { Entry } from '../entry.js';
import { shortCommand } from '../history.js';
import type { EntryRef } from './entry-ref.js';
import type { EntryIndex } from './entry-index.js';
import type { LayerWasteId } from './waste-rules.js';
import { runSteps, STEP_ITEMS, type Steps } from '../steps.js';

export interface LayerWasteItem {
  readonly id: LayerWasteId;
  readonly ref: EntryRef;
  readonly path: string;
  readonly bytes: number;
  /** The layer whose change made the bytes unreachable. */
  readonly byLayer?: number;
}

const sameContent = (a: Entry, b: Entry): boolean | undefined => {
  const x = a.facts?.sha256;
  const y = b.facts?.sha256;
  if (typeof x === 'string' && typeof y === 'string') return x === y;
  return undefined;
};

/**
 * The engine's reclaimable bytes, with one refinement: an overwritten file whose next version has the same
 * content (sha256) and only a different mode or owner is a chmod/chown copy. Without digests, a same-size
 * rewrite by a layer whose command runs chmod/chown counts as one.
 */
export function layerWaste(analysis: Analysis, index: EntryIndex): LayerWasteItem[] {
  return runSteps(layerWasteSteps(analysis, index));
}

/** `layerWaste` in slices (see model/steps.ts): an item costs a path lookup and two version lists (~5 µs). */
export function* layerWasteSteps(analysis: Analysis, index: EntryIndex): Steps<LayerWasteItem[]> {
  const { tree, image } = analysis;
  const out: LayerWasteItem[] = [];
  let i = 0;
  for (const item of analysis.reclaimable.items) {
    if (++i % (STEP_ITEMS / 8) === 0) yield;
    const node = tree.byPath.get(item.path);
    const v = node?.versions.find((x) => x.layer === item.layer);
    const entry = v?.entry;
    const ref = entry ? index.get(entry) : undefined;
    if (!node || !entry || !ref) continue;
    let id: LayerWasteId = item.reason;
    if (item.reason === 'overwritten') {
      const next = node.versions.find((x) => x.layer > item.layer);
      const n = next?.entry;
      if (n && n.kind === 'file' && entry.kind === 'file') {
        const metaChanged = n.mode !== entry.mode || n.uid !== entry.uid || n.gid !== entry.gid;
        const same = sameContent(entry, n);
        const cmd = shortCommand(image.layers[next!.layer]?.history?.createdBy);
        if (
          metaChanged &&
          (same === true || (same === undefined && n.size === entry.size && /\bch(mod|own|grp)\b/.test(cmd)))
        )
          id = 'chmod-copied';
      }
    }
    out.push({
      id,
      ref,
      path: item.path,
      bytes: item.bytes,
      ...(item.byLayer !== undefined ? { byLayer: item.byLayer } : {}),
    });
  }
  return out;
}
