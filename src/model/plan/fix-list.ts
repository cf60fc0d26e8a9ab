import type { Analysis } from '../analysis.js';
import { displayPath } from '../paths.js';
import type { PlannedAction } from './build-plan.js';
import { elfOf } from './elf-facts.js';
import { entryOf, refKey, type EntryRef } from './entry-ref.js';
import { indexEntries } from './entry-index.js';
import { UPX_CAVEATS } from '../predict/upx.js';
import { classFixText, duplicateFixText, layerWasteFixText, removeFixText, stripFixText, upxFixText } from './fix-text.js';
import { isBaseLayer, quoteCommand } from './layer-kind.js';
import { layerWaste, type LayerWasteItem } from './layer-waste.js';
import { classifyNodes } from './node-classes.js';
import type { Codec } from './predictors.js';
import { savingKey, type Projection, type Sizes, type UpxPackedFile, type UpxRefusal } from './project-plan.js';
import type { SafetyWarning } from './safety.js';
import { RULES_BY_ID, type LayerWasteId, type PathClassId, type WasteClassId } from './waste-rules.js';

export type FixKind = 'remove-class' | 'remove-paths' | 'layer-waste' | 'duplicates' | 'strip' | 'upx';

export interface FixItem {
  readonly layer: number;
  readonly kind: FixKind;
  /** The advice, as a sentence (markdown inline code for commands and paths). */
  readonly text: string;
  readonly classId?: WasteClassId;
  /** The paths concerned (display form), largest first. */
  readonly paths: readonly string[];
  /** Saving on disk and compressed. */
  readonly bytes: number;
  readonly compressed: number;
  readonly actionIds: readonly string[];
  /** UPX items: how the packed size was obtained ('model: LZMA via xz + UPX overhead fit' or 'rough guess'). */
  readonly estimatedBy?: string;
  /** UPX items: the file's size now and the predicted packed size (and its gzip size). */
  readonly upx?: { readonly before: number; readonly size: number; readonly gzipSize?: number };
}

export interface FixGroup {
  readonly layer: number;
  readonly command: string;
  readonly fromBase: boolean;
  readonly bytes: number;
  readonly compressed: number;
  readonly items: readonly FixItem[];
}

export interface FixList {
  readonly image: string;
  readonly codec: Codec;
  readonly before: Sizes;
  readonly after: Sizes;
  readonly saved: { readonly size: number; readonly compressed: number };
  readonly finalFs: { readonly before: number; readonly after: number };
  readonly actions: readonly { readonly id: string; readonly label: string; readonly size: number; readonly compressed: number; readonly entries: number }[];
  readonly groups: readonly FixGroup[];
  readonly warnings: readonly SafetyWarning[];
  readonly refusals: readonly UpxRefusal[];
  /** Other things worth knowing: classes not in the plan. */
  readonly notes: readonly string[];
  /** When the plan packs with UPX: what packing costs (start-up, memory, profiling, scanners, pull size). */
  readonly upxCaveats: readonly string[];
  readonly methods: Projection['methods'];
}

interface Bucket {
  layer: number;
  kind: FixKind;
  classId?: WasteClassId;
  actionId: string;
  sub: string;
  bytes: number;
  compressed: number;
  paths: Map<string, number>;
  byLayer?: number;
  go?: boolean;
  kept?: string;
  upx?: UpxPackedFile;
}

const MAX_PATHS = 12;

/**
 * The fix list of a projected plan: its savings grouped by the layer whose Dockerfile instruction should
 * change, each item a concrete edit with its saving on disk and compressed.
 */
export function fixList(analysis: Analysis, projection: Projection): FixList {
  const { image, tree } = analysis;
  const plan = projection.plan;
  const buckets = new Map<string, Bucket>();
  let wasteByRef: Map<number, LayerWasteItem> | undefined;
  const wasteOf = (ref: EntryRef): LayerWasteItem | undefined => {
    wasteByRef ??= new Map(layerWaste(analysis, indexEntries(analysis)).map((w) => [refKey(w.ref), w]));
    return wasteByRef.get(refKey(ref));
  };
  let nodeClasses: ReturnType<typeof classifyNodes> | undefined;
  const classRoot = (ref: EntryRef): string => {
    nodeClasses ??= classifyNodes(tree);
    const node = tree.entryNodes[ref.layer]?.[ref.index];
    if (!node) return entryOf(image, ref).path;
    const root = nodeClasses.root[node.id];
    return root !== undefined ? tree.nodes[root]!.path : node.path;
  };
  const dupOf = new Map<number, string>();
  for (const g of plan.waste.duplicates) for (const c of g.copies.slice(1)) dupOf.set(refKey(c.ref), g.copies[0]!.path);

  const add = (pa: PlannedAction, ref: EntryRef, kind: FixKind, sub: string, path: string, extra: Partial<Bucket> = {}): void => {
    const s = projection.entrySavings.get(savingKey(pa.id, ref));
    const bytes = s?.size ?? 0;
    if (bytes === 0 && extra.classId !== 'vcs') return;
    const key = `${pa.id}|${ref.layer}|${sub}`;
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = { layer: ref.layer, kind, actionId: pa.id, sub, bytes: 0, compressed: 0, paths: new Map(), ...extra }));
    b.bytes += bytes;
    b.compressed += s?.compressed ?? 0;
    b.paths.set(path, (b.paths.get(path) ?? 0) + bytes);
  };

  for (const pa of plan.actions) {
    const a = pa.action;
    for (const ref of pa.removes) {
      const node = tree.entryNodes[ref.layer]?.[ref.index];
      const path = node?.path ?? entryOf(image, ref).path;
      if (a.kind === 'remove-class' && RULES_BY_ID.has(a.class as PathClassId)) add(pa, ref, 'remove-class', a.class, classRoot(ref), { classId: a.class });
      else if (a.kind === 'remove-class' && a.class === 'duplicates') {
        const kept = dupOf.get(refKey(ref)) ?? '';
        add(pa, ref, 'duplicates', `dup:${kept}`, path, { classId: 'duplicates', kept });
      } else if (a.kind === 'remove-class' || a.kind === 'final-only') {
        const w = wasteOf(ref);
        if (!w) continue;
        add(pa, ref, 'layer-waste', `${w.id}:${w.byLayer ?? ''}`, path, { classId: w.id, ...(w.byLayer !== undefined ? { byLayer: w.byLayer } : {}) });
      } else add(pa, ref, 'remove-paths', 'paths', path);
    }
    for (const ref of pa.strips) {
      const e = entryOf(image, ref);
      const go = elfOf(e)?.go !== undefined;
      const path = tree.entryNodes[ref.layer]?.[ref.index]?.path ?? e.path;
      add(pa, ref, 'strip', go ? `go:${path}` : 'strip', path, { go });
    }
    const packed = new Map((projection.actions.find((x) => x.id === pa.id)?.packed ?? []).map((f) => [f.path, f]));
    for (const ref of pa.packs) {
      const path = tree.entryNodes[ref.layer]?.[ref.index]?.path ?? entryOf(image, ref).path;
      const f = packed.get(`/${path}`);
      add(pa, ref, 'upx', `upx:${path}`, path, f ? { upx: f } : {});
    }
  }

  const items: FixItem[] = [];
  for (const b of buckets.values()) {
    const paths = [...b.paths].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([p]) => displayPath(p));
    let text: string;
    switch (b.kind) {
      case 'remove-class':
        text = classFixText(image, b.layer, b.classId as PathClassId, paths);
        break;
      case 'remove-paths':
        text = removeFixText(image, b.layer, paths);
        break;
      case 'layer-waste':
        text = layerWasteFixText(image, b.layer, b.classId as LayerWasteId, paths, b.byLayer);
        break;
      case 'duplicates':
        text = duplicateFixText(image, b.layer, displayPath(b.kept ?? ''), paths);
        break;
      case 'strip':
        text = stripFixText(image, b.layer, paths, b.go === true);
        break;
      case 'upx':
        text = upxFixText(image, b.layer, paths);
        break;
    }
    const u = b.upx;
    items.push({
      layer: b.layer,
      kind: b.kind,
      text,
      ...(b.classId ? { classId: b.classId } : {}),
      paths: paths.slice(0, MAX_PATHS),
      bytes: b.bytes,
      compressed: b.compressed,
      actionIds: [b.actionId],
      ...(u?.estimatedBy !== undefined ? { estimatedBy: u.estimatedBy } : {}),
      ...(u ? { upx: { before: u.before, size: u.size, ...(u.gzipSize !== undefined ? { gzipSize: u.gzipSize } : {}) } } : {}),
    });
  }

  const groups: FixGroup[] = [];
  for (const layer of [...new Set(items.map((i) => i.layer))].sort((x, y) => x - y)) {
    const mine = items.filter((i) => i.layer === layer).sort((x, y) => y.bytes - x.bytes || (x.text < y.text ? -1 : 1));
    groups.push({ layer, command: quoteCommand(image, layer, 200), fromBase: isBaseLayer(image, layer), bytes: mine.reduce((s, i) => s + i.bytes, 0), compressed: mine.reduce((s, i) => s + i.compressed, 0), items: mine });
  }

  const notes: string[] = [];
  const planned = new Set(plan.actions.flatMap((pa) => (pa.action.kind === 'remove-class' ? [pa.action.class] : [])));
  const finalOnly = plan.actions.some((pa) => pa.action.kind === 'final-only');
  for (const c of plan.waste.classes) {
    if (planned.has(c.id) || (finalOnly && c.category === 'layer-waste') || c.storedBytes === 0) continue;
    notes.push(`not in this plan: ${c.label} (${c.fileCount} files, ${c.storedBytes} bytes stored) — ${c.fix}`);
  }
  if (!plan.waste.haveDigests) notes.push('content digests were off (--no-digests): duplicates and chmod copies could not be told apart from other rewrites');

  const t = projection.total;
  return {
    image: image.repoTags[0] ?? image.reference,
    codec: projection.codec,
    before: t.before,
    after: t.after,
    saved: { size: t.before.size - t.after.size, compressed: t.before.compressed - t.after.compressed },
    finalFs: projection.finalFs,
    actions: projection.actions.map((a) => ({ id: a.id, label: a.label, size: a.size, compressed: a.compressed, entries: a.entries })),
    groups,
    warnings: projection.warnings,
    refusals: projection.actions.flatMap((a) => a.refusals),
    notes,
    upxCaveats: plan.actions.some((pa) => pa.action.kind === 'upx') ? UPX_CAVEATS : [],
    methods: projection.methods,
  };
}
