/**
 * The binaries report: every ELF file of the final filesystem, its resolved dependency tree, a verdict for
 * each executable, the image's libc inventory, and the findings. Pure: works on the file tree and the facts
 * the ELF and text analysers left on the entries.
 */
import type { Entry } from '../entry.js';
import type { Image } from '../image.js';
import type { GoBuildInfo } from '../elf/index.js';
import { entryAt, type FileTree } from '../file-tree.js';
import { elfFactOf, isMalformed, type ElfSummary } from './elf-fact.js';
import { FinalFs } from './final-fs.js';
import { sortFindings, type Finding } from './findings.js';
import { compare, envValue, highestGlibc, libcInventory, splitLdLibraryPath, type LibcInventory } from './inventory.js';
import { readMuslPath } from './ld-conf.js';
import { resolveBinary, type LoaderFlavour, type Resolution, type ResolveEnv } from './resolve.js';

export type Verdict =
  | { status: 'will start'; reason?: string }
  | { status: 'will not start'; reason: string }
  | { status: 'unknown'; reason: string };

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

export interface BinaryReport {
  /** False when no ELF facts were collected (the ELF analyser did not run). */
  analysed: boolean;
  binaries: BinaryRecord[];
  byPath: ReadonlyMap<string, BinaryRecord>;
  inventory: LibcInventory;
  findings: Finding[];
  findingsByPath: ReadonlyMap<string, Finding[]>;
}

const EXECUTABLE = new Set(['static', 'static-pie', 'dynamic-exec']);
const LIBC_ONLY = /^(libc\.so\.6|libpthread\.so\.0|libdl\.so\.2|libresolv\.so\.2|libm\.so\.6|librt\.so\.1|libc\.musl-[^/]+\.so\.1|libc\.so|ld-linux[^/]*|libgcc_s\.so\.1)$/;
const CA_FILES = [
  'etc/ssl/certs/ca-certificates.crt',
  'etc/pki/tls/certs/ca-bundle.crt',
  'etc/ssl/ca-bundle.pem',
  'etc/pki/tls/cacert.pem',
  'etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
  'etc/ssl/cert.pem',
];
const CA_DIRS = ['etc/ssl/certs', 'etc/pki/tls/certs'];
const ZONEINFO_DIRS = ['usr/share/zoneinfo', 'usr/share/lib/zoneinfo', 'usr/lib/locale/TZ'];
const UNSTRIPPED_WARN = 1 << 20;

/** e_machine values an image of this architecture can run (32-bit x86 runs on amd64 kernels). */
export function runnableMachines(arch: string): number[] | undefined {
  switch (arch) {
    case 'amd64':
      return [62, 3];
    case '386':
      return [3];
    case 'arm64':
      return [183, 40];
    case 'arm':
      return [40];
    case 'ppc64le':
      return [21];
    case 's390x':
      return [22];
    case 'riscv64':
      return [243];
    case 'mips64le':
    case 'mipsle':
      return [8];
    default:
      return undefined;
  }
}

const abs = (p: string): string => `/${p}`;

export function analyseBinaries(image: Image, tree: FileTree): BinaryReport {
  const fs = new FinalFs(tree);
  const top = tree.layerCount - 1;
  const inventory = libcInventory(fs, image.config);
  const llp = envValue(image.config.env, 'LD_LIBRARY_PATH');
  const workdir = (image.config.workdir ?? '/').replace(/^\/+/, '');
  const muslCache = new Map<string, readonly string[] | undefined>();
  const env: ResolveEnv = {
    fs,
    ldLibraryPath: llp === undefined ? [] : splitLdLibraryPath(llp),
    ldSoConfDirs: inventory.ldSoConf.dirs,
    hasLdSoCache: inventory.hasLdSoCache,
    muslPathDirs(file) {
      if (!muslCache.has(file)) muslCache.set(file, readMuslPath(fs, file.replace(/^\/+/, '')).dirs);
      return muslCache.get(file);
    },
    workdir,
  };
  const hint: LoaderFlavour = inventory.glibc.length > 0 ? 'glibc' : inventory.musl.length > 0 ? 'musl' : 'unknown';
  const runnable = runnableMachines(image.platform.architecture);

  // Every ELF file live in the final filesystem (symlinks are not separate files).
  const binaries: BinaryRecord[] = [];
  const findings: Finding[] = [];
  let analysed = false;
  let basenames: Map<string, string[]> | undefined;
  const elsewhere = (name: string): string[] => {
    if (!basenames) {
      basenames = new Map();
      for (const n of tree.nodes) {
        const e = entryAt(n, top);
        if (!e || e.kind === 'dir' || e.kind === 'whiteout' || e.kind === 'opaque') continue;
        const list = basenames.get(n.name);
        if (list) list.push(abs(n.path));
        else basenames.set(n.name, [abs(n.path)]);
      }
    }
    return basenames.get(name) ?? [];
  };

  for (const node of tree.nodes) {
    const live = entryAt(node, top);
    if (!live || (live.kind !== 'file' && live.kind !== 'hardlink')) continue;
    const data = fs.dataEntry(node.path);
    const fact = elfFactOf(data);
    if (data?.facts && 'elf' in data.facts) analysed = true;
    if (!fact) continue;
    const layer = fs.layerOf(node.path) ?? 0;
    const path = abs(node.path);
    if (isMalformed(fact)) {
      analysed = true;
      binaries.push(malformedRecord(path, layer, live, fact.malformed));
      findings.push({ severity: 'warning', code: 'malformed-elf', path, evidence: `starts with the ELF magic but cannot be read: ${fact.malformed}`, fix: 'check the file (truncated copy? wrong download?) or remove it' });
      continue;
    }
    analysed = true;
    binaries.push(recordOf(path, layer, live, data!, fact));
  }

  const hasShell = fs.exists('bin/sh');
  const scratchLike = inventory.glibc.length === 0 && inventory.musl.length === 0 && !hasShell;
  const used = new Set<string>();

  for (const b of binaries) {
    if (b.malformed !== undefined) continue;
    const elf = elfOf(fs, b.path)!;
    const isExec = EXECUTABLE.has(b.kind);
    const archOk = !runnable || runnable.includes(elf.machine);
    if (!archOk && b.kind !== 'object') {
      findings.push({
        severity: isExec ? 'error' : 'warning',
        code: 'wrong-architecture',
        path: b.path,
        evidence: `${b.class}-bit ${b.machine} ${isExec ? 'executable' : 'file'} in a ${image.platform.os}/${image.platform.architecture} image${isExec ? ': exec fails with "exec format error" (unless an emulator is registered)' : ''}`,
        fix: `build it for ${image.platform.architecture} (e.g. GOARCH / --platform) or remove it`,
      });
    }
    if ((b.kind === 'dynamic-exec' || b.kind === 'shared-lib') && (elf.needed.length > 0 || elf.interpreter)) {
      b.resolution = resolveBinary(env, b.path, elf, hint);
      for (const l of b.resolution.libs) used.add(l.realPath);
      if (b.resolution.interpreter?.found) used.add(b.resolution.interpreter.found.realPath);
    }
    if (isExec) b.verdict = verdictOf(b, elf, archOk);
    findings.push(...findingsOf(b, elf, inventory, isExec, elsewhere, fs, image, scratchLike));
  }

  // Shared libraries nothing needs.
  for (const b of binaries) {
    if (b.kind !== 'shared-lib' || b.malformed !== undefined) continue;
    const real = fs.resolve(b.path.slice(1));
    const realPath = real.ok ? abs(real.path) : b.path;
    if (used.has(realPath) || used.has(b.path)) continue;
    if (inventory.loaders.some((l) => l.realPath === realPath)) continue;
    findings.push({
      severity: 'info',
      code: 'unused-library',
      path: b.path,
      evidence: `no ELF file in the image has it in its resolved DT_NEEDED tree (${formatSize(b.size)}); libraries opened with dlopen() (plugins, NSS modules, Python extensions) cannot be seen statically`,
      fix: 'if nothing dlopens it, remove it (or the package that ships it)',
    });
  }

  const sorted = sortFindings(findings);
  const byPath = new Map(binaries.map((b) => [b.path, b] as const));
  const findingsByPath = new Map<string, Finding[]>();
  for (const f of sorted) {
    const list = findingsByPath.get(f.path);
    if (list) list.push(f);
    else findingsByPath.set(f.path, [f]);
  }
  return { analysed, binaries, byPath, inventory, findings: sorted, findingsByPath };
}

function elfOf(fs: FinalFs, path: string): ElfSummary | undefined {
  const f = elfFactOf(fs.dataEntry(path.slice(1)));
  return f && !isMalformed(f) ? f : undefined;
}

function malformedRecord(path: string, layer: number, live: Entry, malformed: string): BinaryRecord {
  return {
    path, layer, kind: 'other', machine: 'unknown', class: 64, mode: live.mode, size: live.size, interpreter: null, needed: [], soname: null, rpath: [], runpath: [],
    minGlibc: null, go: null, symbolBytes: 0, debugBytes: 0, stripped: true, resolution: null, verdict: null, malformed,
  };
}

function recordOf(path: string, layer: number, live: Entry, data: Entry, e: ElfSummary): BinaryRecord {
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
    ...(live.kind === 'hardlink' ? {} : {}),
  };
}

function verdictOf(b: BinaryRecord, elf: ElfSummary, archOk: boolean): Verdict {
  if (!archOk) return { status: 'will not start', reason: `exec format error: ${b.class}-bit ${b.machine} binary` };
  if ((b.mode & 0o111) === 0) return { status: 'will not start', reason: `permission denied: mode ${(b.mode & 0o7777).toString(8).padStart(4, '0')} has no execute bit` };
  if (b.kind !== 'dynamic-exec') return { status: 'will start', reason: `${b.kind} binary: needs no loader or libraries` };
  const r = b.resolution;
  if (!r) return { status: 'unknown', reason: 'not resolved' };
  if (r.interpreter && !r.interpreter.found) return { status: 'will not start', reason: `interpreter ${r.interpreter.path} ${r.interpreter.problem ?? 'not found'}: exec fails with "no such file or directory"` };
  if (r.missing.length > 0) {
    const m = r.missing[0]!;
    return { status: 'will not start', reason: `${m.name}: ${m.reason === 'not found' ? 'cannot open shared object file: No such file or directory' : m.reason}${r.missing.length > 1 ? ` (and ${r.missing.length - 1} more)` : ''}` };
  }
  if (r.versionProblems.length > 0) {
    const v = r.versionProblems[0]!;
    return { status: 'will not start', reason: `version \`${v.version}' not found (required by ${v.object})` };
  }
  if (r.flavour === 'musl' && needsGlibc(elf)) {
    return { status: 'unknown', reason: 'glibc-linked binary under musl\'s loader: libc.so.6 maps to musl, and symbols musl lacks fail at start with "symbol not found"' };
  }
  if (r.flavour === 'unknown') return { status: 'unknown', reason: `unknown loader ${r.interpreter?.path ?? ''}` };
  if (r.needsLdconfig.length > 0) {
    return { status: 'unknown', reason: `${r.needsLdconfig[0]} is found only through /etc/ld.so.conf, and the image has no /etc/ld.so.cache (ldconfig never ran)` };
  }
  return { status: 'will start', reason: `interpreter and ${r.libs.length} libraries resolve` };
}

const needsGlibc = (elf: ElfSummary): boolean => elf.minGlibc !== undefined || elf.needed.includes('libc.so.6');

function formatSize(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

function findingsOf(
  b: BinaryRecord,
  elf: ElfSummary,
  inv: LibcInventory,
  isExec: boolean,
  elsewhere: (name: string) => string[],
  fs: FinalFs,
  image: Image,
  scratchLike: boolean,
): Finding[] {
  const out: Finding[] = [];
  const r = b.resolution;
  const path = b.path;
  if (r && isExec) {
    if (r.interpreter && !r.interpreter.found) {
      const hasGlibc = inv.glibc.length > 0;
      const hasMusl = inv.musl.length > 0;
      let diagnosis = `its interpreter ${r.interpreter.path} is ${r.interpreter.problem ?? 'not found'} in the image`;
      let fix = `add the loader ${r.interpreter.path} (its libc) to the image, or link the binary statically`;
      if (r.flavour === 'glibc' && hasMusl && !hasGlibc) {
        diagnosis = `glibc binary in a musl-only image: ${diagnosis} (the image has musl's ${inv.musl.map((m) => m.path).join(', ')}); exec fails with "no such file or directory"`;
        fix = 'build it on a musl system (e.g. Alpine) or statically (CGO_ENABLED=0 for Go), or use a glibc base image';
      } else if (r.flavour === 'musl' && hasGlibc && !hasMusl) {
        diagnosis = `musl binary in a glibc-only image: ${diagnosis} (the image has glibc ${inv.glibc.map((g) => g.version ?? '?').join(', ')}); exec fails with "no such file or directory"`;
        fix = 'build it against glibc or statically, or add musl to the image';
      } else if (!hasGlibc && !hasMusl) {
        diagnosis = `dynamically linked ${r.flavour === 'unknown' ? '' : `${r.flavour} `}binary in an image with no libc: ${diagnosis}; exec fails with "no such file or directory"`;
        fix = 'link it statically (CGO_ENABLED=0 for Go, -static for C) or use a base image with its libc';
      } else diagnosis += '; exec fails with "no such file or directory"';
      out.push({ severity: 'error', code: 'interpreter-missing', path, evidence: diagnosis, fix });
    }
  }
  // When the interpreter is missing the loader never runs: its library search is moot.
  if (r && (!isExec || !r.interpreter || r.interpreter.found)) {
    for (const m of r.missing) {
      const others = elsewhere(m.name).filter((p) => !m.searched.some((d) => p === `${d.replace(/\/$/, '')}/${m.name}`));
      const where = others.length > 0 ? `; it exists at ${others.slice(0, 3).join(', ')}, which is not on the search path` : '';
      out.push({
        severity: isExec ? 'error' : 'info',
        code: isExec ? 'library-missing' : 'library-dependency-missing',
        path,
        evidence: `${m.name} (needed by ${m.neededBy}) ${m.reason === 'not found' ? 'is not found' : `fails: ${m.reason}`}; searched ${m.searched.length > 0 ? m.searched.join(':') : '(no directories)'}${where}`,
        fix: others.length > 0 ? `add ${others[0]!.slice(0, others[0]!.lastIndexOf('/')) || '/'} to RUNPATH or LD_LIBRARY_PATH, or install ${m.name} in a default directory` : `install the package that provides ${m.name} in this image`,
      });
    }
    for (const v of r.versionProblems) {
      const lib = elfOf(fs, v.library);
      const prefix = v.version.replace(/_[\d.]+$/, '');
      const have = lib ? lib.versionDefs.filter((d) => d.startsWith(`${prefix}_`)) : [];
      const best = prefix === 'GLIBC' ? highestGlibc(have) : highestOf(have);
      out.push({
        severity: isExec ? 'error' : 'info',
        code: 'version-missing',
        path,
        evidence: `${v.object} needs ${v.version} from ${v.file}, but ${v.library} defines ${best ? `at most ${prefix}_${best.replace(/^[A-Z]+_/, '')}` : `no ${prefix} versions`}${prefix === 'GLIBC' ? ` (the image's glibc is ${best ?? 'older'}, the binary needs ${v.version.slice(6)})` : ''}; the loader stops with "version \`${v.version}' not found"`,
        fix: prefix === 'GLIBC' ? `build against glibc ≤ ${best ?? '?'} (an older build image) or use a base image with glibc ≥ ${v.version.slice(6)}` : `install a ${v.file} that defines ${v.version}`,
      });
    }
    if (isExec && r.needsLdconfig.length > 0) {
      out.push({ severity: 'warning', code: 'needs-ldconfig', path, evidence: `${r.needsLdconfig.join(', ')} is found only through /etc/ld.so.conf, but the image has no /etc/ld.so.cache, which is what the loader reads`, fix: 'run ldconfig in the Dockerfile after installing the libraries' });
    }
    if (isExec && r.flavour === 'musl' && needsGlibc(elf) && (!r.interpreter || r.interpreter.found)) {
      out.push({ severity: 'warning', code: 'glibc-binary-on-musl', path, evidence: `linked against glibc${elf.minGlibc ? ` (needs GLIBC_${elf.minGlibc})` : ''} but its interpreter is musl's (gcompat?): libc.so.6 resolves to musl itself, and any glibc symbol musl lacks fails at start with "symbol not found"`, fix: 'build it against musl or statically, or use a glibc base image' });
    }
  }
  const go = elf.go;
  if (go && isExec) {
    const dynamic = b.kind === 'dynamic-exec';
    if (go.cgoEnabled && dynamic && r?.flavour === 'musl') {
      const mv = inv.musl[0]?.version ?? null;
      const old = mv === null || compare(mv.split('.').map(Number), [1, 2, 4]) < 0;
      out.push({
        severity: old ? 'warning' : 'info',
        code: 'cgo-on-musl',
        path,
        evidence: `CGO_ENABLED=1 Go binary using musl (${mv ?? 'version unknown'}): name lookups go through musl's resolver${old ? ', which before 1.2.4 has no TCP fallback (DNS answers over 512 bytes fail)' : ''} and it ignores /etc/nsswitch.conf`,
        fix: 'build with CGO_ENABLED=0 unless the binary needs C code',
      });
    }
    if (go.cgoEnabled && dynamic && elf.needed.every((n) => LIBC_ONLY.test(n))) {
      out.push({
        severity: 'info',
        code: 'cgo-dynamic-libc',
        path,
        evidence: `CGO_ENABLED=1 Go binary that links only the C library (${elf.needed.join(', ')}): cgo is likely there only for net/os-user lookups`,
        fix: 'build with CGO_ENABLED=0 for a static binary that needs no libc (Go\'s resolver and os/user read /etc files)',
      });
    }
    const u = elf.goUses;
    const envs = image.config.env;
    const scratchNote = scratchLike ? ' (a scratch-like image: no libc, no /bin/sh)' : '';
    if (u?.x509SystemRoots) {
      const certFile = envValue(envs, 'SSL_CERT_FILE');
      const certDir = envValue(envs, 'SSL_CERT_DIR');
      const haveCerts =
        CA_FILES.some((f) => fs.exists(f)) ||
        CA_DIRS.some((d) => fs.list(d).length > 0) ||
        (certFile !== undefined && fs.exists(certFile.replace(/^\/+/, ''))) ||
        (certDir !== undefined && certDir.split(':').some((d) => fs.list(d.replace(/^\/+/, '')).length > 0));
      if (!haveCerts) {
        out.push({ severity: 'warning', code: 'missing-ca-certificates', path, evidence: `links crypto/x509's system root loading, and the image has no CA certificates (/etc/ssl/certs/…)${scratchNote}: outgoing TLS connections that verify certificates will fail (x509: certificate signed by unknown authority)`, fix: 'COPY /etc/ssl/certs/ca-certificates.crt from the build stage (or install ca-certificates)' });
      }
    }
    if (u?.osUser && !fs.exists('etc/passwd')) {
      out.push({ severity: 'warning', code: 'missing-passwd', path, evidence: `links os/user, and the image has no /etc/passwd${scratchNote}: user lookups (user.Current, user.Lookup) fail`, fix: 'COPY a minimal /etc/passwd (and /etc/group) into the image' });
    }
    if (u?.loadLocation && !u.embeddedTzdata && !ZONEINFO_DIRS.some((d) => fs.isDir(d)) && envValue(envs, 'ZONEINFO') === undefined) {
      out.push({ severity: 'warning', code: 'missing-zoneinfo', path, evidence: `links time.LoadLocation without the embedded time/tzdata, and the image has no /usr/share/zoneinfo${scratchNote}: loading a named zone (other than UTC/Local) fails — whether it does so cannot be told statically`, fix: 'import _ "time/tzdata" (or build with -tags timetzdata), or COPY /usr/share/zoneinfo into the image' });
    }
  }
  if (!elf.stripped && b.kind !== 'object' && !b.path.startsWith('/usr/lib/debug/')) {
    const bytes = elf.symbolBytes + elf.debugBytes;
    out.push({
      severity: bytes >= UNSTRIPPED_WARN ? 'warning' : 'info',
      code: 'unstripped',
      path,
      evidence: `carries ${formatSize(elf.symbolBytes)} of symbol table and ${formatSize(elf.debugBytes)} of debug info (${bytes} bytes, ${Math.round((100 * bytes) / Math.max(1, b.size))}% of the file)`,
      fix: go ? 'build with -ldflags="-s -w" (or run strip --strip-all)' : 'run strip --strip-all (or strip --strip-debug to keep symbols) in the build stage',
    });
  }
  return out;
}

/** Highest of names like GLIBCXX_3.4.30 (returns "GLIBCXX_3.4.30"). */
function highestOf(names: readonly string[]): string | null {
  let best: { n: string; v: number[] } | undefined;
  for (const n of names) {
    const m = /_(\d+(?:\.\d+)*)$/.exec(n);
    if (!m) continue;
    const v = m[1]!.split('.').map(Number);
    if (!best || compare(v, best.v) > 0) best = { n, v };
  }
  return best?.n ?? null;
}
