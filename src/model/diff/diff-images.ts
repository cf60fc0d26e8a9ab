import type { Analysis } from '../analysis.js';
import { shortCommand } from '../history.js';
import { diffBinaries, diffFindings } from './binary-diff.js';
import { matchLayers } from './match-layers.js';
import { diffTrees } from './path-diff.js';
import type { DiffNode, ImageDiff, ImageSide } from './types.js';

function sideOf(a: Analysis): ImageSide {
  const img = a.image;
  let files = 0;
  let hashed = 0;
  for (const l of img.layers) {
    for (const e of l.entries) {
      if (e.kind !== 'file' || e.size === 0) continue;
      files++;
      if (typeof e.facts?.sha256 === 'string') hashed++;
    }
  }
  return {
    reference: img.repoTags[0] ?? img.reference,
    id: img.digest ?? null,
    layerCount: img.layers.length,
    sizeBytes: a.dive.imageSize,
    reclaimableBytes: a.reclaimable.totalBytes,
    wastedBytes: a.dive.wastedBytes,
    efficiency: a.dive.efficiency,
    findingCount: a.binaries.findings.length,
    binariesAnalysed: a.binaries.analysed,
    digests: files === hashed,
  };
}

/** Orders changed paths: largest growth first, then largest shrink last; ties by path. */
export const byDelta = (x: DiffNode, y: DiffNode): number =>
  y.delta - x.delta || (x.path < y.path ? -1 : x.path > y.path ? 1 : 0);

/** A compared with B: layers by diff_id, the final filesystems path by path, binaries, findings and waste. */
export function diffImages(a: Analysis, b: Analysis): ImageDiff {
  const { pairs, sharedBase } = matchLayers(a.image.layers, b.image.layers);
  const { nodes, byPath } = diffTrees(a.tree, b.tree, sharedBase);
  const paths = nodes.filter((n) => n.change !== undefined).sort(byDelta);
  return {
    a: sideOf(a),
    b: sideOf(b),
    layers: pairs,
    sharedBase,
    nodes,
    byPath,
    paths,
    binaries: diffBinaries(a.binaries, b.binaries),
    findings: diffFindings(a.binaries.findings, b.binaries.findings),
    commandsB: b.image.layers.map((l) => shortCommand(l.history?.createdBy) || l.history?.comment || ''),
  };
}
