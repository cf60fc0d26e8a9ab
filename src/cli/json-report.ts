import type { Analysis } from '../model/analysis.js';
import { shortCommand } from '../model/history.js';
import { platformString } from '../model/image.js';
import { displayPath } from '../model/paths.js';
import { binariesJson } from './json-elf.js';
import { MappedList } from './json-stream.js';

/** Bumped when a field changes meaning or goes away; adding fields keeps the version. */
export const SCHEMA_VERSION = 1;

const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);

/** The `--json` document: the same analysis the UI shows, as plain data. Documented in README.md. */
export function jsonReport(a: Analysis, tool: { name: string; version: string }): unknown {
  const img = a.image;
  const d = a.dive;
  return {
    schemaVersion: SCHEMA_VERSION,
    tool,
    image: {
      reference: img.reference,
      source: img.source,
      id: img.digest ?? null,
      repoTags: img.repoTags,
      repoDigests: img.repoDigests,
      platform: platformString(img.platform),
      os: img.platform.os,
      architecture: img.platform.architecture,
      variant: img.platform.variant ?? null,
      created: img.created ?? null,
      config: {
        env: img.config.env,
        entrypoint: img.config.entrypoint ?? null,
        cmd: img.config.cmd ?? null,
        user: img.config.user ?? null,
        workdir: img.config.workdir ?? null,
        labels: img.config.labels,
        exposedPorts: img.config.exposedPorts ?? [],
      },
      layerCount: img.layers.length,
      sizeBytes: d.imageSize,
      compressedSizeBytes: img.layers.every((l) => l.compressedSize !== undefined)
        ? img.layers.reduce((s, l) => s + (l.compressedSize ?? 0), 0)
        : null,
    },
    layers: img.layers.map((l) => ({
      index: l.index,
      digest: l.digest ?? null,
      diffId: l.diffId ?? null,
      command: l.history?.createdBy ?? null,
      commandShort: shortCommand(l.history?.createdBy) || null,
      created: l.history?.created ?? null,
      comment: l.history?.comment ?? null,
      sizeBytes: l.size,
      tarBytes: l.tarSize,
      compressedBytes: l.compressedSize ?? null,
      compression: l.compression,
      entryCount: l.entries.length,
      reclaimableBytes: a.reclaimable.perLayer[l.index] ?? 0,
    })),
    history: img.history.map((h) => ({
      createdBy: h.createdBy ?? null,
      created: h.created ?? null,
      comment: h.comment ?? null,
      emptyLayer: h.emptyLayer,
    })),
    metrics: {
      imageSizeBytes: d.imageSize,
      userSizeBytes: d.userSize,
      reclaimableBytes: a.reclaimable.totalBytes,
      dive: {
        efficiency: d.efficiency,
        wastedBytes: d.wastedBytes,
        wastedUserPercent: finite(d.wastedUserPercent),
      },
    },
    inefficientPaths: d.inefficientPaths.map((p) => ({
      path: displayPath(p.path),
      occurrences: p.occurrences,
      bytes: p.bytes,
      layers: p.layers,
    })),
    // The longest list (every stored copy that is not in the final filesystem): mapped as it is written.
    reclaimable: new MappedList(a.reclaimable.items, (r) => ({
      path: displayPath(r.path),
      layer: r.layer,
      bytes: r.bytes,
      reason: r.reason,
      byLayer: r.byLayer ?? null,
    })),
    ...binariesJson(a.binaries),
    warnings: [...img.warnings, ...a.tree.warnings].map((w) => ({
      code: w.code,
      message: w.message,
      layer: w.layer ?? null,
      path: w.path ?? null,
    })),
  };
}
