import type { LayerPair } from './types.js';

/**
 * Lines up two layer stacks by diff_id. The common prefix is the shared base: the same uncompressed tars in the
 * same order give the same filesystem up to there. Further equal diff_ids are 'same-content' (a layer's meaning
 * depends on what is below it, so they are not skipped). Layers without a diff_id (a `dir:` source) never match.
 */
export function matchLayers(
  a: readonly (string | undefined)[],
  b: readonly (string | undefined)[],
): { pairs: LayerPair[]; sharedBase: number } {
  let shared = 0;
  while (shared < a.length && shared < b.length && a[shared] !== undefined && a[shared] === b[shared]) shared++;
  const pairs: LayerPair[] = [];
  for (let i = 0; i < shared; i++) pairs.push({ a: i, b: i, diffId: a[i]!, status: 'shared' });
  // Beyond the base: B's layers in order, each matched to the first unused A layer with its diff_id.
  const unusedA = new Map<string, number[]>();
  for (let i = shared; i < a.length; i++) {
    const id = a[i];
    if (id === undefined) continue;
    const list = unusedA.get(id) ?? [];
    list.push(i);
    unusedA.set(id, list);
  }
  const matchedA = new Set<number>();
  for (let j = shared; j < b.length; j++) {
    const id = b[j];
    const hit = id !== undefined ? unusedA.get(id)?.shift() : undefined;
    if (hit !== undefined) {
      matchedA.add(hit);
      pairs.push({ a: hit, b: j, diffId: id!, status: 'same-content' });
    } else pairs.push({ a: null, b: j, diffId: id ?? null, status: 'only-b' });
  }
  for (let i = shared; i < a.length; i++)
    if (!matchedA.has(i)) pairs.push({ a: i, b: null, diffId: a[i] ?? null, status: 'only-a' });
  return { pairs, sharedBase: shared };
}
