/**
 * The app a runtime stage keeps, and the Go binaries of it the patch rebuilds with
 * `CGO_ENABLED=0 -trimpath -ldflags='-s -w'`. Shared by the patch (what it copies, what it projects) and by the
 * adapter that measures the rebuilt binaries' compressed weight on their bytes (src/io/rebuilt-go-size.ts): both
 * must name the same files.
 */
import type { Analysis } from '../analysis.js';
import type { BinaryRecord } from '../libc/records.js';
import { LIBC_ONLY } from '../libc/finding-rules.js';
import type { WantedFile } from '../ports.js';
import type { DockerfileMapping } from './map-layers.js';
import type { DfInstruction, DfStage, ParsedDockerfile } from './parse.js';

/** Directories of toolchains: their executables are not the app. */
const TOOL_ROOTS = [
  'usr/local/go',
  'usr/lib/go',
  'usr/include',
  'usr/libexec/gcc',
  'usr/lib/gcc',
  'root/go',
  'root/.cache',
  'go/pkg',
];

/** The app: executables written by the final stage's own layers, outside toolchain directories. */
export function appBinaries(analysis: Analysis, mapping: DockerfileMapping): BinaryRecord[] {
  return analysis.binaries.binaries.filter((b) => {
    const p = b.path.replace(/^\//, '');
    return (
      b.layer >= mapping.baseLayers &&
      b.verdict !== null &&
      !TOOL_ROOTS.some((r) => p === r || p.startsWith(`${r}/`)) &&
      !/\/(go|gofmt|gcc|cc|ld|as)$/.test(b.path)
    );
  });
}

/** The shell-form RUN of `stage` that runs `go build` without its own -ldflags (the one the patch rewrites). */
export function goBuildRun(stage: DfStage): DfInstruction | undefined {
  const run = stage.instructions.find(
    (i) => i.keyword === 'RUN' && /\bgo\s+build\b/.test(i.raw) && !i.exec && i.heredocs.length === 0,
  );
  return run && !/-ldflags/.test(run.raw) ? run : undefined;
}

/**
 * Each Go binary as the patch rebuilds it, by normalised path, measured on its bytes: its gzip -6 weight with the
 * sections `-s -w` leaves out removed, the bytes -trimpath takes off the file (model/predict/go-trimpath.ts), and
 * its weight as it is now.
 */
export type RebuiltGoSizes = ReadonlyMap<
  string,
  {
    readonly compressed: number;
    readonly trimpath: number;
    /** gzip -6 weight of the binary as the image holds it now (what the rebuild saves is measured on both). */
    readonly original: number;
  }
>;

/**
 * The Go binaries the patch rebuilds with -s -w (the file as its last layer stores it), when the final stage has
 * a `go build` RUN to rewrite and every app binary is Go; empty otherwise.
 */
export function goRebuildTargets(analysis: Analysis, df: ParsedDockerfile, mapping: DockerfileMapping): WantedFile[] {
  const stage = df.stages[mapping.finalStage];
  if (!stage || !goBuildRun(stage)) return [];
  const app = appBinaries(analysis, mapping);
  if (app.length === 0 || !app.every((b) => b.go !== null)) return [];
  return app.map((b) => ({ layer: b.layer, path: b.path.replace(/^\//, '') }));
}

/**
 * Why a Go binary needs cgo (so `CGO_ENABLED=0` would not build or not work), or undefined when it does not: cgo
 * off, or on but linking only the C library (cgo there serves net/os-user lookups, which have pure-Go versions),
 * or on in a static binary no package used it for. A cgo binary linking other libraries (libsqlite3, …), or
 * linked statically by the external linker, needs it.
 */
export function goNeedsCgo(b: BinaryRecord): string | undefined {
  if (b.go?.cgoEnabled !== true) return undefined;
  const other = b.needed.filter((n) => !LIBC_ONLY.test(n));
  if (b.kind === 'dynamic-exec' && other.length > 0) return `it links ${other.join(', ')} through cgo`;
  if (b.kind !== 'dynamic-exec' && /-extldflags/.test(b.go.ldflags ?? b.go.settings['-ldflags'] ?? ''))
    return 'it is linked statically by the external linker (cgo)';
  return undefined;
}
