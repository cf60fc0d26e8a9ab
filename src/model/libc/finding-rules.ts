/**
 * The finding families, one rule each (code, severity, test, texts), in the order they are reported for a
 * binary. To add a finding: add its code to FindingCode (findings.ts) and a rule here.
 */
import { formatBytes } from '../byte-units.js';
import { elfOf } from './elf-summary.js';
import { rule, type FindingRule, type Subject } from './findings.js';
import { compare, envValue, highestGlibc } from './inventory.js';
import { glibcDefaultDirs, type HwcapsChoice, type MissingLib, type VersionProblem } from './resolve.js';
import { goResolverMode, hostsFirstWithoutNsswitch, type GoResolverMode } from './go-dns.js';
import { staticNssNeeds, type NssNeed } from './static-nss.js';
import { needsGlibc } from './verdicts.js';

/** Libraries of the C library itself (a cgo binary linking only these uses cgo for net/os-user lookups). */
export const LIBC_ONLY =
  /^(libc\.so\.6|libpthread\.so\.0|libdl\.so\.2|libresolv\.so\.2|libm\.so\.6|librt\.so\.1|libc\.musl-[^/]+\.so\.1|libc\.so|ld-linux[^/]*|libgcc_s\.so\.1)$/;
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

const when = <H>(cond: boolean, hit: H): H[] => (cond ? [hit] : []);
/** The loader ran (no interpreter to miss, or it was found): its library search means something. */
const loaderRan = (s: Subject): boolean =>
  !s.isExec || !s.b.resolution?.interpreter || s.b.resolution.interpreter.found !== undefined;
const scratchNote = (scratchLike: boolean): string =>
  scratchLike ? ' (a scratch-like image: no libc, no /bin/sh)' : '';
const goExec = (s: Subject): boolean => s.elf.go !== undefined && s.isExec;

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

const malformedElf = rule<string>({
  code: 'malformed-elf',
  scope: 'malformed',
  severity: 'warning',
  test: (s) => when(s.b.malformed !== undefined, s.b.malformed!),
  evidence: (_s, why) => `starts with the ELF magic but cannot be read: ${why}`,
  fix: () => 'check the file (truncated copy? wrong download?) or remove it',
});

const wrongArchitecture = rule<true>({
  code: 'wrong-architecture',
  severity: (s) => (s.isExec ? 'error' : 'warning'),
  test: (s) => when(!s.archOk && s.b.kind !== 'object', true),
  evidence: ({ b, isExec }, _h, { image }) =>
    `${b.class}-bit ${b.machine} ${isExec ? 'executable' : 'file'} in a ${image.platform.os}/${image.platform.architecture} image${isExec ? ': exec fails with "exec format error" (unless an emulator is registered)' : ''}`,
  fix: (_s, _h, { image }) => `build it for ${image.platform.architecture} (e.g. GOARCH / --platform) or remove it`,
});

interface InterpreterHit {
  evidence: string;
  fix: string;
}
const interpreterMissing = rule<InterpreterHit>({
  code: 'interpreter-missing',
  severity: 'error',
  test: ({ b, isExec }, { inventory: inv }) => {
    const r = b.resolution;
    if (!r || !isExec || !r.interpreter || r.interpreter.found) return [];
    const hasGlibc = inv.glibc.length > 0;
    const hasMusl = inv.musl.length > 0;
    let evidence = `its interpreter ${r.interpreter.path} is ${r.interpreter.problem ?? 'not found'} in the image`;
    let fix = `add the loader ${r.interpreter.path} (its libc) to the image, or link the binary statically`;
    if (r.flavour === 'glibc' && hasMusl && !hasGlibc) {
      evidence = `glibc binary in a musl-only image: ${evidence} (the image has musl's ${inv.musl.map((m) => m.path).join(', ')}); exec fails with "no such file or directory"`;
      fix = 'build it on a musl system (e.g. Alpine) or statically (CGO_ENABLED=0 for Go), or use a glibc base image';
    } else if (r.flavour === 'musl' && hasGlibc && !hasMusl) {
      evidence = `musl binary in a glibc-only image: ${evidence} (the image has glibc ${inv.glibc.map((g) => g.version ?? '?').join(', ')}); exec fails with "no such file or directory"`;
      fix = 'build it against glibc or statically, or add musl to the image';
    } else if (!hasGlibc && !hasMusl) {
      evidence = `dynamically linked ${r.flavour === 'unknown' ? '' : `${r.flavour} `}binary in an image with no libc: ${evidence}; exec fails with "no such file or directory"`;
      fix = 'link it statically (CGO_ENABLED=0 for Go, -static for C) or use a base image with its libc';
    } else evidence += '; exec fails with "no such file or directory"';
    return [{ evidence, fix }];
  },
  evidence: (_s, h) => h.evidence,
  fix: (_s, h) => h.fix,
});

interface MissingHit {
  m: MissingLib;
  /** Other places a file of that name lives, off the search path. */
  others: string[];
}
const missingHits = (s: Subject, elsewhere: (name: string) => string[]): MissingHit[] =>
  !s.b.resolution || !loaderRan(s)
    ? []
    : s.b.resolution.missing.map((m) => ({
        m,
        others: elsewhere(m.name).filter((p) => !m.searched.some((d) => p === `${d.replace(/\/$/, '')}/${m.name}`)),
      }));
const missingEvidence = ({ m, others }: MissingHit): string =>
  `${m.name} (needed by ${m.neededBy}) ${m.reason === 'not found' ? 'is not found' : `fails: ${m.reason}`}; searched ${m.searched.length > 0 ? m.searched.join(':') : '(no directories)'}${others.length > 0 ? `; it exists at ${others.slice(0, 3).join(', ')}, which is not on the search path` : ''}`;
const missingFix = ({ m, others }: MissingHit): string =>
  others.length > 0
    ? `add ${others[0]!.slice(0, others[0]!.lastIndexOf('/')) || '/'} to RUNPATH or LD_LIBRARY_PATH, or install ${m.name} in a default directory`
    : `install the package that provides ${m.name} in this image`;

const libraryMissing = rule<MissingHit>({
  code: 'library-missing',
  severity: 'error',
  test: (s, img) => (s.isExec ? missingHits(s, img.elsewhere) : []),
  evidence: (_s, h) => missingEvidence(h),
  fix: (_s, h) => missingFix(h),
});

const libraryDependencyMissing = rule<MissingHit>({
  code: 'library-dependency-missing',
  severity: 'info',
  test: (s, img) => (s.isExec ? [] : missingHits(s, img.elsewhere)),
  evidence: (_s, h) => missingEvidence(h),
  fix: (_s, h) => missingFix(h),
});

interface VersionHit {
  v: VersionProblem;
  prefix: string;
  best: string | null;
}
const versionMissing = rule<VersionHit>({
  code: 'version-missing',
  severity: (s) => (s.isExec ? 'error' : 'info'),
  test: (s, { fs }) =>
    !s.b.resolution || !loaderRan(s)
      ? []
      : s.b.resolution.versionProblems.map((v) => {
          const lib = elfOf(fs.dataEntry(v.library.slice(1)));
          const prefix = v.version.replace(/_[\d.]+$/, '');
          const have = lib ? lib.versionDefs.filter((d) => d.startsWith(`${prefix}_`)) : [];
          return { v, prefix, best: prefix === 'GLIBC' ? highestGlibc(have) : highestOf(have) };
        }),
  evidence: (_s, { v, prefix, best }) =>
    `${v.object} needs ${v.version} from ${v.file}, but ${v.library} defines ${best ? `at most ${prefix}_${best.replace(/^[A-Z]+_/, '')}` : `no ${prefix} versions`}${prefix === 'GLIBC' ? ` (the image's glibc is ${best ?? 'older'}, the binary needs ${v.version.slice(6)})` : ''}; the loader stops with "version \`${v.version}' not found"`,
  fix: (_s, { v, prefix, best }) =>
    prefix === 'GLIBC'
      ? `build against glibc ≤ ${best ?? '?'} (an older build image) or use a base image with glibc ≥ ${v.version.slice(6)}`
      : `install a ${v.file} that defines ${v.version}`,
});

const needsLdconfig = rule<string[]>({
  code: 'needs-ldconfig',
  severity: 'warning',
  test: (s) =>
    when(
      s.isExec && loaderRan(s) && (s.b.resolution?.needsLdconfig.length ?? 0) > 0,
      s.b.resolution?.needsLdconfig ?? [],
    ),
  evidence: (_s, libs) =>
    `${libs.join(', ')} is found only through /etc/ld.so.conf, but the image has no /etc/ld.so.cache, which is what the loader reads`,
  fix: () => 'run ldconfig in the Dockerfile after installing the libraries',
});

type Named = { name: string; path: string };
const ldCacheStale = rule<Named>({
  code: 'ld-cache-stale',
  severity: 'warning',
  test: (s) => (s.isExec && loaderRan(s) ? s.b.resolution?.notInCache : undefined),
  evidence: ({ b }, { name, path }) => {
    const loaded = b.resolution?.libs.find((l) => l.name === name);
    return `${path} is in an /etc/ld.so.conf directory but not in /etc/ld.so.cache, and the loader reads only the cache: ${loaded ? `it loads ${loaded.realPath} instead` : `${name} is not found`} (the library was added after ldconfig last ran)`;
  },
  fix: () => 'run ldconfig in the same RUN that installs or copies the library (RUN cp … && ldconfig)',
});

const ldCacheOnly = rule<Named>({
  code: 'ld-cache-only',
  severity: 'info',
  test: (s) => (s.isExec ? s.b.resolution?.cacheOnly : undefined),
  evidence: (_s, { name, path }) =>
    `${name} is found only through /etc/ld.so.cache (${path}), whose directory no /etc/ld.so.conf file names (ldconfig DIR was run by hand): the next plain ldconfig — a package install runs one — drops it`,
  fix: (_s, { path }) =>
    `add ${path.slice(0, path.lastIndexOf('/')) || '/'} to a file in /etc/ld.so.conf.d/ (then run ldconfig), or set RUNPATH`,
});

const hwcapsCpuDependent = rule<HwcapsChoice>({
  code: 'hwcaps-cpu-dependent',
  severity: 'info',
  test: (s) => (s.isExec ? s.b.resolution?.hwcaps : undefined),
  evidence: (_s, c, { cpuLevel }) =>
    `${c.name} has CPU-specific copies (${c.copies.map(([l, p]) => `${l}: ${p}`).join(', ')}); the loader picks by the CPU it runs on — at x86-64-v${cpuLevel} it loads ${c.chosen}`,
  fix: () =>
    'nothing to fix if every copy behaves the same; test on the oldest CPU you deploy to (or pass --cpu-level v1…v4 to see each choice)',
});

const glibcBinaryOnMusl = rule<true>({
  code: 'glibc-binary-on-musl',
  severity: 'warning',
  test: (s) => when(s.isExec && s.b.resolution?.flavour === 'musl' && needsGlibc(s.elf) && loaderRan(s), true),
  evidence: ({ elf }) =>
    `linked against glibc${elf.minGlibc ? ` (needs GLIBC_${elf.minGlibc})` : ''} but its interpreter is musl's (gcompat?): libc.so.6 resolves to musl itself, and any glibc symbol musl lacks fail at start with "symbol not found"`,
  fix: () => 'build it against musl or statically, or use a glibc base image',
});

interface MuslHit {
  version: string | null;
  old: boolean;
  mode: GoResolverMode;
}
const cgoOnMusl = rule<MuslHit>({
  code: 'cgo-on-musl',
  severity: (_s, h) => (h.old ? 'warning' : 'info'),
  test: (s, { inventory }) => {
    if (!goExec(s) || !s.elf.go!.cgoEnabled || s.b.kind !== 'dynamic-exec' || s.b.resolution?.flavour !== 'musl')
      return [];
    const version = inventory.musl[0]?.version ?? null;
    const mode = goResolverMode(s.elf.go!).mode;
    if (mode === 'go') return []; // -tags netgo: Go's own resolver, whatever the libc
    return [{ version, old: version === null || compare(version.split('.').map(Number), [1, 2, 4]) < 0, mode }];
  },
  evidence: (_s, { version, old, mode }) =>
    `CGO_ENABLED=1 Go binary using musl (${version ?? 'version unknown'}): ${mode === 'cgo' ? 'built with -tags netcgo, every name lookup goes' : 'when Go hands a lookup to the C library (its default on Linux is its own resolver; /etc/nsswitch.conf or /etc/resolv.conf options it lacks make it use libc), the lookup goes'} through musl's resolver, which ignores /etc/nsswitch.conf (always /etc/hosts, then DNS), sends each query to every nameserver at once and takes the first answer${old ? ', and before 1.2.4 has no TCP fallback (DNS answers over 512 bytes fail)' : ''}`,
  fix: ({ b }) =>
    b.go?.settings['-tags']?.includes('netcgo')
      ? "drop -tags netcgo (or build with CGO_ENABLED=0 / -tags netgo) to use Go's resolver"
      : 'build with CGO_ENABLED=0 (or -tags netgo) unless the binary needs C code',
});

interface DnsHit {
  mode: GoResolverMode;
  why: string;
  hostsFirst: boolean;
}
const goDnsOrder = rule<DnsHit>({
  code: 'go-dns-order',
  severity: (_s, h) => (h.hostsFirst ? 'info' : 'warning'),
  test: (s, { fs }) => {
    if (!goExec(s) || !s.elf.goUses?.netResolver || fs.exists('etc/nsswitch.conf')) return [];
    const { mode, why } = goResolverMode(s.elf.go!);
    const hostsFirst = hostsFirstWithoutNsswitch(s.elf.go!.goVersion);
    if (mode === 'cgo' || hostsFirst === undefined) return [];
    return [{ mode, why, hostsFirst }];
  },
  evidence: ({ elf }, { mode, why, hostsFirst }) =>
    `${elf.go!.goVersion} binary using Go's own resolver (${why}${mode === 'auto' ? ", Go's default on Linux" : ''}), and the image has no /etc/nsswitch.conf: ${
      hostsFirst
        ? 'Go ≥ 1.16 then reads /etc/hosts first, then DNS (files,dns)'
        : 'Go before 1.16 then asks DNS before /etc/hosts (dns,files): "localhost" and --add-host names go to the DNS server first, and a search domain can answer for them'
    }`,
  fix: (_s, { hostsFirst }) =>
    hostsFirst
      ? 'nothing to fix; add /etc/nsswitch.conf ("hosts: files dns") only if another order is wanted'
      : 'add /etc/nsswitch.conf with "hosts: files dns" (RUN echo \'hosts: files dns\' > /etc/nsswitch.conf), or build with Go ≥ 1.16',
});

interface NssHit {
  needs: NssNeed[];
  libc: string | null;
}
const staticGlibcNss = rule<NssHit>({
  code: 'static-glibc-nss',
  severity: (_s, h) => (h.needs.some((n) => !n.module) ? 'warning' : 'info'),
  test: (s, { fs, inventory }) => {
    const nss = s.elf.staticNss;
    if (!s.isExec || !nss) return [];
    const dirs = [...glibcDefaultDirs(s.elf.machine, s.elf.class), ...inventory.ldSoConf.dirs];
    return [{ needs: staticNssNeeds(fs, nss, dirs), libc: inventory.glibc[0]?.version ?? null }];
  },
  evidence: ({ elf }, { needs, libc }) => {
    const nss = elf.staticNss!;
    const built = nss.builtinFilesDns
      ? 'files and dns are built in (glibc ≥ 2.34)'
      : 'files and dns are modules too (glibc < 2.34)';
    const linked = nss.glibcVersion
      ? `glibc ${nss.glibcVersion}`
      : 'the glibc it was linked with (its version is not recorded in the file)';
    const list = needs
      .map((n) => `${n.source} (${n.databases.join(', ')}): ${n.module ? n.module : 'missing'}`)
      .join('; ');
    return `statically linked glibc binary that uses NSS (getaddrinfo, getpwnam, …): at run time it loads libnss_<source>.so.2 from ${linked} for each source /etc/nsswitch.conf names; ${built}. ${needs.length === 0 ? 'Here it needs no module.' : `Here: ${list}.`}${needs.some((n) => n.module) ? ` The modules must match ${linked}; the image's glibc is ${libc ?? 'absent'}.` : ''}`;
  },
  fix: ({ elf }, { needs }) =>
    needs.some((n) => !n.module)
      ? `install ${needs
          .filter((n) => !n.module)
          .map((n) => `libnss_${n.source}.so.2`)
          .join(
            ', ',
          )} from the same glibc${elf.staticNss!.glibcVersion ? ` ${elf.staticNss!.glibcVersion}` : ''}, or name only ${elf.staticNss!.builtinFilesDns ? 'files/dns' : 'sources whose modules the image has'} in /etc/nsswitch.conf, or link dynamically`
      : 'nothing to fix while /etc/nsswitch.conf names only these sources; linking dynamically removes the version coupling',
});

const cgoDynamicLibc = rule<true>({
  code: 'cgo-dynamic-libc',
  severity: 'info',
  test: (s) =>
    when(
      goExec(s) &&
        s.elf.go!.cgoEnabled === true &&
        s.b.kind === 'dynamic-exec' &&
        s.elf.needed.every((n) => LIBC_ONLY.test(n)),
      true,
    ),
  evidence: ({ elf }) =>
    `CGO_ENABLED=1 Go binary that links only the C library (${elf.needed.join(', ')}): cgo is likely there only for net/os-user lookups`,
  fix: () =>
    "build with CGO_ENABLED=0 for a static binary that needs no libc (Go's resolver and os/user read /etc files)",
});

const missingCaCertificates = rule<true>({
  code: 'missing-ca-certificates',
  severity: 'warning',
  test: (s, { fs, image }) => {
    if (!goExec(s) || !s.elf.goUses?.x509SystemRoots) return [];
    const certFile = envValue(image.config.env, 'SSL_CERT_FILE');
    const certDir = envValue(image.config.env, 'SSL_CERT_DIR');
    const haveCerts =
      CA_FILES.some((f) => fs.exists(f)) ||
      CA_DIRS.some((d) => fs.list(d).length > 0) ||
      (certFile !== undefined && fs.exists(certFile.replace(/^\/+/, ''))) ||
      (certDir !== undefined && certDir.split(':').some((d) => fs.list(d.replace(/^\/+/, '')).length > 0));
    return when(!haveCerts, true);
  },
  evidence: (_s, _h, { scratchLike }) =>
    `links crypto/x509's system root loading, and the image has no CA certificates (/etc/ssl/certs/…)${scratchNote(scratchLike)}: outgoing TLS connections that verify certificates will fail (x509: certificate signed by unknown authority)`,
  fix: () => 'COPY /etc/ssl/certs/ca-certificates.crt from the build stage (or install ca-certificates)',
});

const missingPasswd = rule<true>({
  code: 'missing-passwd',
  severity: 'warning',
  test: (s, { fs }) => when(goExec(s) && s.elf.goUses?.osUser === true && !fs.exists('etc/passwd'), true),
  evidence: (_s, _h, { scratchLike }) =>
    `links os/user, and the image has no /etc/passwd${scratchNote(scratchLike)}: user lookups (user.Current, user.Lookup) fail`,
  fix: () => 'COPY a minimal /etc/passwd (and /etc/group) into the image',
});

const missingZoneinfo = rule<true>({
  code: 'missing-zoneinfo',
  severity: 'warning',
  test: (s, { fs, image }) => {
    const u = s.elf.goUses;
    return when(
      goExec(s) &&
        u?.loadLocation === true &&
        !u.embeddedTzdata &&
        !ZONEINFO_DIRS.some((d) => fs.isDir(d)) &&
        envValue(image.config.env, 'ZONEINFO') === undefined,
      true,
    );
  },
  evidence: (_s, _h, { scratchLike }) =>
    `links time.LoadLocation without the embedded time/tzdata, and the image has no /usr/share/zoneinfo${scratchNote(scratchLike)}: loading a named zone (other than UTC/Local) fails — whether it does so cannot be told statically`,
  fix: () => 'import _ "time/tzdata" (or build with -tags timetzdata), or COPY /usr/share/zoneinfo into the image',
});

const unstripped = rule<number>({
  code: 'unstripped',
  severity: (_s, bytes) => (bytes >= UNSTRIPPED_WARN ? 'warning' : 'info'),
  test: ({ b, elf }) =>
    when(
      !elf.stripped && b.kind !== 'object' && !b.path.startsWith('/usr/lib/debug/'),
      elf.symbolBytes + elf.debugBytes,
    ),
  evidence: ({ b, elf }, bytes) =>
    `carries ${formatBytes(elf.symbolBytes)} of symbol table and ${formatBytes(elf.debugBytes)} of debug info (${bytes} bytes, ${Math.round((100 * bytes) / Math.max(1, b.size))}% of the file)`,
  fix: ({ elf }) =>
    elf.go
      ? 'build with -ldflags="-s -w" (or run strip --strip-all)'
      : 'run strip --strip-all (or strip --strip-debug to keep symbols) in the build stage',
});

const unusedLibrary = rule<true>({
  code: 'unused-library',
  severity: 'info',
  test: ({ b }, { fs, used, inventory }) => {
    if (b.kind !== 'shared-lib') return [];
    const real = fs.resolve(b.path.slice(1));
    const realPath = real.ok ? `/${real.path}` : b.path;
    return when(
      !used.has(realPath) && !used.has(b.path) && !inventory.loaders.some((l) => l.realPath === realPath),
      true,
    );
  },
  evidence: ({ b }) =>
    `no ELF file in the image has it in its resolved DT_NEEDED tree (${formatBytes(b.size)}); libraries opened with dlopen() (plugins, NSS modules, Python extensions) cannot be seen statically`,
  fix: () => 'if nothing dlopens it, remove it (or the package that ships it)',
});

export const FINDING_RULES: readonly FindingRule[] = [
  malformedElf,
  wrongArchitecture,
  interpreterMissing,
  libraryMissing,
  libraryDependencyMissing,
  versionMissing,
  needsLdconfig,
  ldCacheStale,
  ldCacheOnly,
  hwcapsCpuDependent,
  glibcBinaryOnMusl,
  cgoOnMusl,
  goDnsOrder,
  cgoDynamicLibc,
  staticGlibcNss,
  missingCaCertificates,
  missingPasswd,
  missingZoneinfo,
  unstripped,
  unusedLibrary,
];
