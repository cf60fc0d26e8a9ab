import type { Layer } from './image.js';
import { entryAt, type FileTree, type FsNode } from './file-tree.js';
import { runSteps, STEP_ITEMS, type Steps } from './steps.js';
import { sortSteps } from './sort-steps.js';

/**
 * Entries between yields: a quarter of the usual, since each entry walks its parents or its link chain (and the
 * first slices run before the code is warm): the explorer runs these between keystrokes.
 */
const STEP = STEP_ITEMS / 4;

/** A path that dive would list as inefficient: it occurs in two or more layers. */
export interface InefficientPath {
  readonly path: string;
  readonly occurrences: number;
  /** dive's "cumulative size": the sum of all its occurrences' sizes (including the live copy). */
  readonly bytes: number;
  /** The layers it occurs in, in order. */
  readonly layers: readonly number[];
  /** Its node in the tree the metrics were computed on (`tree.nodes[node]`): views mark it without a path lookup. */
  readonly node: number;
}

export interface DiveMetrics {
  readonly imageSize: number;
  readonly userSize: number;
  readonly wastedBytes: number;
  /** wastedBytes / userSize; with userSize 0: Infinity when something is wasted, NaN when nothing is (as in dive). */
  readonly wastedUserPercent: number;
  readonly efficiency: number;
  readonly inefficientPaths: readonly InefficientPath[];
}

/** dive's raw subtree sum over the stacked tree below a layer: every live node's tar size, hard links as 0. */
function rawSubtreeSize(start: FsNode, layer: number): number {
  let total = 0;
  // An explicit stack: trees can be 10,000 directories deep.
  const stack: FsNode[] = [start];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const e = entryAt(node, layer);
    if (!e) continue;
    if (e.kind !== 'dir') total += e.size;
    for (const c of node.children.values()) stack.push(c);
  }
  return total;
}

/**
 * dive's numbers under dive's definitions (and quirks), so a `.dive-ci` threshold means the same here:
 * every leaf of each layer's own tree is an occurrence of its path; a whiteout's occurrence is 0 for a file
 * and the stacked subtree size for a directory; opaque markers are ignored.
 */
export const diveMetrics = (layers: readonly Layer[], tree: FileTree): DiveMetrics =>
  runSteps(diveMetricsSteps(layers, tree));

/** `diveMetrics` in steps (model/steps.ts): the explorer computes it after its first frame, between keys. */
export function* diveMetricsSteps(layers: readonly Layer[], tree: FileTree): Steps<DiveMetrics> {
  const n = tree.nodes.length;
  // Per node: the layer (+1) that last gave it a child / an occurrence, and its running totals. Layer numbers
  // and counts fit 16 bits in any real image (24 bytes a node instead of 32 at a million nodes).
  const small = (): Uint16Array | Int32Array => (layers.length < 0xffff ? new Uint16Array(n) : new Int32Array(n));
  const parentIn = small();
  const seenIn = small();
  const cumulative = new Float64Array(n);
  const min = new Float64Array(n);
  const count = small();
  const firstLayer = small();
  const moreLayers = new Map<number, number[]>();

  for (let index = 0; index < layers.length; index++) {
    const layer = layers[index]!;
    const mark = index + 1;
    for (let i = 0; i < layer.entries.length; i++) {
      if (i % STEP === STEP - 1) yield;
      if (layer.entries[i]!.kind === 'opaque') continue;
      for (let p = tree.nodeOf(index, i)?.parent; p && parentIn[p.id] !== mark; p = p.parent) parentIn[p.id] = mark;
    }
    // Last to first: when a tar lists a path twice, the later entry is the one that counts (as in dive).
    for (let i = layer.entries.length - 1; i >= 0; i--) {
      if (i % STEP === 0) yield;
      const e = layer.entries[i]!;
      const node = tree.nodeOf(index, i);
      if (e.kind === 'opaque' || !node || node === tree.root || parentIn[node.id] === mark || seenIn[node.id] === mark)
        continue;
      seenIn[node.id] = mark;
      let size = e.size;
      if (e.kind === 'whiteout') {
        size = 0;
        const prev = index > 0 ? entryAt(node, index - 1) : null;
        if (prev?.kind === 'dir') size = rawSubtreeSize(node, index - 1);
      }
      const id = node.id;
      cumulative[id]! += size;
      if (count[id] === 0 || size < min[id]!) min[id] = size;
      if (count[id] === 0) firstLayer[id] = index;
      else {
        const more = moreLayers.get(id) ?? [];
        more.push(index);
        moreLayers.set(id, more);
      }
      count[id]!++;
    }
  }

  let minimum = 0;
  let discovered = 0;
  for (let id = 0; id < n; id++) {
    if (id % (16 * STEP_ITEMS) === 0) yield;
    if (count[id] === 0) continue;
    minimum += min[id]!;
    discovered += cumulative[id]!;
  }
  const inefficientPaths: InefficientPath[] = [];
  for (const [id, more] of moreLayers) {
    if (inefficientPaths.length % STEP === STEP - 1) yield;
    inefficientPaths.push({
      path: tree.nodes[id]!.path,
      occurrences: count[id]!,
      bytes: cumulative[id]!,
      layers: [firstLayer[id]!, ...more],
      node: id,
    });
  }
  yield;
  yield* sortSteps(inefficientPaths, (a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const wastedBytes = inefficientPaths.reduce((s, p) => s + p.bytes, 0);
  const imageSize = layers.reduce((s, l) => s + l.size, 0);
  const userSize = imageSize - (layers[0]?.size ?? 0);
  return {
    imageSize,
    userSize,
    wastedBytes,
    // No user bytes: 0/0 is NaN and x/0 +Inf, as dive's Go arithmetic has it (JSON: null; CI: as dive decides).
    wastedUserPercent: userSize > 0 ? wastedBytes / userSize : wastedBytes > 0 ? Infinity : NaN,
    efficiency: discovered === 0 ? 1 : minimum / discovered,
    inefficientPaths,
  };
}
