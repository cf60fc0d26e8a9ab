import type { Analysis } from '../analysis.js';
import { entryAt } from '../file-tree.js';
import { findDuplicatesSteps, type DuplicateGroup } from './duplicates.js';
import { dataBytes, type EntryRef } from './entry-ref.js';
import { finalEntriesSteps, indexEntriesSteps } from './entry-index.js';
import { layerWasteSteps } from './layer-waste.js';
import { classifyNodesSteps } from './node-classes.js';
import { runSteps, STEP_ITEMS, type Steps } from '../steps.js';
import {
  DUPLICATES_TEXT,
  LAYER_WASTE_TEXT,
  WASTE_RULES,
  type LayerWasteId,
  type WasteCategory,
  type WasteClassId,
} from './waste-rules.js';

/** A group of paths inside one class (the `.git` directory, the apt lists directory, one duplicate set). */
export interface WastePath {
  readonly path: string;
  /** Bytes stored for it, over all layers. */
  readonly bytes: number;
  /** Bytes of it in the final filesystem. */
  readonly finalBytes: number;
  readonly layers: readonly number[];
}

export interface WasteClass {
  readonly id: WasteClassId;
  readonly category: WasteCategory;
  readonly label: string;
  readonly why: string;
  readonly fix: string;
  /** Bytes of the class in the final filesystem (for duplicates: all copies but one). */
  readonly finalBytes: number;
  /** Bytes of the class stored in the layers: what removing it saves on disk. */
  readonly storedBytes: number;
  readonly perLayer: readonly number[];
  readonly fileCount: number;
  /** Grouped paths, largest first. */
  readonly paths: readonly WastePath[];
  /** Every stored entry that removing the class removes. */
  readonly entries: readonly EntryRef[];
}

export interface WasteReport {
  readonly classes: readonly WasteClass[];
  readonly duplicates: readonly DuplicateGroup[];
  /** False when the image was read without content digests: duplicates cannot be found. */
  readonly haveDigests: boolean;
}

class Acc {
  finalBytes = 0;
  storedBytes = 0;
  fileCount = 0;
  readonly perLayer: number[];
  readonly entries: EntryRef[] = [];
  readonly paths = new Map<string, { bytes: number; finalBytes: number; layers: Set<number> }>();
  constructor(layers: number) {
    this.perLayer = new Array<number>(layers).fill(0);
  }
  add(ref: EntryRef, group: string, bytes: number, isFinal: boolean): void {
    this.entries.push(ref);
    this.perLayer[ref.layer]! += bytes;
    this.storedBytes += bytes;
    if (isFinal) this.finalBytes += bytes;
    if (bytes > 0) this.fileCount++;
    let p = this.paths.get(group);
    if (!p) this.paths.set(group, (p = { bytes: 0, finalBytes: 0, layers: new Set() }));
    p.bytes += bytes;
    if (isFinal) p.finalBytes += bytes;
    if (bytes > 0) p.layers.add(ref.layer);
  }
  paths_(): WastePath[] {
    return [...this.paths]
      .map(([path, p]) => ({
        path,
        bytes: p.bytes,
        finalBytes: p.finalBytes,
        layers: [...p.layers].sort((a, b) => a - b),
      }))
      .sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1));
  }
}

/**
 * Waste classes of the image: the path classes of WASTE_RULES (each stored entry in at most one), duplicate
 * content of the final filesystem, and the layer waste (deleted, overwritten, hidden, chmod-copied).
 * Classes with no bytes and no entries are left out.
 */
export function classifyWaste(analysis: Analysis): WasteReport {
  return runSteps(classifyWasteSteps(analysis));
}

/** `classifyWaste` in slices (see model/steps.ts): the explorer classifies after its first frame, keys live. */
export function* classifyWasteSteps(analysis: Analysis): Steps<WasteReport> {
  const { image, tree } = analysis;
  const n = image.layers.length;
  const last = n - 1;
  const index = yield* indexEntriesSteps(analysis);
  const nodeClasses = yield* classifyNodesSteps(tree);
  const classes: WasteClass[] = [];
  const make = (
    id: WasteClassId,
    category: WasteCategory,
    text: { label: string; why: string; fix: string },
    acc: Acc,
  ): void => {
    if (acc.entries.length === 0) return;
    if (acc.storedBytes === 0 && category !== 'vcs') return;
    classes.push({
      id,
      category,
      label: text.label,
      why: text.why,
      fix: text.fix,
      finalBytes: acc.finalBytes,
      storedBytes: acc.storedBytes,
      perLayer: acc.perLayer,
      fileCount: acc.fileCount,
      paths: acc.paths_(),
      entries: acc.entries,
    });
  };

  const byRule = new Map(WASTE_RULES.map((r) => [r.id, new Acc(n)]));
  for (let li = 0; li < n; li++) {
    const layer = image.layers[li]!;
    for (let i = 0; i < layer.entries.length; i++) {
      if ((i + 1) % STEP_ITEMS === 0) yield;
      const e = layer.entries[i]!;
      const node = tree.nodeOf(li, i);
      if (!node) continue;
      const rule = nodeClasses.rule[node.id];
      if (!rule) continue;
      const rootId = nodeClasses.root[node.id];
      const group = rootId !== undefined ? tree.nodes[rootId]!.path : node.path;
      byRule.get(rule.id)!.add({ layer: li, index: i }, group, dataBytes(e), entryAt(node, last) === e);
    }
  }
  for (const rule of WASTE_RULES) make(rule.id, rule.category, rule, byRule.get(rule.id)!);

  const finals = yield* finalEntriesSteps(analysis, index);
  yield;
  const haveDigests = finals.some((f) => typeof f.entry.facts?.sha256 === 'string');
  const duplicates = yield* findDuplicatesSteps(finals);
  const dup = new Acc(n);
  let copies = 0;
  for (const g of duplicates) {
    const group = `${g.copies.length} copies of ${g.copies[0]!.path}`;
    for (let k = 1; k < g.copies.length; k++) {
      if (++copies % STEP_ITEMS === 0) yield;
      dup.add(g.copies[k]!.ref, group, g.size, true);
    }
  }
  make('duplicates', 'duplicates', DUPLICATES_TEXT, dup);
  yield;

  const waste = new Map<LayerWasteId, Acc>(
    (['deleted', 'overwritten', 'hidden', 'chmod-copied'] as const).map((id) => [id, new Acc(n)]),
  );
  const items = yield* layerWasteSteps(analysis, index);
  for (let i = 0; i < items.length; i++) {
    if ((i + 1) % STEP_ITEMS === 0) yield;
    const w = items[i]!;
    waste.get(w.id)!.add(w.ref, w.path, w.bytes, false);
  }
  for (const [id, acc] of waste) {
    yield;
    make(id, 'layer-waste', LAYER_WASTE_TEXT[id], acc);
  }

  classes.sort((a, b) => b.storedBytes - a.storedBytes || (a.id < b.id ? -1 : 1));
  return { classes, duplicates, haveDigests };
}
