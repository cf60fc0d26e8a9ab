/**
 * Which libcs and loaders the final filesystem holds, and the loader configuration the image ships.
 * glibc's version is the highest GLIBC_x.y its libc.so.6 defines (.gnu.version_d); musl's is the version
 * string next to its banner, when the ELF analyser found one (a heuristic: otherwise "unknown").
 */
import type { ImageConfig } from '../image.js';
import { entryAt } from '../file-tree.js';
import { glibcVersion } from '../elf/index.js';
import { elfOf } from './elf-summary.js';
import type { FinalFs } from './final-fs.js';
import { readLdSoConf, readMuslPath, type LdSoConf } from './ld-conf.js';
import type { LdCache, LdCacheFact } from './ld-cache.js';
import { textOf } from './text-files.js';

export interface LibcFile {
  /** Path as found (absolute). */
  path: string;
  /** After symlinks (absolute). */
  realPath: string;
  layer: number;
  machine: string;
  class: 32 | 64;
  /** glibc: e.g. "2.36"; musl: e.g. "1.2.3"; null when not findable. */
  version: string | null;
}

export interface LoaderFile {
  path: string;
  realPath: string | null;
  flavour: 'glibc' | 'musl' | 'unknown';
  layer: number | null;
  /** False when the path is a dangling symlink. */
  present: boolean;
}

export interface LibcInventory {
  glibc: LibcFile[];
  musl: LibcFile[];
  loaders: LoaderFile[];
  ldSoConf: LdSoConf;
  hasLdSoCache: boolean;
  /** /etc/ld.so.cache as parsed by the ELF analyser; absent when there is none or it was not read. */
  ldCache?: LdCache;
  /** Why the cache could not be used (it exists but did not parse, or was not captured). */
  ldCacheProblem?: string;
  muslPathFiles: { path: string; dirs: string[] }[];
  /** LD_LIBRARY_PATH from the image config's Env, split; null when unset. */
  ldLibraryPath: string[] | null;
  /** PRETTY_NAME from os-release, or the text of alpine-release / debian_version. */
  release: string | null;
}

const MUSL_PATH_NAME = /^ld-musl-[^/]+\.path$/;
const LOADER_RE = /^(ld-linux[^/]*\.so[.\d]*|ld64\.so\.\d+|ld\.so\.\d+|ld-musl-[^/]+\.so\.\d+)$/;

/** Highest version among names like PREFIX_x.y[.z] (e.g. "GLIBC_2.36" → "2.36"). */
export function highestGlibc(defs: readonly string[]): string | null {
  let best: number[] | undefined;
  for (const d of defs) {
    const v = glibcVersion(d);
    if (!v) continue;
    if (!best || compare(v, best) > 0) best = v;
  }
  return best ? best.join('.') : null;
}

export function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function envValue(env: readonly string[], name: string): string | undefined {
  let v: string | undefined;
  for (const e of env) if (e.startsWith(`${name}=`)) v = e.slice(name.length + 1);
  return v;
}

/** glibc splits LD_LIBRARY_PATH on ':' and ';'; musl on ':' (and newlines). Empty elements are dropped. */
export function splitLdLibraryPath(v: string): string[] {
  return v.split(/[:;\n]/).filter((d) => d !== '');
}

export function libcInventory(fs: FinalFs, config: ImageConfig): LibcInventory {
  const top = fs.tree.layerCount - 1;
  const glibc: LibcFile[] = [];
  const musl: LibcFile[] = [];
  const loaders: LoaderFile[] = [];
  const muslCandidates: LibcFile[] = [];
  for (const node of fs.tree.nodes) {
    const e = entryAt(node, top);
    if (!e || (e.kind !== 'file' && e.kind !== 'hardlink' && e.kind !== 'symlink')) continue;
    const name = node.name;
    const isLoaderName = LOADER_RE.test(name);
    if (
      name !== 'libc.so.6' &&
      !isLoaderName &&
      (e.kind === 'symlink' || elfOf(fs.dataEntryOf(node))?.muslVersion === undefined)
    )
      continue;
    const r = fs.resolve(node.path);
    const elf = r.ok ? elfOf(fs.dataEntryOf(r.node)) : undefined;
    const base =
      r.ok && elf
        ? { path: `/${node.path}`, realPath: `/${r.path}`, layer: r.layer, machine: elf.machineName, class: elf.class }
        : undefined;
    if (isLoaderName) {
      const isGlibc = elf?.versionDefs.some((v) => v.startsWith('GLIBC_')) ?? false;
      const flavour = isGlibc ? 'glibc' : name.startsWith('ld-musl') || elf?.muslVersion ? 'musl' : 'unknown';
      loaders.push({
        path: `/${node.path}`,
        realPath: r.ok ? `/${r.path}` : null,
        flavour,
        layer: r.ok ? r.layer : null,
        present: base !== undefined,
      });
      if (flavour === 'musl' && base && elf) muslCandidates.push({ ...base, version: elf.muslVersion ?? null });
    }
    if (!base || !elf) continue;
    if (
      name === 'libc.so.6' &&
      elf.versionDefs.some((v) => v.startsWith('GLIBC_')) &&
      !glibc.some((g) => g.realPath === base.realPath)
    ) {
      glibc.push({ ...base, version: highestGlibc(elf.versionDefs) });
    }
    if (e.kind !== 'symlink' && elf.muslVersion !== undefined)
      muslCandidates.push({ ...base, version: elf.muslVersion });
  }
  // One entry per musl file, named by its loader path when a loader points at it.
  for (const c of muslCandidates.sort(
    (a, b) => Number(b.path.includes('ld-musl')) - Number(a.path.includes('ld-musl')),
  )) {
    if (!musl.some((m) => m.realPath === c.realPath)) musl.push(c);
  }
  const muslPathFiles: { path: string; dirs: string[] }[] = [];
  for (const node of fs.tree.nodes) {
    // <prefix>/etc/ld-musl-<arch>.path, tested by the node's name and its parent's (no path built per node).
    if (!MUSL_PATH_NAME.test(node.name) || node.parent?.name !== 'etc' || !entryAt(node, top)) continue;
    const p = readMuslPath(fs, node.path);
    muslPathFiles.push({ path: `/${node.path}`, dirs: p.dirs ?? [] });
  }
  const llp = envValue(config.env, 'LD_LIBRARY_PATH');
  const cache = ldCacheOf(fs);
  return {
    glibc,
    musl,
    loaders: loaders.sort((a, b) => a.path.localeCompare(b.path)),
    ldSoConf: readLdSoConf(fs),
    hasLdSoCache: fs.exists('etc/ld.so.cache'),
    ...cache,
    muslPathFiles,
    ldLibraryPath: llp === undefined ? null : splitLdLibraryPath(llp),
    release: releaseOf(fs),
  };
}

/** The `ldcache` fact the ELF analyser leaves on /etc/ld.so.cache. */
function ldCacheOf(fs: FinalFs): { ldCache?: LdCache; ldCacheProblem?: string } {
  const r = fs.resolve('etc/ld.so.cache');
  if (!r.ok) return {};
  const f = fs.dataEntryOf(r.node)?.facts?.['ldcache'] as LdCacheFact | undefined;
  if (!f || typeof f !== 'object') return { ldCacheProblem: 'not read (the ELF analyser did not see it)' };
  return 'unreadable' in f ? { ldCacheProblem: f.unreadable } : { ldCache: f };
}

function releaseOf(fs: FinalFs): string | null {
  for (const p of ['etc/os-release', 'usr/lib/os-release']) {
    const r = fs.resolve(p);
    const t = r.ok ? textOf(fs.dataEntryOf(r.node)) : undefined;
    const m = t ? /^PRETTY_NAME="?([^"\n]*)"?/m.exec(t) : null;
    if (m?.[1]) return m[1];
  }
  for (const [p, label] of [
    ['etc/alpine-release', 'Alpine Linux '],
    ['etc/debian_version', 'Debian '],
    ['etc/redhat-release', ''],
  ] as const) {
    const r = fs.resolve(p);
    const t = r.ok ? textOf(fs.dataEntryOf(r.node)) : undefined;
    if (t) return `${label}${t.trim()}`;
  }
  return null;
}
