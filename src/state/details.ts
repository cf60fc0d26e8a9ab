import type { Analysis } from '../model/analysis.js';
import { formatBytes, formatPercent } from '../model/byte-units.js';
import type { FsNode } from '../model/file-tree.js';
import { shortCommand } from '../model/history.js';
import { instructionLabel, layerInstruction } from '../model/dockerfile/attach.js';
import { displayPath } from '../model/paths.js';
import {
  changeCode,
  CH_ADDED,
  CH_MODIFIED,
  CH_REMOVED,
  displayEntry,
  wasteIndex,
  type LayerView,
} from './layer-view.js';
import { modeString, wrapText } from './row-format.js';
import { metricsPending } from './later-analyses.js';

/** What the summary shows for a figure still being computed after the first frame. */
const PENDING = '…';

/** One row of the layers pane: index, size, share of the image, short command, waste marker. */
export interface LayerRow {
  readonly index: number;
  readonly size: string;
  readonly share: string;
  readonly command: string;
  /** True when the layer holds bytes that are reclaimable or part of dive's inefficient paths (false until known). */
  readonly wasted: boolean;
}

export function layerRows(analysis: Analysis): LayerRow[] {
  const total = analysis.dive.imageSize;
  const inefficient = new Set<number>();
  for (const p of analysis.dive.inefficientPaths) for (const l of p.layers) inefficient.add(l);
  return analysis.image.layers.map((l, i) => ({
    index: i,
    size: formatBytes(l.size),
    share: total > 0 ? `${((l.size / total) * 100).toFixed(0)}%` : '-',
    command:
      shortCommand(l.history?.createdBy) || (l.history?.comment ?? '') || (l.digest ? l.digest.slice(7, 19) : ''),
    wasted: (analysis.reclaimable.perLayer[i] ?? 0) > 0 || inefficient.has(i),
  }));
}

/** The image summary at the top of the details pane. */
export function imageSummaryLines(analysis: Analysis): string[] {
  const img = analysis.image;
  const name = img.repoTags[0] ?? img.reference;
  const known = !metricsPending(analysis);
  return [
    `${name}  (${img.source})`,
    `Size ${formatBytes(analysis.dive.imageSize)}   Layers ${img.layers.length}   Paths ${analysis.tree.nodes.length - 1}`,
    known
      ? `Reclaimable ${formatBytes(analysis.reclaimable.totalBytes)}   dive: efficiency ${formatPercent(analysis.dive.efficiency)}, wasted ${formatBytes(analysis.dive.wastedBytes)}`
      : `Reclaimable ${PENDING}   dive: efficiency ${PENDING}, wasted ${PENDING}`,
  ];
}

const CHANGE_WORD: Record<number, string> = { [CH_ADDED]: 'added', [CH_MODIFIED]: 'modified', [CH_REMOVED]: 'removed' };

/** The selected layer's full command, wrapped. */
export function layerLines(analysis: Analysis, layer: number, width: number, maxLines: number): string[] {
  const l = analysis.image.layers[layer];
  if (!l) return [];
  const cmd = l.history?.createdBy ? shortCommand(l.history.createdBy) : '(no command recorded)';
  const head = `Layer ${layer}: ${formatBytes(l.size)}${l.compressedSize ? ` (${formatBytes(l.compressedSize)} ${l.compression})` : ''}, reclaimable ${metricsPending(analysis) ? PENDING : formatBytes(analysis.reclaimable.perLayer[layer] ?? 0)}`;
  // With a Dockerfile mapped onto the image (--dockerfile): the instruction and its line.
  const ins = layerInstruction(l);
  return [head, ...wrapText(cmd, width, maxLines), ...(ins ? [instructionLabel(ins, Math.max(20, width - 12))] : [])];
}

/** Details of the selected node: what it is, its size here, and every layer that touched it. */
export function nodeLines(analysis: Analysis, node: FsNode | undefined, view: LayerView, width: number): string[] {
  if (!node || node.id === 0) return [];
  const e = displayEntry(node, view.layer);
  const lines = [...wrapText(displayPath(node.path), width, 2)];
  const kind = e?.kind ?? 'gone';
  const link = e?.linkTarget !== undefined ? ` → ${e.linkTarget}` : '';
  lines.push(`${kind}${link}  ${modeString(e)} ${e ? `${e.uid}:${e.gid}` : ''}`);
  const size = view.sizes[node.id] ?? 0;
  lines.push(
    `${e?.kind === 'dir' ? 'subtree' : 'size'} ${formatBytes(e?.kind === 'dir' ? size : (e?.size ?? 0))}${view.compare === 'layer' ? ' (this layer)' : ''}`,
  );
  const touched = node.versions
    .map((v) => {
      const c = changeCode(node, v.layer);
      return `${v.layer}${CHANGE_WORD[c] ? ` ${CHANGE_WORD[c]}` : ''}`;
    })
    .join(', ');
  const firstAdd = node.versions.find((v) => v.entry !== null);
  lines.push(`added in layer ${firstAdd?.layer ?? '?'}; layers: ${touched}`);
  const waste = wasteIndex(analysis);
  const ineff = waste.inefficientAt(node);
  if (ineff)
    lines.push(`! dive: ${ineff.occurrences} copies, ${formatBytes(ineff.bytes)} in layers ${ineff.layers.join(', ')}`);
  const recl = waste.reclaimableAt(node);
  for (const r of recl.slice(0, 3))
    lines.push(
      `! reclaimable ${formatBytes(r.bytes)} in layer ${r.layer} (${r.reason}${r.byLayer !== undefined ? ` by layer ${r.byLayer}` : ''})`,
    );
  if (e?.facts?.sha256) lines.push(`sha256 ${e.facts.sha256.slice(0, 16)}…`);
  return lines;
}
