import type { Analysis } from '../analysis.js';
import { shortCommand } from '../history.js';
import { filesystemSizeAt } from '../tree-sizes.js';
import type { Plan } from './build-plan.js';
import { dataBytes, entryOf, paddedBytes, refKey, tarBytes, type EntryRef } from './entry-ref.js';
import { strippedGzipBytes } from './removal-cost.js';
import {
  baselineCompressed,
  gzipFact,
  ratioPredictors,
  removedCompressed,
  type Codec,
  type PredictorMethods,
  type Predictors,
  type RemovedBytes,
} from './predictors.js';
import { checkSafety, type SafetyWarning } from './safety.js';
import { stripCompressedRatio } from './strip-compressibility.js';

export interface Sizes {
  /** On disk: dive's layer size (sum of the entries' sizes). */
  readonly size: number;
  /** The uncompressed layer tar (headers and padding included). */
  readonly tarSize: number;
  /** The compressed blob (pull size). */
  readonly compressed: number;
}

export interface LayerProjection {
  readonly index: number;
  readonly command: string;
  readonly before: Sizes;
  readonly after: Sizes;
  /** How `before.compressed` was obtained: the source's blob, an estimate, or a guess. */
  readonly compressedBasis: 'blob' | 'estimate' | 'guess';
}

export interface ActionLayerDelta {
  readonly layer: number;
  readonly size: number;
  readonly tarSize: number;
  readonly compressed: number;
}

export interface UpxRefusal {
  readonly path: string;
  readonly reason: string;
  /** How the refusal was decided: the UPX model on the file's bytes, or a rough guess from the ELF facts. */
  readonly estimatedBy?: string;
}

/** One file a UPX action packs, with its predicted sizes. */
export interface UpxPackedFile {
  readonly path: string;
  /** The file's size before packing (after strip when the plan strips it too). */
  readonly before: number;
  /** Predicted size of the `upx --best --lzma` output. */
  readonly size: number;
  /** What the packed file weighs compressed in the layer (gzip -6 of it), when known. */
  readonly gzipSize?: number;
  readonly estimatedBy?: string;
}

export interface ActionProjection {
  readonly id: string;
  readonly label: string;
  /** Savings (positive = smaller). */
  readonly size: number;
  readonly tarSize: number;
  readonly compressed: number;
  readonly perLayer: readonly ActionLayerDelta[];
  /** Entries removed, stripped or packed. */
  readonly entries: number;
  readonly refusals: readonly UpxRefusal[];
  /** UPX actions: the files packed, with their predicted sizes. */
  readonly packed: readonly UpxPackedFile[];
  /** Entries matched but without a prediction (e.g. strip on an already stripped file). */
  readonly unchanged: number;
}

export interface Projection {
  readonly plan: Plan;
  readonly codec: Codec;
  readonly layers: readonly LayerProjection[];
  readonly total: { readonly before: Sizes; readonly after: Sizes };
  /** Bytes of the final filesystem before and after (what a squash would ship). */
  readonly finalFs: { readonly before: number; readonly after: number };
  readonly actions: readonly ActionProjection[];
  readonly warnings: readonly SafetyWarning[];
  /** How the numbers were estimated, in words. */
  readonly methods: PredictorMethods & { readonly size: string };
  /** Per action and entry (`savingKey`): the bytes it saves, for the fix list. */
  readonly entrySavings: ReadonlyMap<string, EntrySaving>;
}

export interface EntrySaving {
  readonly actionId: string;
  readonly layer: number;
  readonly size: number;
  /** The layer's compressed saving for this action, shared out by bytes. */
  readonly compressed: number;
}

export const savingKey = (actionId: string, ref: EntryRef): string => `${actionId}/${refKey(ref)}`;

export interface ProjectOptions {
  readonly codec?: Codec;
}

const sum = (xs: readonly Sizes[]): Sizes =>
  xs.reduce(
    (a, b) => ({ size: a.size + b.size, tarSize: a.tarSize + b.tarSize, compressed: a.compressed + b.compressed }),
    { size: 0, tarSize: 0, compressed: 0 },
  );

/**
 * The sizes before and after a plan, per layer and in total, with the saving of each action. Removed
 * entries leave every layer that stored them; strip and UPX change the final file in the layer that wrote
 * it. Compressed sizes come from `predictors.compressedBytes`, asked cumulatively in action order, so the
 * per-action compressed savings add up to the total exactly.
 */
export function projectPlan(
  analysis: Analysis,
  plan: Plan,
  predictors: Predictors = ratioPredictors(analysis.image),
  opts: ProjectOptions = {},
): Projection {
  const { image } = analysis;
  const codec = opts.codec ?? 'gzip';
  const n = image.layers.length;
  const actionIds = plan.actions.map((a) => a.id);
  const perAction = new Map(
    plan.actions.map((a) => [
      a.id,
      {
        size: 0,
        tarSize: 0,
        perLayer: new Map<number, { size: number; tarSize: number; compressed: number }>(),
        entries: 0,
        refusals: [] as UpxRefusal[],
        packed: [] as UpxPackedFile[],
        unchanged: 0,
      },
    ]),
  );
  const entrySavings = new Map<
    string,
    { actionId: string; layer: number; size: number; compressed: number; weight: number }
  >();
  const weigh = (layer: number, r: RemovedBytes): number => removedCompressed(image, layer, r, codec);

  // Per layer, per action (in plan order): what leaves the layer's tar stream.
  const removedByLayer: Map<string, RemovedBytes[]>[] = Array.from({ length: n }, () => new Map());
  const upxAdded: Map<string, number>[] = Array.from({ length: n }, () => new Map());
  const bump = (actionId: string, layer: number, size: number, tar: number): void => {
    const a = perAction.get(actionId)!;
    a.size += size;
    a.tarSize += tar;
    const l = a.perLayer.get(layer) ?? { size: 0, tarSize: 0, compressed: 0 };
    l.size += size;
    l.tarSize += tar;
    a.perLayer.set(layer, l);
  };
  const push = (layer: number, actionId: string, r: RemovedBytes): void => {
    const m = removedByLayer[layer]!;
    const list = m.get(actionId);
    if (list) list.push(r);
    else m.set(actionId, [r]);
  };

  for (const pa of plan.actions) {
    const acc = perAction.get(pa.id)!;
    for (const ref of pa.removes) {
      const e = entryOf(image, ref);
      bump(pa.id, ref.layer, dataBytes(e), tarBytes(e));
      const r: RemovedBytes = { entry: e, bytes: tarBytes(e), share: 1 };
      push(ref.layer, pa.id, r);
      acc.entries++;
      // Zero-byte entries (dirs, links) still cost their header: they count towards the item that removes them.
      entrySavings.set(savingKey(pa.id, ref), {
        actionId: pa.id,
        layer: ref.layer,
        size: dataBytes(e),
        compressed: 0,
        weight: weigh(ref.layer, r),
      });
    }
  }
  // Strip before UPX: a file both stripped and packed is packed from its stripped form.
  const sizeNow = new Map<number, number>();
  for (const pa of plan.actions) {
    const acc = perAction.get(pa.id)!;
    for (const ref of pa.strips) {
      const e = entryOf(image, ref);
      const p = predictors.strip(e);
      if (!p || p.size >= e.size) {
        acc.unchanged++;
        continue;
      }
      sizeNow.set(refKey(ref), p.size);
      const tar = paddedBytes(e.size) - paddedBytes(p.size);
      bump(pa.id, ref.layer, e.size - p.size, tar);
      // Measured on the file's bytes when the removal-cost tap saw it whole, else a typical ratio per section kind.
      const measured = strippedGzipBytes(image.layers[ref.layer]!, e);
      const gz = gzipFact(image.layers[ref.layer]!);
      const scale = gz !== undefined && gz > 0 ? baselineCompressed(image.layers[ref.layer]!, codec).bytes / gz : 1;
      const ratio = stripCompressedRatio(e);
      const hint = measured !== undefined ? measured * scale : ratio !== undefined ? ratio * tar : undefined;
      const r: RemovedBytes = { entry: e, bytes: tar, ...(hint !== undefined ? { compressedHint: hint } : {}) };
      push(ref.layer, pa.id, r);
      acc.entries++;
      entrySavings.set(savingKey(pa.id, ref), {
        actionId: pa.id,
        layer: ref.layer,
        size: e.size - p.size,
        compressed: 0,
        weight: weigh(ref.layer, r),
      });
    }
  }
  for (const pa of plan.actions) {
    const acc = perAction.get(pa.id)!;
    for (const ref of pa.packs) {
      const e = entryOf(image, ref);
      const p = predictors.upx(e);
      const path = analysis.tree.nodeOf(ref.layer, ref.index)?.path ?? e.path;
      if (!p) {
        acc.unchanged++;
        continue;
      }
      const by = p.estimatedBy !== undefined ? { estimatedBy: p.estimatedBy } : {};
      if ('refused' in p) {
        acc.refusals.push({ path: `/${path}`, reason: p.refused, ...by });
        continue;
      }
      const cur = sizeNow.get(refKey(ref)) ?? e.size;
      if (p.size >= cur) {
        acc.refusals.push({ path: `/${path}`, reason: 'packing would not make it smaller', ...by });
        continue;
      }
      acc.packed.push({
        path: `/${path}`,
        before: cur,
        size: p.size,
        ...(p.gzipSize !== undefined ? { gzipSize: p.gzipSize } : {}),
        ...by,
      });
      const tar = paddedBytes(cur) - paddedBytes(p.size);
      bump(pa.id, ref.layer, cur - p.size, tar);
      // The packed file replaces the whole file in the stream, and barely compresses.
      const r: RemovedBytes = {
        entry: e,
        bytes: paddedBytes(cur),
        share: tarBytes(e) > 0 ? paddedBytes(cur) / tarBytes(e) : 1,
      };
      push(ref.layer, pa.id, r);
      const back = p.gzipSize ?? p.size;
      upxAdded[ref.layer]!.set(pa.id, (upxAdded[ref.layer]!.get(pa.id) ?? 0) + back);
      acc.entries++;
      entrySavings.set(savingKey(pa.id, ref), {
        actionId: pa.id,
        layer: ref.layer,
        size: cur - p.size,
        compressed: 0,
        weight: weigh(ref.layer, r) - back,
      });
    }
  }

  const layers: LayerProjection[] = image.layers.map((layer, li) => {
    const base = baselineCompressed(layer, codec);
    const c0 = predictors.compressedBytes(li, [], codec);
    let cumulative: RemovedBytes[] = [];
    let added = 0;
    let prev = c0;
    for (const id of actionIds) {
      const list = removedByLayer[li]!.get(id);
      const plus = upxAdded[li]!.get(id) ?? 0;
      if (!list && plus === 0) continue;
      if (list) cumulative = cumulative.concat(list);
      added += plus;
      const now = predictors.compressedBytes(li, cumulative, codec) + added;
      const a = perAction.get(id)!;
      const l = a.perLayer.get(li) ?? { size: 0, tarSize: 0, compressed: 0 };
      l.compressed += prev - now;
      a.perLayer.set(li, l);
      prev = now;
    }
    const sizeDelta = [...perAction.values()].reduce((s, a) => s + (a.perLayer.get(li)?.size ?? 0), 0);
    const tarDelta = [...perAction.values()].reduce((s, a) => s + (a.perLayer.get(li)?.tarSize ?? 0), 0);
    return {
      index: li,
      command: shortCommand(layer.history?.createdBy),
      before: { size: layer.size, tarSize: layer.tarSize, compressed: c0 },
      after: { size: layer.size - sizeDelta, tarSize: Math.max(0, layer.tarSize - tarDelta), compressed: prev },
      compressedBasis: base.how,
    };
  });

  // Per-entry compressed savings: the layer's compressed saving for that action, shared by what each entry's
  // records weigh compressed (its own cost in the stream, header included) — not by on-disk bytes, which would
  // give a header-only entry nothing and a tiny file with a big header more than its bytes.
  const weights = new Map<string, number>();
  for (const s of entrySavings.values())
    weights.set(`${s.actionId}/${s.layer}`, (weights.get(`${s.actionId}/${s.layer}`) ?? 0) + s.weight);
  for (const s of entrySavings.values()) {
    const l = perAction.get(s.actionId)!.perLayer.get(s.layer);
    const w = weights.get(`${s.actionId}/${s.layer}`) ?? 0;
    if (l && w !== 0) s.compressed = Math.round((l.compressed * s.weight) / w);
    else if (l && l.size > 0) s.compressed = Math.round((l.compressed * s.size) / l.size);
  }

  const last = n - 1;
  const fsBefore = n > 0 ? filesystemSizeAt(analysis.tree, last) : 0;
  let fsSaved = 0;
  for (const pa of plan.actions) {
    for (const ref of pa.removes) {
      const e = entryOf(image, ref);
      const node = analysis.tree.nodeOf(ref.layer, ref.index);
      const v = node?.versions[node.versions.length - 1];
      if (v?.entry === e) fsSaved += dataBytes(e);
    }
  }
  const stripUpxSaved = plan.actions.reduce(
    (s, pa) => (pa.strips.length + pa.packs.length > 0 ? s + (perAction.get(pa.id)?.size ?? 0) : s),
    0,
  );

  const defaults = ratioPredictors(image).methods!;
  const methods = {
    strip: predictors.methods?.strip ?? defaults.strip!,
    upx: predictors.methods?.upx ?? defaults.upx!,
    compressed: predictors.methods?.compressed ?? defaults.compressed!,
    size: "exact: sums of the entries' sizes (dive's layer size); tar size adds 512-byte headers and padding",
  };

  return {
    plan,
    codec,
    layers,
    total: { before: sum(layers.map((l) => l.before)), after: sum(layers.map((l) => l.after)) },
    finalFs: { before: fsBefore, after: fsBefore - fsSaved - stripUpxSaved },
    actions: plan.actions.map((pa) => {
      const a = perAction.get(pa.id)!;
      const perLayer = [...a.perLayer].map(([layer, d]) => ({ layer, ...d })).sort((x, y) => x.layer - y.layer);
      return {
        id: pa.id,
        label: pa.label,
        size: a.size,
        tarSize: a.tarSize,
        compressed: perLayer.reduce((s, d) => s + d.compressed, 0),
        perLayer,
        entries: a.entries,
        refusals: a.refusals,
        packed: a.packed,
        unchanged: a.unchanged,
      };
    }),
    warnings: checkSafety(analysis, plan),
    methods,
    entrySavings,
  };
}
