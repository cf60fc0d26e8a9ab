/**
 * Library resolution inside the image, emulating the real loaders (DOMAIN.md §4), not lddtree:
 *
 * glibc (elf/dl-load.c _dl_map_object): an already loaded object whose name or soname matches is reused (the
 * interpreter counts as loaded); a name with `/` is a path; else DT_RPATH of the requesting object and of its
 * loaders up to the executable (only when the requesting object has no DT_RUNPATH; an object with DT_RUNPATH
 * contributes no DT_RPATH), LD_LIBRARY_PATH, DT_RUNPATH of the requesting object only, the ld.so.conf dirs
 * (standing in for /etc/ld.so.cache: the conf files are the intent), then the default dirs unless
 * DF_1_NODEFLIB. Without /etc/ld.so.cache in the image, a library found only through a conf dir makes the
 * verdict 'unknown' (the intent says yes; the loader, with no cache, says no). Candidates of another class or machine are skipped; a non-ELF candidate is fatal ("invalid
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
 */
import type { ElfSummary } from './elf-summary.js';
import { elfFactOf, isMalformed } from './elf-summary.js';
import { dirOf, joinRel, normalise, type FinalFs } from './final-fs.js';

export type LoaderFlavour = 'glibc' | 'musl' | 'unknown';

/** How a library was found. */
export type Via = 'path' | 'loaded' | 'rpath' | 'LD_LIBRARY_PATH' | 'runpath' | 'ld.so.conf' | 'default' | 'musl-path' | 'musl-self' | 'interpreter';

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
  /** 1 for the executable's own needs, 2 for theirs, … */
  depth: number;
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
}

export interface ResolveEnv {
  fs: FinalFs;
  /** LD_LIBRARY_PATH from the image config, split (empty elements dropped). */
  ldLibraryPath: readonly string[];
  /** glibc: the ld.so.conf directories. */
  ldSoConfDirs: readonly string[];
  /** Whether /etc/ld.so.cache exists in the image. */
  hasLdSoCache: boolean;
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
const PLATFORM: Record<number, string> = { 62: 'x86_64', 3: 'i686', 183: 'aarch64', 21: 'powerpc64le', 22: 's390x', 243: 'riscv64' };

export const isMuslReserved = (name: string): boolean => name.startsWith('lib') && MUSL_RESERVED.some((r) => name.startsWith(r, 3));

interface Obj {
  name: string;
  /** Absolute path as found. */
  path: string;
  realPath: string;
  elf: ElfSummary;
  loader: Obj | undefined;
  depth: number;
  isMain: boolean;
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
  const e = fs.dataEntry(r.path);
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
export function expandDst(element: string, vars: { origin: string; lib?: string; platform?: string }, musl: boolean): string | undefined {
  let failed = false;
  const out = element.replace(/\$(\{)?(ORIGIN|LIB|PLATFORM)(\})?/g, (m, open: string | undefined, name: string, close: string | undefined) => {
    if (Boolean(open) !== Boolean(close)) return m;
    if (name === 'ORIGIN') return vars.origin;
    if (musl) return m; // musl expands $ORIGIN only
    const v = name === 'LIB' ? vars.lib : vars.platform;
    if (v === undefined) failed = true;
    return v ?? '';
  });
  return failed ? undefined : out;
}

/** Which loader runs the binary: from the interpreter file when present, else from its name. */
export function flavourOf(fs: FinalFs, interp: string | undefined, needed: readonly string[]): LoaderFlavour {
  if (interp) {
    const r = fs.resolve(interp);
    if (r.ok) {
      const f = elfFactOf(fs.dataEntry(r.path));
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
export function resolveBinary(env: ResolveEnv, path: string, elf: ElfSummary, flavourHint?: LoaderFlavour): Resolution {
  const fs = env.fs;
  const want = { machine: elf.machine, class: elf.class };
  const rootReal = fs.resolve(path);
  const rootAbs = abs(rootReal.ok ? rootReal.path : path);
  let flavour = flavourOf(fs, elf.interpreter, elf.needed);
  if (!elf.interpreter && flavourHint && flavour === 'unknown') flavour = flavourHint;
  const musl = flavour === 'musl';
  const res: Resolution = { flavour, libs: [], missing: [], versionProblems: [], needsLdconfig: [] };

  const main: Obj = { name: rootAbs, path: rootAbs, realPath: rootAbs, elf, loader: undefined, depth: 0, isMain: true };
  const loaded: Obj[] = [main];
  let interpObj: Obj | undefined;
  if (elf.interpreter) {
    const c = probe(fs, elf.interpreter, want);
    res.interpreter = { path: elf.interpreter };
    if (c.kind === 'ok') {
      res.interpreter.found = { realPath: c.realPath, layer: c.layer };
      interpObj = { name: elf.interpreter, path: c.path, realPath: c.realPath, elf: c.elf, loader: undefined, depth: 0, isMain: false };
      loaded.push(interpObj);
    } else res.interpreter.problem = c.kind === 'absent' ? 'not found' : c.what;
  }
  const lib = libDst(fs, elf.interpreter, elf.class);
  const platform = PLATFORM[elf.machine];
  const muslFile = musl ? muslPathFileFor(elf.interpreter, elf.machine) : undefined;
  const muslSys = musl ? env.muslPathDirs(muslFile!) ?? MUSL_DEFAULT : [];
  const defaults = glibcDefaultDirs(elf.machine, elf.class);

  const originOf = (o: Obj): string => dirOf(o.isMain ? o.realPath : o.path) || '/';
  const expand = (elements: readonly string[], o: Obj): string[] => {
    const out: string[] = [];
    for (const e of elements) {
      if (e === '') continue;
      const x = expandDst(e, { origin: originOf(o), lib, ...(platform ? { platform } : {}) }, musl);
      if (x !== undefined && x !== '') out.push(x);
    }
    return out;
  };

  const searchOrder = (o: Obj): { dir: string; via: Via }[] => {
    const order: { dir: string; via: Via }[] = [];
    const add = (dirs: readonly string[], via: Via): void => {
      for (const dir of dirs) order.push({ dir, via });
    };
    if (musl) {
      add(env.ldLibraryPath, 'LD_LIBRARY_PATH');
      for (let p: Obj | undefined = o; p; p = p.loader) add(expand(p.elf.runpath.length > 0 ? p.elf.runpath : p.elf.rpath, p), p.elf.runpath.length > 0 ? 'runpath' : 'rpath');
      add(muslSys, 'musl-path');
      return order;
    }
    if (o.elf.runpath.length === 0) {
      for (let p: Obj | undefined = o; p; p = p.loader) if (p.elf.runpath.length === 0) add(expand(p.elf.rpath, p), 'rpath');
    }
    add(env.ldLibraryPath, 'LD_LIBRARY_PATH');
    add(expand(o.elf.runpath, o), 'runpath');
    // With /etc/ld.so.cache, its entries (the conf dirs) come before the default dirs. Without one the loader
    // never sees the conf dirs: they are tried last here only to tell "needs ldconfig" from "missing".
    if (env.hasLdSoCache) add(env.ldSoConfDirs, 'ld.so.conf');
    if ((o.elf.flags1 & DF_1_NODEFLIB) === 0) add(defaults, 'default');
    if (!env.hasLdSoCache) add(env.ldSoConfDirs, 'ld.so.conf');
    return order;
  };

  const reuse = (name: string): Obj | undefined => loaded.find((o) => !o.isMain && (o.name === name || (!musl && o.elf.soname === name)));

  const queue: Obj[] = [main];
  const MAX_OBJECTS = 4096;
  while (queue.length > 0 && loaded.length < MAX_OBJECTS) {
    const o = queue.shift()!;
    for (const name of o.elf.needed) {
      if (name === '') continue;
      if (musl && isMuslReserved(name)) {
        const self = interpObj;
        if (self && !res.libs.some((l) => l.name === name && l.neededBy === o.path)) {
          res.libs.push({ name, path: self.path, realPath: self.realPath, layer: res.interpreter?.found?.layer ?? 0, neededBy: o.path, via: 'musl-self', depth: o.depth + 1 });
        }
        if (!self) res.missing.push({ name, neededBy: o.path, reason: 'musl itself (the interpreter) is missing', searched: [] });
        continue;
      }
      if (!name.includes('/') && reuse(name)) continue;
      let found: Candidate | undefined;
      let via: Via = 'path';
      let fatal: string | undefined;
      const searched: string[] = [];
      if (name.includes('/')) {
        const p = name.startsWith('/') ? name : joinRel(env.workdir, name);
        searched.push(abs(dirOf(normalise(p))));
        const c = probe(fs, p, want);
        if (c.kind === 'ok') found = c;
        else if (c.kind !== 'absent') fatal = `${c.realPath}: ${c.what}`;
      } else {
        for (const step of searchOrder(o)) {
          const dir = step.dir.startsWith('/') ? step.dir : `/${joinRel(env.workdir, step.dir)}`;
          searched.push(dir);
          const c = probe(fs, joinRel(dir, name), want);
          if (c.kind === 'absent') continue;
          if (c.kind === 'ok') {
            found = c;
            via = step.via;
            break;
          }
          if (c.kind === 'wrong-class' && !musl) continue; // glibc skips it
          fatal = `${c.realPath}: ${c.what}`;
          break;
        }
      }
      if (!found || found.kind !== 'ok') {
        if (!res.missing.some((m) => m.name === name)) {
          res.missing.push({ name, neededBy: o.path, reason: fatal ?? 'not found', searched: [...new Set(searched)] });
        }
        continue;
      }
      const same = loaded.find((x) => x.realPath === found.realPath);
      if (same) continue;
      if (via === 'ld.so.conf' && !env.hasLdSoCache) res.needsLdconfig.push(found.path);
      const obj: Obj = { name, path: found.path, realPath: found.realPath, elf: found.elf, loader: o, depth: o.depth + 1, isMain: false };
      loaded.push(obj);
      queue.push(obj);
      res.libs.push({ name, path: found.path, realPath: found.realPath, layer: found.layer, neededBy: o.path, via, depth: obj.depth });
    }
  }

  if (!musl) {
    for (const o of loaded) {
      for (const need of o.elf.versionNeeds) {
        const dep = loaded.find((x) => !x.isMain && (x.name === need.file || x.elf.soname === need.file));
        if (!dep || dep.elf.versionDefs.length === 0) continue;
        for (const v of need.versions) {
          if (!dep.elf.versionDefs.includes(v)) res.versionProblems.push({ object: o.path, library: dep.realPath, file: need.file, version: v });
        }
      }
    }
  }
  return res;
}

const MUSL_ARCH: Record<number, string> = { 62: 'x86_64', 3: 'i386', 183: 'aarch64', 40: 'arm', 21: 'powerpc64le', 22: 's390x', 243: 'riscv64' };

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
