/**
 * Library resolution inside the image, emulating the real loaders (DOMAIN.md §4), not lddtree:
 *
 * glibc (elf/dl-load.c _dl_map_object): an already loaded object whose name or soname matches is reused (the
 * interpreter counts as loaded); a name with `/` is a path; else DT_RPATH of the requesting object and of its
 * loaders up to the executable (only when the requesting object has no DT_RUNPATH; an object with DT_RUNPATH
 * contributes no DT_RPATH), LD_LIBRARY_PATH, DT_RUNPATH of the requesting object only, /etc/ld.so.cache (its
 * entries, not the conf dirs: a library copied into a conf dir without running ldconfig is not found, a dir
 * only in the cache is; under DF_1_NODEFLIB entries in the default dirs are ignored), then the default dirs
 * unless DF_1_NODEFLIB. Each directory of that list is tried first in its glibc-hwcaps/x86-64-v4…v2
 * subdirectories that the CPU supports (x86-64, glibc ≥ 2.33), as is a cache entry for such a subdirectory;
 * with a glibc before 2.37 then in its legacy hwcaps subdirectories (tls/, x86_64/, …: hwcaps.ts), whose cache
 * entries that loader takes too (a glibc ≥ 2.37 loader ignores both).
 * When the image has a cache the analyser could not read, the conf dirs stand in for it. Without any cache,
 * glibc searches the default dirs only; a library found only through a conf dir then makes the verdict
 * 'unknown' (the intent says yes; the loader, with no cache, says no). Candidates of another class or machine are skipped; a non-ELF candidate is fatal ("invalid
 * ELF header"). $ORIGIN (the executable's real directory; a library's directory as found), $LIB and
 * $PLATFORM expand; an element with a DST that cannot expand is dropped. Version needs are checked against the
 * version definitions of the object that satisfied the need (objects without definitions pass, as in glibc).
 *
 * musl (ldso/dynlink.c load_library): libc/libpthread/librt/libm/libdl/libutil/libxnet (`lib<name>.` prefix)
 * are musl itself; a name with `/` is a path; an object loaded under that short name is reused; then
 * LD_LIBRARY_PATH, the RPATH (DT_RUNPATH replacing DT_RPATH when both exist) of the requesting object and each
 * object up the chain that loaded it ($ORIGIN only), then the lines of <prefix>/etc/ld-musl-<arch>.path if it
 * exists, else /lib:/usr/local/lib:/usr/lib. The first candidate that opens is used: a wrong-class or non-ELF
 * one is an error, not skipped. Symbol versions are ignored.
 *
 * Both loaders also reuse an object when the same file (here: the same real path) is already loaded.
 *
 * Cost: a directory search depends only on the name and the search context (the RPATH chain or RUNPATH of the
 * requesting object, the root's class and machine); it is done once per (name, context) for the whole image
 * and shared by every root, so a chain of n libraries or a fan of n × n needs stays near-linear in the needs.
 */
import type { ElfSummary } from './elf-summary.js';
import { elfFactOf, isMalformed } from './elf-summary.js';
import { dirOf, joinRel, normalise, type FinalFs } from './final-fs.js';
import {
  allHwcapsSubdirs,
  hwcapsSubdirs,
  legacyCacheBits,
  legacySubdirs,
  otherLegacyCpus,
  type CpuVendor,
  type CpuLevel,
} from './hwcaps.js';
import { cacheFlagsFor, type LdCache, type LdCacheEntry } from './ld-cache.js';

export type LoaderFlavour = 'glibc' | 'musl' | 'unknown';

/** How a library was found. */
export type Via =
  | 'path'
  | 'loaded'
  | 'rpath'
  | 'LD_LIBRARY_PATH'
  | 'runpath'
  | 'ld.so.cache'
  | 'ld.so.conf'
  | 'default'
  | 'musl-path'
  | 'musl-self'
  | 'interpreter';

export interface ResolvedLib {
  /** The DT_NEEDED name asked for. */
  name: string;
  /** Where it was found (absolute), before symlinks. */
  path: string;
  /** The file after following symlinks (absolute). */
  realPath: string;
  /** Layer of the live version of realPath. */
  layer: number;
  /** The object (absolute path) whose DT_NEEDED asked for it. */
  neededBy: string;
  via: Via;
  /** The glibc-hwcaps subdirectory the copy was taken from (e.g. "x86-64-v3"), when it was. */
  hwcaps?: string;
  /** 1 for the executable's own needs, 2 for theirs, … */
  depth: number;
}

/** A need whose copy depends on the CPU: glibc-hwcaps copies beside the base one. */
export interface HwcapsChoice {
  name: string;
  /** The copy chosen at this CPU level (absolute). */
  chosen: string;
  /** Every copy the loader could pick, best level first: [subdirectory or "base", path]. */
  copies: [level: string, path: string][];
}

export interface MissingLib {
  name: string;
  neededBy: string;
  /** Why: not found anywhere searched, or a fatal candidate (wrong class under musl, not an ELF file). */
  reason: string;
  /** Directories searched, in order (absolute). */
  searched: string[];
}

export interface VersionProblem {
  /** The object needing the version (absolute). */
  object: string;
  /** The library that should define it (absolute real path). */
  library: string;
  /** The DT_NEEDED name of that library. */
  file: string;
  version: string;
}

export interface Resolution {
  flavour: LoaderFlavour;
  interpreter?: { path: string; found?: { realPath: string; layer: number }; problem?: string };
  libs: ResolvedLib[];
  missing: MissingLib[];
  versionProblems: VersionProblem[];
  /** Libraries found only through an ld.so.conf directory while the image has no /etc/ld.so.cache. */
  needsLdconfig: string[];
  /** Libraries in an ld.so.conf dir that the image's cache does not list (copied without ldconfig): not loaded. */
  notInCache: { name: string; path: string }[];
  /** Libraries loaded through a cache entry whose directory no ld.so.conf file names (the next ldconfig drops it). */
  cacheOnly: { name: string; path: string }[];
  /** Needs whose copy depends on the CPU level. */
  hwcaps: HwcapsChoice[];
}

export interface ResolveEnv {
  fs: FinalFs;
  /** LD_LIBRARY_PATH from the image config, split (empty elements dropped). */
  ldLibraryPath: readonly string[];
  /** glibc: the ld.so.conf directories. */
  ldSoConfDirs: readonly string[];
  /** Whether /etc/ld.so.cache exists in the image. */
  hasLdSoCache: boolean;
  /** The parsed cache, when the analyser could read it (without it, the conf dirs stand in for it). */
  ldCache?: LdCache;
  /** x86-64 micro-architecture level the glibc-hwcaps choice is made for (1 = baseline: no subdirectory). */
  cpuLevel?: CpuLevel;
  /** The image's glibc is older than 2.37: its loader still searches the legacy hwcaps subdirectories. */
  legacyHwcaps?: boolean;
  /** The CPU's vendor, for those subdirectories' names (Intel's "haswell"); default: not Intel. */
  cpuVendor?: CpuVendor;
  /** musl: the dirs of a path file, by path file; undefined when that file is absent. */
  muslPathDirs(pathFile: string): readonly string[] | undefined;
  /** Working directory for relative DT_NEEDED paths. */
  workdir: string;
}

export const DF_1_NODEFLIB = 0x800;
const MUSL_RESERVED = ['c.', 'pthread.', 'rt.', 'm.', 'dl.', 'util.', 'xnet.'];
const MUSL_DEFAULT = ['/lib', '/usr/local/lib', '/usr/lib'];
/** glibc's built-in dirs: Debian's multiarch ones, the lib64 of other x86-64/arm64 distributions, then /lib, /usr/lib. */
export function glibcDefaultDirs(machine: number, cls: 32 | 64): string[] {
  const triplet = MULTIARCH[`${machine}/${cls}`];
  const dirs: string[] = [];
  if (triplet) dirs.push(`/lib/${triplet}`, `/usr/lib/${triplet}`);
  if (cls === 64) dirs.push('/lib64', '/usr/lib64');
  else dirs.push('/lib32', '/usr/lib32');
  dirs.push('/lib', '/usr/lib');
  return dirs;
}
const MULTIARCH: Record<string, string> = {
  '62/64': 'x86_64-linux-gnu',
  '3/32': 'i386-linux-gnu',
  '183/64': 'aarch64-linux-gnu',
  '40/32': 'arm-linux-gnueabihf',
  '21/64': 'powerpc64le-linux-gnu',
  '22/64': 's390x-linux-gnu',
  '243/64': 'riscv64-linux-gnu',
};
const PLATFORM: Record<number, string> = {
  62: 'x86_64',
  3: 'i686',
  183: 'aarch64',
  21: 'powerpc64le',
  22: 's390x',
  243: 'riscv64',
};

export const isMuslReserved = (name: string): boolean =>
  name.startsWith('lib') && MUSL_RESERVED.some((r) => name.startsWith(r, 3));

interface Obj {
  name: string;
  /** Absolute path as found. */
  path: string;
  realPath: string;
  elf: ElfSummary;
  loader: Obj | undefined;
  depth: number;
  isMain: boolean;
  /** The interned search context it passes on (its loaders' DT_RPATHs and its own). */
  chain: number;
  /** Its own DT_RUNPATH, expanded (glibc). */
  runpathDirs: { dir: string; via: Via }[];
  /** The search memo of its context (set on first search). */
  memo: Map<number, SearchResult> | undefined;
}

type Candidate =
  | { kind: 'ok'; path: string; realPath: string; layer: number; elf: ElfSummary }
  | { kind: 'absent' }
  | { kind: 'wrong-class'; realPath: string; what: string }
  | { kind: 'not-elf'; realPath: string; what: string };

const abs = (p: string): string => `/${normalise(p)}`;

/** Opens a candidate path in the image, as open() + the loader's header check would. */
export function probe(fs: FinalFs, path: string, want: { machine: number; class: 32 | 64 }): Candidate {
  const r = fs.resolve(path);
  if (!r.ok) return { kind: 'absent' };
  const e = fs.dataEntryOf(r.node);
  if (!e || (e.kind !== 'file' && e.kind !== 'hardlink')) return { kind: 'absent' };
  const fact = elfFactOf(e);
  const realPath = abs(r.path);
  if (!fact) return { kind: 'not-elf', realPath, what: 'not an ELF file' };
  if (isMalformed(fact)) return { kind: 'not-elf', realPath, what: `malformed ELF (${fact.malformed})` };
  if (fact.machine !== want.machine || fact.class !== want.class) {
    return { kind: 'wrong-class', realPath, what: `${fact.class}-bit ${fact.machineName}, not ${want.class}-bit` };
  }
  return { kind: 'ok', path: abs(path), realPath, layer: r.layer, elf: fact };
}

/** The directory `$LIB` expands to: the interpreter's own library dir (without /usr), e.g. lib/x86_64-linux-gnu. */
function libDst(fs: FinalFs, interp: string | undefined, cls: 32 | 64): string {
  if (interp) {
    const r = fs.resolve(interp);
    if (r.ok) {
      const d = dirOf(r.path).replace(/^usr\//, '');
      if (d !== '') return d;
    }
  }
  return cls === 64 ? 'lib64' : 'lib';
}

/** Expands $ORIGIN/$LIB/$PLATFORM in one path element; undefined when an element must be dropped. */
export function expandDst(
  element: string,
  vars: { origin: string; lib?: string; platform?: string },
  musl: boolean,
): string | undefined {
  let failed = false;
  const out = element.replace(
    /\$(\{)?(ORIGIN|LIB|PLATFORM)(\})?/g,
    (m, open: string | undefined, name: string, close: string | undefined) => {
      if (Boolean(open) !== Boolean(close)) return m;
      if (name === 'ORIGIN') return vars.origin;
      if (musl) return m; // musl expands $ORIGIN only
      const v = name === 'LIB' ? vars.lib : vars.platform;
      if (v === undefined) failed = true;
      return v ?? '';
    },
  );
  return failed ? undefined : out;
}

/** Which loader runs the binary: from the interpreter file when present, else from its name. */
export function flavourOf(fs: FinalFs, interp: string | undefined, needed: readonly string[]): LoaderFlavour {
  if (interp) {
    const r = fs.resolve(interp);
    if (r.ok) {
      const f = elfFactOf(fs.dataEntryOf(r.node));
      if (f && !isMalformed(f)) {
        if (f.versionDefs.some((v) => v.startsWith('GLIBC_'))) return 'glibc';
        if (f.muslVersion || /musl/.test(r.path) || /musl/.test(f.soname ?? '')) return 'musl';
      }
    }
    const base = interp.slice(interp.lastIndexOf('/') + 1);
    if (base.startsWith('ld-musl')) return 'musl';
    if (/^ld-linux|^ld64\.so|^ld\.so/.test(base)) return 'glibc';
    return 'unknown';
  }
  if (needed.some((n) => n === 'libc.so.6' || n.startsWith('ld-linux'))) return 'glibc';
  if (needed.some((n) => n.startsWith('libc.musl-') || n === 'libc.so')) return 'musl';
  return 'unknown';
}

/**
 * Resolves an ELF file's dependency tree as its loader would inside the image. `path` is root-relative or
 * absolute; `elf` its summary. For a shared library (no interpreter) `flavourHint` picks the loader.
 */
/** What one directory search found; shared by every root that searches the same name in the same context. */
interface SearchResult {
  found?: {
    path: string;
    realPath: string;
    layer: number;
    elf: ElfSummary;
    via: Via;
    hwcaps?: string;
    realId?: number;
  };
  fatal?: string;
  searched: string[];
  /** A copy in an ld.so.conf dir that the cache does not list (the loader never looks there). */
  notInCache?: string;
  /** Found through a cache entry whose directory no conf file and no default dir names. */
  cacheOnly?: boolean;
  /** The copies the CPU level chooses between, when there is more than one. */
  copies?: [string, string][];
}

type Step = { dir: string; via: Via } | { cache: true };

/** Per-env state shared by every resolveBinary call: interned search contexts and the search memo. */
interface Shared {
  chainIds: Map<string, number>;
  chains: { dir: string; via: Via }[][];
  /** Search results by context key, then by name id. */
  memo: Map<string, Map<number, SearchResult>>;
  /** Names and real paths as small integers, so that the per-root "already loaded?" checks are array reads. */
  ids: Map<string, number>;
  /** Per root: stamp[id] === epoch means loaded under that name (or soname) / real path in this root. */
  nameStamp: Int32Array;
  realStamp: Int32Array;
  epoch: number;
  /** DT_NEEDED names of a summary as ids (computed once per summary). */
  neededIds: WeakMap<ElfSummary, Int32Array>;
  cacheIndex: Map<string, LdCacheEntry[]> | undefined;
  confDirs: Set<string>;
}
const SHARED = new WeakMap<ResolveEnv, Shared>();
const NONE: { dir: string; via: Via }[] = [];

function sharedOf(env: ResolveEnv): Shared {
  let s = SHARED.get(env);
  if (!s) {
    let cacheIndex: Map<string, LdCacheEntry[]> | undefined;
    if (env.ldCache) {
      cacheIndex = new Map();
      for (const e of env.ldCache.entries) {
        const list = cacheIndex.get(e.key);
        if (list) list.push(e);
        else cacheIndex.set(e.key, [e]);
      }
    }
    s = {
      chainIds: new Map([['', 0]]),
      chains: [[]],
      memo: new Map(),
      cacheIndex,
      confDirs: new Set(env.ldSoConfDirs.map((d) => d.replace(/\/+$/, ''))),
      ids: new Map(),
      nameStamp: new Int32Array(1024),
      realStamp: new Int32Array(1024),
      epoch: 0,
      neededIds: new WeakMap(),
    };
    SHARED.set(env, s);
  }
  return s;
}

function idOf(s: Shared, key: string): number {
  let id = s.ids.get(key);
  if (id === undefined) {
    id = s.ids.size;
    s.ids.set(key, id);
    if (id >= s.nameStamp.length) {
      const grow = (a: Int32Array): Int32Array => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      s.nameStamp = grow(s.nameStamp);
      s.realStamp = grow(s.realStamp);
    }
  }
  return id;
}

function neededIdsOf(s: Shared, e: ElfSummary): Int32Array {
  let ids = s.neededIds.get(e);
  if (!ids) {
    ids = Int32Array.from(e.needed, (n) => idOf(s, n));
    s.neededIds.set(e, ids);
  }
  return ids;
}

/** The id of the context `parent` + `dirs` (dirs appended after the parent's). */
function chainOf(s: Shared, parent: number, dirs: readonly { dir: string; via: Via }[]): number {
  if (dirs.length === 0) return parent;
  const key = `${parent}\0${dirs.map((d) => `${d.via}=${d.dir}`).join('\0')}`;
  let id = s.chainIds.get(key);
  if (id === undefined) {
    id = s.chains.length;
    s.chains.push([...s.chains[parent]!, ...dirs]);
    s.chainIds.set(key, id);
  }
  return id;
}

/**
 * Resolves an ELF file's dependency tree as its loader would inside the image. `path` is root-relative or
 * absolute; `elf` its summary. For a shared library (no interpreter) `flavourHint` picks the loader.
 */
export function resolveBinary(env: ResolveEnv, path: string, elf: ElfSummary, flavourHint?: LoaderFlavour): Resolution {
  const fs = env.fs;
  const shared = sharedOf(env);
  const want = { machine: elf.machine, class: elf.class };
  const rootReal = fs.resolve(path);
  const rootAbs = abs(rootReal.ok ? rootReal.path : path);
  let flavour = flavourOf(fs, elf.interpreter, elf.needed);
  if (!elf.interpreter && flavourHint && flavour === 'unknown') flavour = flavourHint;
  const musl = flavour === 'musl';
  const res: Resolution = {
    flavour,
    libs: [],
    missing: [],
    versionProblems: [],
    needsLdconfig: [],
    notInCache: [],
    cacheOnly: [],
    hwcaps: [],
  };

  const lib = libDst(fs, elf.interpreter, elf.class);
  const platform = PLATFORM[elf.machine];
  const muslFile = musl ? muslPathFileFor(elf.interpreter, elf.machine) : undefined;
  const muslSys = musl ? (env.muslPathDirs(muslFile!) ?? MUSL_DEFAULT) : [];
  const defaults = glibcDefaultDirs(elf.machine, elf.class);
  const subdirs = musl ? [] : hwcapsSubdirs(env.cpuLevel ?? 1, elf.machine, elf.class);
  const allSubdirs = musl ? [] : allHwcapsSubdirs(elf.machine, elf.class);
  const cpu = [env.cpuVendor ?? 'other', env.cpuLevel ?? 1] as const;
  const legacy = musl || !env.legacyHwcaps ? [] : legacySubdirs(elf.machine, elf.class, ...cpu);
  const legacyBits = legacy.length > 0 ? legacyCacheBits(elf.machine, elf.class, ...cpu) : [];
  // What other kinds of CPU search instead (a copy there makes the choice CPU-dependent).
  const otherCpus = legacy.length > 0 ? otherLegacyCpus(elf.machine, elf.class, ...cpu) : [];
  // Each search directory: its glibc-hwcaps subdirectories (best first), the legacy ones, then itself.
  const dirSubs = [...subdirs.map((x) => `glibc-hwcaps/${x}/`), ...legacy.map((x) => `${x}/`), ''];
  /** A search directory a cache entry's directory is a subdirectory of (glibc-hwcaps or legacy), else itself. */
  const baseDirOf = (d: string): string => {
    const h = d.replace(/\/glibc-hwcaps\/[^/]+$/, '');
    if (h !== d) return h;
    for (const x of legacy) if (d.endsWith(`/${x}`)) return d.slice(0, -x.length - 1);
    return d;
  };
  const cacheFlags = cacheFlagsFor(elf.machine, elf.class);
  const rootKey = `${musl ? `m${muslFile}` : 'g'}|${elf.machine}/${elf.class}|`;

  const originOf = (o: Obj): string => dirOf(o.isMain ? o.realPath : o.path) || '/';
  const expand = (elements: readonly string[], o: Obj, via: Via): { dir: string; via: Via }[] => {
    const out: { dir: string; via: Via }[] = [];
    for (const e of elements) {
      if (e === '') continue;
      const x = expandDst(e, { origin: originOf(o), lib, ...(platform ? { platform } : {}) }, musl);
      if (x !== undefined && x !== '') out.push({ dir: x, via });
    }
    return out;
  };
  /** The object's own part of the inherited search context (glibc: DT_RPATH unless it has DT_RUNPATH). */
  const contribution = (o: Obj): { dir: string; via: Via }[] => {
    if (o.elf.rpath.length === 0 && o.elf.runpath.length === 0) return NONE;
    if (musl) return o.elf.runpath.length > 0 ? expand(o.elf.runpath, o, 'runpath') : expand(o.elf.rpath, o, 'rpath');
    return o.elf.runpath.length === 0 ? expand(o.elf.rpath, o, 'rpath') : [];
  };
  const makeObj = (
    name: string,
    p: string,
    realPath: string,
    e: ElfSummary,
    loader: Obj | undefined,
    depth: number,
    isMain: boolean,
  ): Obj => {
    const o: Obj = {
      name,
      path: p,
      realPath,
      elf: e,
      loader,
      depth,
      isMain,
      chain: 0,
      runpathDirs: [],
      memo: undefined,
    };
    o.chain = chainOf(shared, loader?.chain ?? 0, contribution(o));
    if (!musl && e.runpath.length > 0) o.runpathDirs = expand(e.runpath, o, 'runpath');
    return o;
  };

  const main = makeObj(rootAbs, rootAbs, rootAbs, elf, undefined, 0, true);
  const loaded: Obj[] = [main];
  // Loaded objects by name / soname (the first one wins) and by real path, for this root only: the maps hold
  // the objects, the stamp arrays answer "already loaded?" in the inner loop.
  const epoch = ++shared.epoch;
  const byName = new Map<string, Obj>();
  const markName = (n: string, o: Obj, id = idOf(shared, n)): void => {
    if (shared.nameStamp[id] === epoch) return;
    shared.nameStamp[id] = epoch;
    byName.set(n, o);
  };
  shared.realStamp[idOf(shared, main.realPath)] = epoch;
  const load = (o: Obj, nameId?: number, realId = idOf(shared, o.realPath)): void => {
    loaded.push(o);
    shared.realStamp[realId] = epoch;
    markName(o.name, o, nameId);
    if (!musl && o.elf.soname !== undefined) markName(o.elf.soname, o);
  };
  let interpObj: Obj | undefined;
  if (elf.interpreter) {
    const c = probe(fs, elf.interpreter, want);
    res.interpreter = { path: elf.interpreter };
    if (c.kind === 'ok') {
      res.interpreter.found = { realPath: c.realPath, layer: c.layer };
      interpObj = makeObj(elf.interpreter, c.path, c.realPath, c.elf, undefined, 0, false);
      load(interpObj);
    } else res.interpreter.problem = c.kind === 'absent' ? 'not found' : c.what;
  }

  const stepsFor = (o: Obj): Step[] => {
    const steps: Step[] = [];
    const add = (dirs: readonly string[], via: Via): void => {
      for (const dir of dirs) steps.push({ dir, via });
    };
    if (musl) {
      add(env.ldLibraryPath, 'LD_LIBRARY_PATH');
      steps.push(...shared.chains[o.chain]!);
      add(muslSys, 'musl-path');
      return steps;
    }
    if (o.elf.runpath.length === 0) steps.push(...shared.chains[o.chain]!);
    add(env.ldLibraryPath, 'LD_LIBRARY_PATH');
    steps.push(...o.runpathDirs);
    // With a readable cache, its entries come before the default dirs. A cache the analyser could not read:
    // the conf dirs stand in for it. Without one the loader never sees the conf dirs: they are tried last
    // here only to tell "needs ldconfig" from "missing".
    if (shared.cacheIndex) steps.push({ cache: true });
    else if (env.hasLdSoCache) add(env.ldSoConfDirs, 'ld.so.conf');
    if ((o.elf.flags1 & DF_1_NODEFLIB) === 0) add(defaults, 'default');
    if (!env.hasLdSoCache) add(env.ldSoConfDirs, 'ld.so.conf');
    return steps;
  };

  const fromCache = (
    name: string,
    nodeflib: boolean,
  ): { entry: LdCacheEntry; copies: [string, string][] } | undefined => {
    // A legacy hwcap entry counts for a glibc < 2.37 loader when its bits are ones this CPU model has; it
    // ranks with the plain entries, and ldconfig writes it before them (the first usable one wins).
    const ours = (shared.cacheIndex!.get(name) ?? []).filter((e) => !cacheFlags || cacheFlags.includes(e.flags));
    const bitsIn = (e: LdCacheEntry, bits: readonly number[]): boolean =>
      bits.length > 0 && (e.legacyBits ?? []).every((b) => bits.includes(b));
    const entries = ours.filter((e) => !e.legacyHwcap || bitsIn(e, legacyBits));
    const rank = (e: LdCacheEntry): number => (e.hwcaps === undefined ? subdirs.length : subdirs.indexOf(e.hwcaps));
    let best: LdCacheEntry | undefined;
    for (const e of entries) {
      const r = rank(e);
      if (r < 0) continue; // a subdirectory this CPU does not support
      if (!best || r < rank(best)) best = e;
    }
    if (!best) return undefined;
    // DF_1_NODEFLIB: a cache entry in a default directory is not used.
    if (nodeflib && defaults.includes(abs(dirOf(normalise(best.value))))) return undefined;
    // The copies by CPU: each glibc-hwcaps entry, then the one a CPU without those takes (the first other entry:
    // a legacy subdirectory's, labelled by it, or a plain one).
    const copies: [string, string][] = entries
      .filter((e) => e.hwcaps !== undefined && allSubdirs.includes(e.hwcaps))
      .map((e) => [e.hwcaps!, e.value]);
    const plain = entries.find((e) => e.hwcaps === undefined);
    // Another kind of CPU without glibc-hwcaps copies takes its first usable entry: listed when it is another file.
    for (const other of otherCpus) {
      const e = ours.find((x) => x.hwcaps === undefined && (!x.legacyHwcap || bitsIn(x, other.bits)));
      if (e && e.value !== plain?.value && !copies.some(([, v]) => v === e.value)) copies.push([other.label, e.value]);
    }
    if (plain) {
      const d = dirOf(normalise(plain.value));
      const b = baseDirOf(d);
      copies.push([b === d ? 'base' : d.slice(b.length + 1), plain.value]);
    }
    return { entry: best, copies };
  };

  /**
   * Copies of `name` in D's glibc-hwcaps subdirectories, best level first; with a glibc < 2.37, the copy another
   * kind of CPU takes from the legacy subdirectories when it is another file (Intel's `haswell/`, say); then this
   * CPU's (the first legacy subdirectory holding one, else D itself).
   */
  const copiesIn = (dir: string, name: string): [string, string][] => {
    const out: [string, string][] = [];
    const has = (rel: string): boolean => probe(fs, joinRel(dir, rel), want).kind === 'ok';
    for (const sub of allSubdirs)
      if (has(`glibc-hwcaps/${sub}/${name}`)) out.push([sub, abs(joinRel(dir, `glibc-hwcaps/${sub}/${name}`))]);
    const inDir = (x: string): string => abs(joinRel(dir, x ? `${x}/${name}` : name));
    const plain = [...legacy, ''].find((x) => has(x ? `${x}/${name}` : name));
    // Another kind of CPU without glibc-hwcaps copies takes the first copy on its own list: listed when it differs.
    for (const other of otherCpus) {
      const theirs = [...other.subdirs, ''].find((x) => has(x ? `${x}/${name}` : name));
      if (theirs !== undefined && theirs !== plain && !out.some(([, p]) => p === inDir(theirs)))
        out.push([other.label, inDir(theirs)]);
    }
    if (plain !== undefined) out.push([plain || 'base', inDir(plain)]);
    return out;
  };

  const search = (o: Obj, name: string, nameId: number): SearchResult => {
    const nodeflib = (o.elf.flags1 & DF_1_NODEFLIB) !== 0;
    if (!o.memo) {
      const ctx = musl
        ? `M${o.chain}`
        : o.elf.runpath.length > 0
          ? `R${o.runpathDirs.map((d) => d.dir).join('\0')}`
          : `C${o.chain}`;
      const key = `${rootKey}${ctx}|${nodeflib ? 'N' : ''}`;
      o.memo = shared.memo.get(key);
      if (!o.memo) shared.memo.set(key, (o.memo = new Map()));
    }
    const hit = o.memo.get(nameId);
    if (hit) return hit;
    const out: SearchResult = { searched: [] };
    for (const step of stepsFor(o)) {
      if ('cache' in step) {
        const c = fromCache(name, nodeflib);
        if (!c) continue;
        const p = probe(fs, c.entry.value, want);
        if (p.kind !== 'ok') continue; // the loader cannot open it: on to the default dirs
        out.found = {
          path: p.path,
          realPath: p.realPath,
          layer: p.layer,
          elf: p.elf,
          via: 'ld.so.cache',
          ...(c.entry.hwcaps ? { hwcaps: c.entry.hwcaps } : {}),
        };
        const d = dirOf(normalise(c.entry.value));
        if (!shared.confDirs.has(abs(d)) && !defaults.includes(abs(d)) && !shared.confDirs.has(abs(baseDirOf(d))))
          out.cacheOnly = true;
        if (c.copies.length > 1) out.copies = c.copies;
        break;
      }
      const dir = step.dir.startsWith('/') ? step.dir : `/${joinRel(env.workdir, step.dir)}`;
      out.searched.push(dir);
      let fatal: string | undefined;
      for (const sub of dirSubs) {
        const c = probe(fs, joinRel(dir, `${sub}${name}`), want);
        if (c.kind === 'absent') continue;
        if (c.kind === 'ok') {
          out.found = {
            path: c.path,
            realPath: c.realPath,
            layer: c.layer,
            elf: c.elf,
            via: step.via,
            ...(sub.startsWith('glibc-hwcaps/') ? { hwcaps: sub.split('/')[1]! } : {}),
          };
          break;
        }
        if (c.kind === 'wrong-class' && !musl) continue; // glibc skips it
        fatal = `${c.realPath}: ${c.what}`;
        break;
      }
      if (out.found) {
        if (allSubdirs.length > 0) {
          const copies = copiesIn(dir, name);
          if (copies.length > 1) out.copies = copies;
        }
        break;
      }
      if (fatal) {
        out.fatal = fatal;
        break;
      }
    }
    out.searched = [...new Set(out.searched)];
    // The common Dockerfile mistake: a library copied into an ld.so.conf dir after the cache was built.
    if (shared.cacheIndex) {
      for (const d of shared.confDirs) {
        const p = abs(joinRel(d, name));
        if (p === out.found?.path || probe(fs, p, want).kind !== 'ok') continue;
        if (!(shared.cacheIndex.get(name) ?? []).some((e) => abs(normalise(e.value)) === p)) {
          out.notInCache = p;
          break;
        }
      }
    }
    if (out.found) out.found.realId = idOf(shared, out.found.realPath);
    o.memo.set(nameId, out);
    return out;
  };

  const missingNames = new Set<string>();
  const muslSelf = new Set<string>();
  const queue: Obj[] = [main];
  const MAX_OBJECTS = 4096;
  for (let qi = 0; qi < queue.length && loaded.length < MAX_OBJECTS; qi++) {
    const o = queue[qi]!;
    const ids = neededIdsOf(shared, o.elf);
    for (let k = 0; k < ids.length; k++) {
      const nameId = ids[k]!;
      if (shared.nameStamp[nameId] === epoch) continue; // an object loaded under this name or soname is reused
      const name = o.elf.needed[k]!;
      if (name === '') continue;
      if (musl && isMuslReserved(name)) {
        const self = interpObj;
        const k = `${name}\0${o.path}`;
        if (self && !muslSelf.has(k)) {
          muslSelf.add(k);
          res.libs.push({
            name,
            path: self.path,
            realPath: self.realPath,
            layer: res.interpreter?.found?.layer ?? 0,
            neededBy: o.path,
            via: 'musl-self',
            depth: o.depth + 1,
          });
        }
        if (!self)
          res.missing.push({
            name,
            neededBy: o.path,
            reason: 'musl itself (the interpreter) is missing',
            searched: [],
          });
        continue;
      }
      let found: SearchResult['found'];
      let r: SearchResult | undefined;
      if (name.includes('/')) {
        const p = name.startsWith('/') ? name : joinRel(env.workdir, name);
        const c = probe(fs, p, want);
        r = { searched: [abs(dirOf(normalise(p)))] };
        if (c.kind === 'ok') found = { path: c.path, realPath: c.realPath, layer: c.layer, elf: c.elf, via: 'path' };
        else if (c.kind !== 'absent') r.fatal = `${c.realPath}: ${c.what}`;
      } else {
        r = search(o, name, nameId);
        found = r.found;
      }
      if (r.notInCache && !res.notInCache.some((x) => x.name === name))
        res.notInCache.push({ name, path: r.notInCache });
      if (!found) {
        if (!missingNames.has(name)) {
          missingNames.add(name);
          res.missing.push({ name, neededBy: o.path, reason: r.fatal ?? 'not found', searched: r.searched });
        }
        continue;
      }
      const realId = found.realId ?? idOf(shared, found.realPath);
      if (shared.realStamp[realId] === epoch) continue;
      if (found.via === 'ld.so.conf' && !env.hasLdSoCache) res.needsLdconfig.push(found.path);
      if (r.cacheOnly) res.cacheOnly.push({ name, path: found.path });
      if (r.copies) res.hwcaps.push({ name, chosen: found.path, copies: r.copies });
      const obj = makeObj(name, found.path, found.realPath, found.elf, o, o.depth + 1, false);
      load(obj, nameId, realId);
      queue.push(obj);
      const l: ResolvedLib = {
        name,
        path: found.path,
        realPath: found.realPath,
        layer: found.layer,
        neededBy: o.path,
        via: found.via,
        depth: obj.depth,
      };
      if (found.hwcaps) l.hwcaps = found.hwcaps;
      res.libs.push(l);
    }
  }

  if (!musl) {
    for (const o of loaded) {
      for (const need of o.elf.versionNeeds) {
        const dep = byName.get(need.file);
        if (!dep || dep.elf.versionDefs.length === 0) continue;
        for (const v of need.versions) {
          if (!dep.elf.versionDefs.includes(v))
            res.versionProblems.push({ object: o.path, library: dep.realPath, file: need.file, version: v });
        }
      }
    }
  }
  return res;
}

const MUSL_ARCH: Record<number, string> = {
  62: 'x86_64',
  3: 'i386',
  183: 'aarch64',
  40: 'arm',
  21: 'powerpc64le',
  22: 's390x',
  243: 'riscv64',
};

/** <prefix>/etc/ld-musl-<arch>.path for a musl interpreter (arch from its name, else from the machine). */
export function muslPathFileFor(interp: string | undefined, machine: number): string {
  const m = interp ? /ld-musl-([^/]+?)\.so/.exec(interp) : null;
  const arch = m?.[1] ?? MUSL_ARCH[machine] ?? 'unknown';
  const i = interp ?? '';
  const slashes: number[] = [];
  for (let k = 0; k < i.length; k++) if (i[k] === '/') slashes.push(k);
  const prefix = i.startsWith('/') && slashes.length >= 2 ? i.slice(0, slashes[slashes.length - 2]) : '';
  return `${prefix}/etc/ld-musl-${arch}.path`;
}
