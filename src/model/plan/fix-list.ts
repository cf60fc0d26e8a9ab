import type { Analysis } from '../analysis.js';
import { layerInstruction, type LayerDockerfileFact } from '../dockerfile/attach.js';
import { displayPath } from '../paths.js';
import type { PlannedAction } from './build-plan.js';
import { elfOf } from './elf-facts.js';
import { entryOf, refKey, type EntryRef } from './entry-ref.js';
import { indexEntries } from './entry-index.js';
import { UPX_CAVEATS } from '../predict/upx.js';
import {
  buildStageFixText,
  classFixText,
  duplicateFixText,
  layerWasteFixText,
  removeFixText,
  stripFixText,
  upxFixText,
} from './fix-text.js';
import { isBaseLayer, layerKind, quoteCommand } from './layer-kind.js';
import { layerWaste, type LayerWasteItem } from './layer-waste.js';
import { classifyNodes } from './node-classes.js';
import type { Codec } from './predictors.js';
import { savingKey, type Projection, type Sizes, type UpxPackedFile, type UpxRefusal } from './project-plan.js';
import type { SafetyWarning } from './safety.js';
import { RULES_BY_ID, type LayerWasteId, type PathClassId, type WasteClassId } from './waste-rules.js';

export type FixKind = 'remove-class' | 'build-stage' | 'remove-paths' | 'layer-waste' | 'duplicates' | 'strip' | 'upx';

/** Items below this many bytes on disk never claim a bigger compressed saving (their header is most of it). */
export const TINY_ITEM = 4096;

/** Classes one `-dev`/toolchain install brings together: one cause, one fix (a build stage). */
const TOOLCHAIN_CLASSES: ReadonlySet<string> = new Set([
  'headers',
  'static-archives',
  'object-files',
  'c-toolchain',
  'go-sdk',
  'rust-toolchain',
]);

/** A binary that will not start, first in the fix list: nothing else matters until it does. */
export interface FixError {
  readonly path: string;
  readonly code: string;
  readonly evidence: string;
  readonly fix: string;
  /** The layer that wrote the binary, when it is in the final filesystem. */
  readonly layer?: number;
  readonly instruction?: LayerDockerfileFact;
}

export interface FixItem {
  readonly layer: number;
  readonly kind: FixKind;
  /** The advice, as a sentence (markdown inline code for commands and paths). */
  readonly text: string;
  readonly classId?: WasteClassId;
  /** build-stage items: every class the install brought. */
  readonly classIds?: readonly WasteClassId[];
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
  /** Every tar path (normalised) the item takes out of its layer: what a rewrite of the layer drops. */
  readonly entryPaths: readonly string[];
}

export interface FixGroup {
  readonly layer: number;
  readonly command: string;
  /** The Dockerfile instruction that made the layer, when a Dockerfile was mapped onto the image. */
  readonly instruction?: LayerDockerfileFact;
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
  readonly actions: readonly {
    readonly id: string;
    readonly label: string;
    readonly size: number;
    readonly compressed: number;
    readonly entries: number;
  }[];
  readonly groups: readonly FixGroup[];
  /** Binaries that will not start (error findings), with their fix: shown first. */
  readonly errors: readonly FixError[];
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
  classIds?: Set<WasteClassId>;
  actionIds: Set<string>;
  entryPaths: string[];
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
  const wontStart = (path: string): boolean =>
    analysis.binaries.byPath.get(`/${path}`)?.verdict?.status === 'will not start';
  const buckets = new Map<string, Bucket>();
  let wasteByRef: Map<number, LayerWasteItem> | undefined;
  const wasteOf = (ref: EntryRef): LayerWasteItem | undefined => {
    wasteByRef ??= new Map(layerWaste(analysis, indexEntries(analysis)).map((w) => [refKey(w.ref), w]));
    return wasteByRef.get(refKey(ref));
  };
  let nodeClasses: ReturnType<typeof classifyNodes> | undefined;
  const classRoot = (ref: EntryRef): string => {
    nodeClasses ??= classifyNodes(tree);
    const node = tree.nodeOf(ref.layer, ref.index);
    if (!node) return entryOf(image, ref).path;
    const root = nodeClasses.root[node.id];
    return root !== undefined ? tree.nodes[root]!.path : node.path;
  };
  const dupOf = new Map<number, string>();
  for (const g of plan.waste.duplicates) for (const c of g.copies.slice(1)) dupOf.set(refKey(c.ref), g.copies[0]!.path);

  const add = (
    pa: PlannedAction,
    ref: EntryRef,
    kind: FixKind,
    sub: string,
    path: string,
    extra: Partial<Bucket> = {},
  ): void => {
    const s = projection.entrySavings.get(savingKey(pa.id, ref));
    if (!s) return;
    const bytes = s.size;
    // One cause, one item: a RUN's toolchain classes (headers, .a, .o, compilers) share one bucket.
    const group =
      kind === 'remove-class' &&
      extra.classId !== undefined &&
      TOOLCHAIN_CLASSES.has(extra.classId) &&
      layerKind(image, ref.layer) === 'run';
    const key = group ? `toolchain|${ref.layer}` : `${pa.id}|${ref.layer}|${sub}`;
    let b = buckets.get(key);
    if (!b) {
      const { classId, ...rest } = extra;
      buckets.set(
        key,
        (b = group
          ? {
              layer: ref.layer,
              kind: 'build-stage',
              actionIds: new Set(),
              classIds: new Set(),
              entryPaths: [],
              sub,
              bytes: 0,
              compressed: 0,
              paths: new Map(),
              ...rest,
            }
          : {
              layer: ref.layer,
              kind,
              actionIds: new Set(),
              entryPaths: [],
              sub,
              bytes: 0,
              compressed: 0,
              paths: new Map(),
              ...extra,
              ...(classId !== undefined ? { classId } : {}),
            }),
      );
    }
    b.actionIds.add(pa.id);
    if (group && extra.classId !== undefined) b.classIds!.add(extra.classId);
    b.bytes += bytes;
    b.compressed += s.compressed;
    b.entryPaths.push(entryOf(image, ref).path);
    if (bytes > 0 || !b.paths.has(path)) b.paths.set(path, (b.paths.get(path) ?? 0) + bytes);
  };

  for (const pa of plan.actions) {
    const a = pa.action;
    for (const ref of pa.removes) {
      const node = tree.nodeOf(ref.layer, ref.index);
      const path = node?.path ?? entryOf(image, ref).path;
      if (a.kind === 'remove-class' && RULES_BY_ID.has(a.class as PathClassId))
        add(pa, ref, 'remove-class', a.class, classRoot(ref), { classId: a.class });
      else if (a.kind === 'remove-class' && a.class === 'duplicates') {
        const kept = dupOf.get(refKey(ref)) ?? '';
        add(pa, ref, 'duplicates', `dup:${kept}`, path, { classId: 'duplicates', kept });
      } else if (a.kind === 'remove-class' || a.kind === 'final-only') {
        const w = wasteOf(ref);
        if (!w) continue;
        add(pa, ref, 'layer-waste', `${w.id}:${w.byLayer ?? ''}`, path, {
          classId: w.id,
          ...(w.byLayer !== undefined ? { byLayer: w.byLayer } : {}),
        });
      } else add(pa, ref, 'remove-paths', 'paths', path);
    }
    for (const ref of pa.strips) {
      const e = entryOf(image, ref);
      const go = elfOf(e)?.go !== undefined;
      const path = tree.nodeOf(ref.layer, ref.index)?.path ?? e.path;
      add(pa, ref, 'strip', go ? `go:${path}` : 'strip', path, { go });
    }
    const packed = new Map((projection.actions.find((x) => x.id === pa.id)?.packed ?? []).map((f) => [f.path, f]));
    for (const ref of pa.packs) {
      const path = tree.nodeOf(ref.layer, ref.index)?.path ?? entryOf(image, ref).path;
      const f = packed.get(`/${path}`);
      add(pa, ref, 'upx', `upx:${path}`, path, f ? { upx: f } : {});
    }
  }

  const items: FixItem[] = [];
  for (const b of buckets.values()) {
    if (b.bytes === 0 && b.classId !== 'vcs') continue;
    const paths = [...b.paths].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([p]) => displayPath(p));
    let text: string;
    switch (b.kind) {
      case 'remove-class':
        text = classFixText(image, b.layer, b.classId as PathClassId, paths);
        break;
      case 'build-stage':
        text = buildStageFixText(image, b.layer, [...b.classIds!] as PathClassId[], b.paths);
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
    // An explicit strip/UPX plan still covers binaries that will not start: say so rather than recommend it.
    const broken = b.kind === 'strip' || b.kind === 'upx' ? [...b.paths.keys()].filter(wontStart) : [];
    if (broken.length > 0)
      text += ` — but ${broken.map((p) => `\`${displayPath(p)}\``).join(', ')} will not start (the error above): fix that first, ${b.kind === 'upx' ? 'packing' : 'stripping'} does not help it`;
    const u = b.upx;
    // A tiny item's compressed figure is mostly its tar header's share: never claim more than it frees on disk.
    const compressed = b.bytes < TINY_ITEM ? Math.min(b.compressed, b.bytes) : b.compressed;
    items.push({
      layer: b.layer,
      kind: b.kind,
      text,
      ...(b.classId ? { classId: b.classId } : {}),
      ...(b.classIds ? { classIds: [...b.classIds] } : {}),
      paths: paths.slice(0, MAX_PATHS),
      bytes: b.bytes,
      compressed,
      actionIds: [...b.actionIds],
      entryPaths: b.entryPaths,
      ...(u?.estimatedBy !== undefined ? { estimatedBy: u.estimatedBy } : {}),
      ...(u
        ? { upx: { before: u.before, size: u.size, ...(u.gzipSize !== undefined ? { gzipSize: u.gzipSize } : {}) } }
        : {}),
    });
  }

  const groups: FixGroup[] = [];
  for (const layer of [...new Set(items.map((i) => i.layer))].sort((x, y) => x - y)) {
    const mine = items.filter((i) => i.layer === layer).sort((x, y) => y.bytes - x.bytes || (x.text < y.text ? -1 : 1));
    const ins = layerInstruction(image.layers[layer]);
    groups.push({
      layer,
      command: quoteCommand(image, layer, 200),
      ...(ins ? { instruction: ins } : {}),
      fromBase: isBaseLayer(image, layer),
      bytes: mine.reduce((s, i) => s + i.bytes, 0),
      compressed: mine.reduce((s, i) => s + i.compressed, 0),
      items: mine,
    });
  }

  const notes: string[] = [];
  const planned = new Set(plan.actions.flatMap((pa) => (pa.action.kind === 'remove-class' ? [pa.action.class] : [])));
  const finalOnly = plan.actions.some((pa) => pa.action.kind === 'final-only');
  for (const c of plan.waste.classes) {
    if (planned.has(c.id) || (finalOnly && c.category === 'layer-waste') || c.storedBytes === 0) continue;
    notes.push(`not in this plan: ${c.label} (${c.fileCount} files, ${c.storedBytes} bytes stored) — ${c.fix}`);
  }
  if (!plan.waste.haveDigests)
    notes.push(
      'content digests were off (--no-digests): duplicates and chmod copies could not be told apart from other rewrites',
    );

  const errors: FixError[] = analysis.binaries.findings
    .filter((f) => f.severity === 'error')
    .map((f) => {
      const layer = analysis.binaries.byPath.get(f.path)?.layer;
      const ins = layer !== undefined ? layerInstruction(image.layers[layer]) : undefined;
      return {
        path: f.path,
        code: f.code,
        evidence: f.evidence,
        fix: f.fix,
        ...(layer !== undefined ? { layer } : {}),
        ...(ins ? { instruction: ins } : {}),
      };
    });
  if (plan.notStarting.length > 0)
    notes.push(
      `not stripped or packed because ${plan.notStarting.length === 1 ? 'it does' : 'they do'} not start (fix the error first): ${plan.notStarting.map((p) => `\`${p}\``).join(', ')}`,
    );

  const t = projection.total;
  return {
    image: image.repoTags[0] ?? image.reference,
    codec: projection.codec,
    before: t.before,
    after: t.after,
    saved: { size: t.before.size - t.after.size, compressed: t.before.compressed - t.after.compressed },
    finalFs: projection.finalFs,
    actions: projection.actions.map((a) => ({
      id: a.id,
      label: a.label,
      size: a.size,
      compressed: a.compressed,
      entries: a.entries,
    })),
    groups,
    errors,
    warnings: projection.warnings,
    refusals: projection.actions.flatMap((a) => a.refusals),
    notes,
    upxCaveats: plan.actions.some((pa) => pa.action.kind === 'upx') ? UPX_CAVEATS : [],
    methods: projection.methods,
  };
}
