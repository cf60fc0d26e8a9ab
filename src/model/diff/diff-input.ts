import type { Analysis } from '../analysis.js';
import { shortCommand } from '../history.js';
import type { Finding } from '../libc/findings.js';
import { binarySides } from './binary-diff.js';
import { tableView, toTable, treeView, type FinalTable, type FinalView } from './final-view.js';
import type { BinarySide, ImageSide } from './types.js';

/** Everything the diff reads of one image: a few numbers, the layers' diff_ids, the final filesystem, binaries. */
export interface DiffInput {
  readonly side: ImageSide;
  readonly diffIds: readonly (string | undefined)[];
  readonly commands: readonly string[];
  readonly view: FinalView;
  readonly binaries: ReadonlyMap<string, BinarySide>;
  readonly findings: readonly Finding[];
}

/** A DiffInput as plain data, to cross a thread boundary (the view as a table). */
export interface PortableDiffInput extends Omit<DiffInput, 'view' | 'binaries'> {
  readonly table: FinalTable;
  readonly binaries: readonly (readonly [string, BinarySide])[];
}

export function imageSide(a: Analysis): ImageSide {
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

export function diffInput(a: Analysis): DiffInput {
  return {
    side: imageSide(a),
    diffIds: a.image.layers.map((l) => l.diffId),
    commands: a.image.layers.map((l) => shortCommand(l.history?.createdBy) || l.history?.comment || ''),
    view: treeView(a.tree),
    binaries: binarySides(a.binaries),
    findings: a.binaries.findings,
  };
}

export function toPortable(d: DiffInput): PortableDiffInput {
  return {
    side: d.side,
    diffIds: d.diffIds,
    commands: d.commands,
    findings: d.findings,
    table: toTable(d.view),
    binaries: [...d.binaries],
  };
}

export function fromPortable(p: PortableDiffInput): DiffInput {
  const { table, binaries, ...rest } = p;
  return { ...rest, view: tableView(table), binaries: new Map(binaries) };
}
