/** The binaries part of the `--json` document (documented in docs/JSON-ELF.md). Additive to schemaVersion 1. */
import type { BinaryReport } from '../model/libc/index.js';
import { countBySeverity } from '../model/libc/index.js';

export function binariesJson(r: BinaryReport): {
  binaries: unknown;
  libc: unknown;
  findings: unknown;
  findingCounts: unknown;
} {
  const inv = r.inventory;
  return {
    binaries: {
      analysed: r.analysed,
      count: r.binaries.length,
      files: r.binaries.map((b) => ({
        path: b.path,
        layer: b.layer,
        kind: b.kind,
        machine: b.machine,
        class: b.class,
        mode: b.mode,
        sizeBytes: b.size,
        interpreter: b.interpreter,
        needed: b.needed,
        soname: b.soname,
        rpath: b.rpath,
        runpath: b.runpath,
        minGlibc: b.minGlibc,
        loader: b.resolution?.flavour ?? null,
        interpreterResolved: b.resolution?.interpreter
          ? {
              path: b.resolution.interpreter.path,
              realPath: b.resolution.interpreter.found?.realPath ?? null,
              layer: b.resolution.interpreter.found?.layer ?? null,
              problem: b.resolution.interpreter.problem ?? null,
            }
          : null,
        resolved: b.resolution
          ? b.resolution.libs.map((l) => ({
              name: l.name,
              path: l.path,
              realPath: l.realPath,
              layer: l.layer,
              neededBy: l.neededBy,
              via: l.via,
              depth: l.depth,
              ...(l.hwcaps ? { hwcaps: l.hwcaps } : {}),
            }))
          : null,
        ldCache: b.resolution
          ? { notInCache: b.resolution.notInCache, cacheOnly: b.resolution.cacheOnly, hwcaps: b.resolution.hwcaps }
          : null,
        missing: b.resolution
          ? b.resolution.missing.map((m) => ({
              name: m.name,
              neededBy: m.neededBy,
              reason: m.reason,
              searched: m.searched,
            }))
          : null,
        versionProblems: b.resolution ? b.resolution.versionProblems : null,
        go: b.go
          ? {
              goVersion: b.go.goVersion,
              path: b.go.path ?? null,
              mainModule: b.go.mainModule ?? null,
              cgoEnabled: b.go.cgoEnabled ?? null,
              ldflags: b.go.ldflags ?? null,
              ldflagsStripped: b.go.stripped ?? null,
              trimpath: b.go.trimpath ?? null,
              goos: b.go.goos ?? null,
              goarch: b.go.goarch ?? null,
              deps: b.go.deps,
              settings: b.go.settings,
            }
          : null,
        symbolBytes: b.symbolBytes,
        debugBytes: b.debugBytes,
        stripped: b.stripped,
        verdict: b.verdict ? { status: b.verdict.status, reason: b.verdict.reason ?? null } : null,
        malformed: b.malformed ?? null,
      })),
    },
    libc: {
      glibc: inv.glibc,
      musl: inv.musl,
      loaders: inv.loaders,
      ldSoConf: { dirs: inv.ldSoConf.dirs, files: inv.ldSoConf.files, unreadable: inv.ldSoConf.unreadable },
      hasLdSoCache: inv.hasLdSoCache,
      ldSoCache: inv.ldCache
        ? { format: inv.ldCache.format, entries: inv.ldCache.entries.length }
        : inv.ldCacheProblem
          ? { problem: inv.ldCacheProblem }
          : null,
      muslPathFiles: inv.muslPathFiles,
      ldLibraryPath: inv.ldLibraryPath,
      release: inv.release,
    },
    findings: r.findings.map((f) => ({
      severity: f.severity,
      code: f.code,
      path: f.path,
      evidence: f.evidence,
      fix: f.fix,
    })),
    findingCounts: countBySeverity(r.findings),
  };
}
