/** One record per ELF file of the final filesystem: what its headers say, plus (later) its resolution and verdict. */
import type { Entry } from '../entry.js';
import type { GoBuildInfo } from '../elf/index.js';
import type { ElfSummary } from './elf-summary.js';
import type { Resolution } from './resolve.js';
import type { Verdict } from './verdicts.js';

export interface BinaryRecord {
  /** Absolute path in the final filesystem. */
  path: string;
  /** Layer of the live version of the path. */
  layer: number;
  kind: ElfSummary['kind'];
  machine: string;
  class: 32 | 64;
  mode: number;
  size: number;
  interpreter: string | null;
  needed: string[];
  soname: string | null;
  rpath: string[];
  runpath: string[];
  minGlibc: string | null;
  go: GoBuildInfo | null;
  symbolBytes: number;
  debugBytes: number;
  stripped: boolean;
  /** Dependency resolution (dynamic executables and shared libraries). */
  resolution: Resolution | null;
  /** For executables (static, static-pie, dynamic). */
  verdict: Verdict | null;
  malformed?: string;
}

export function malformedRecord(path: string, layer: number, live: Entry, malformed: string): BinaryRecord {
  return {
    path,
    layer,
    kind: 'other',
    machine: 'unknown',
    class: 64,
    mode: live.mode,
    size: live.size,
    interpreter: null,
    needed: [],
    soname: null,
    rpath: [],
    runpath: [],
    minGlibc: null,
    go: null,
    symbolBytes: 0,
    debugBytes: 0,
    stripped: true,
    resolution: null,
    verdict: null,
    malformed,
  };
}

/** `data` is the entry holding the bytes (a hard link's target), whose mode the kernel checks. */
export function recordOf(path: string, layer: number, data: Entry, e: ElfSummary): BinaryRecord {
  return {
    path,
    layer,
    kind: e.kind,
    machine: e.machineName,
    class: e.class,
    mode: data.mode,
    size: e.fileSize,
    interpreter: e.interpreter ?? null,
    needed: e.needed,
    soname: e.soname ?? null,
    rpath: e.rpath,
    runpath: e.runpath,
    minGlibc: e.minGlibc ?? null,
    go: e.go ?? null,
    symbolBytes: e.symbolBytes,
    debugBytes: e.debugBytes,
    stripped: e.stripped,
    resolution: null,
    verdict: null,
  };
}
