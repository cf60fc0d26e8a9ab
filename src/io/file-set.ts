import type { FileSet, ReadFilesOptions, WantedFile } from '../model/ports.js';
import { ByteStore, STORE_MEMORY_CAP, type StoredFile } from './byte-store.js';

const key = (layer: number, path: string): string => `${layer}\u0000${path}`;

/** The wanted files grouped by layer, ascending. */
export function byLayer(wanted: readonly WantedFile[]): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  for (const w of [...wanted].sort((a, b) => a.layer - b.layer)) {
    const s = out.get(w.layer) ?? new Set<string>();
    s.add(w.path);
    out.set(w.layer, s);
  }
  return out;
}

/**
 * Runs one source's whole-file read into a fresh ByteStore (memory up to a cap, then an anonymous spool file)
 * and wraps the result as the port's FileSet. `fill` puts each file found into `found`.
 */
export async function collectFileSet(
  wanted: readonly WantedFile[],
  opts: ReadFilesOptions,
  fill: (
    wantedByLayer: Map<number, Set<string>>,
    store: ByteStore,
    found: (layer: number, path: string, file: StoredFile) => void,
  ) => Promise<void>,
): Promise<FileSet> {
  const store = new ByteStore(opts.memoryCap ?? STORE_MEMORY_CAP);
  const files = new Map<string, StoredFile>();
  const groups = byLayer(wanted);
  try {
    if (groups.size > 0) await fill(groups, store, (layer, path, file) => files.set(key(layer, path), file));
  } catch (e) {
    store.close();
    throw e;
  }
  return {
    get: (layer, path) => files.get(key(layer, path))?.source,
    missing: wanted.filter((w) => !files.has(key(w.layer, w.path))),
    memoryBytes: store.memoryBytes,
    spooledBytes: store.spooledBytes,
    close: () => {
      files.clear();
      store.close();
    },
  };
}
