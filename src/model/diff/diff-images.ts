import type { Analysis } from '../analysis.js';
import { diffBinaries, diffFindings } from './binary-diff.js';
import { diffInput, type DiffInput } from './diff-input.js';
import { matchLayers } from './match-layers.js';
import { diffTrees } from './path-diff.js';
import type { DiffNode, ImageDiff } from './types.js';

/** Orders changed paths: largest growth first, then largest shrink last; ties by path. */
export const byDelta = (x: DiffNode, y: DiffNode): number =>
  y.delta - x.delta || (x.path < y.path ? -1 : x.path > y.path ? 1 : 0);

/** A compared with B: layers by diff_id, the final filesystems path by path, binaries, findings and waste. */
export function diffInputs(a: DiffInput, b: DiffInput): ImageDiff {
  const { pairs, sharedBase } = matchLayers(a.diffIds, b.diffIds);
  const { nodes, byPath } = diffTrees(a.view, b.view, sharedBase);
  const paths = nodes.filter((n) => n.change !== undefined).sort(byDelta);
  return {
    a: a.side,
    b: b.side,
    layers: pairs,
    sharedBase,
    nodes,
    byPath,
    paths,
    binaries: diffBinaries(a.binaries, b.binaries),
    findings: diffFindings(a.findings, b.findings),
    commandsB: b.commands,
  };
}

export const diffImages = (a: Analysis, b: Analysis): ImageDiff => diffInputs(diffInput(a), diffInput(b));
