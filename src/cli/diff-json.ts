/** The `slimtui diff --json` document (diffSchemaVersion 1, documented in README.md "Comparing two images"). */
import type { DiffNode, DiffRuleResult, ImageDiff, PathSide } from '../model/diff/index.js';
import { byDelta, growthBytes, growthRatio, topContributors } from '../model/diff/index.js';

/** Bumped when a field changes meaning or goes away; adding fields keeps the version. */
export const DIFF_SCHEMA_VERSION = 1;

const abs = (p: string): string => `/${p}`;
const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);

const side = (s: PathSide | null) =>
  s
    ? {
        kind: s.kind,
        sizeBytes: s.size,
        mode: s.mode,
        modeOctal: s.mode.toString(8).padStart(4, '0'),
        uid: s.uid,
        gid: s.gid,
        linkTarget: s.linkTarget ?? null,
        sha256: s.sha256 ?? null,
        layer: s.layer,
      }
    : null;

function pathJson(d: ImageDiff, n: DiffNode) {
  return {
    path: abs(n.path),
    change: n.change ?? null,
    kind: (n.b ?? n.a)!.kind,
    attrs: n.attrs,
    sizeBeforeBytes: n.a?.size ?? 0,
    sizeAfterBytes: n.b?.size ?? 0,
    deltaBytes: n.delta,
    layer: n.layerB,
    command: n.layerB !== null ? (d.commandsB[n.layerB] ?? null) : null,
    before: side(n.a),
    after: side(n.b),
  };
}

export function diffJson(
  d: ImageDiff,
  tool: { name: string; version: string },
  ci?: { results: readonly DiffRuleResult[]; from: string },
): unknown {
  const root = d.nodes[0]!;
  const dirs = d.nodes.filter((n) => n.isDir && n.id !== 0).sort(byDelta);
  const contributor = (n: DiffNode) => ({
    path: abs(n.path),
    deltaBytes: n.delta,
    layer: n.layerB,
    command: n.layerB !== null ? (d.commandsB[n.layerB] ?? null) : null,
  });
  return {
    diffSchemaVersion: DIFF_SCHEMA_VERSION,
    tool,
    a: d.a,
    b: d.b,
    summary: {
      sizeDeltaBytes: growthBytes(d),
      sizeDeltaRatio: finite(growthRatio(d)),
      reclaimableDeltaBytes: d.b.reclaimableBytes - d.a.reclaimableBytes,
      wastedDeltaBytes: d.b.wastedBytes - d.a.wastedBytes,
      added: root.added,
      removed: root.removed,
      changed: root.changed,
      sharedBaseLayers: d.sharedBase,
      binariesChanged: d.binaries.length,
      newFindings: d.findings.new.length,
      resolvedFindings: d.findings.resolved.length,
    },
    topGrowth: topContributors(d, 5, 1).map(contributor),
    topShrink: topContributors(d, 5, -1).map(contributor),
    layers: d.layers.map((p) => ({
      a: p.a,
      b: p.b,
      diffId: p.diffId,
      status: p.status,
      commandB: p.b !== null ? (d.commandsB[p.b] ?? null) : null,
    })),
    paths: d.paths.map((n) => pathJson(d, n)),
    directories: dirs.map((n) => ({
      path: abs(n.path),
      change: n.change ?? null,
      sizeBeforeBytes: n.a?.size ?? 0,
      sizeAfterBytes: n.b?.size ?? 0,
      deltaBytes: n.delta,
      added: n.added,
      removed: n.removed,
      changed: n.changed,
      layer: n.layerB,
      command: n.layerB !== null ? (d.commandsB[n.layerB] ?? null) : null,
    })),
    binaries: d.binaries.map((c) => ({ path: c.path, fields: c.fields, before: c.a, after: c.b })),
    findings: d.findings,
    ...(ci ? { ci: { from: ci.from, passed: ci.results.every((r) => r.status === 'pass'), results: ci.results } } : {}),
  };
}
