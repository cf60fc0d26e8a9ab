/**
 * The `elf` fact that the ELF content analyser stores on an entry: parseElf's result minus what later
 * analyses never read, plus a few byte-scan results that need the whole file (Go package markers, musl's
 * version string). Pure: no IO.
 */
import type { Entry } from '../entry.js';
import type { ElfInfo } from '../elf/index.js';
import type { StaticNss } from './static-nss.js';

/** What a Go binary's function-name table shows it links (pclntab names survive `-s -w`). */
export interface GoUses {
  /** crypto/x509's system root loading is linked (TLS client code can need CA certificates). */
  x509SystemRoots: boolean;
  /** os/user lookups are linked (pure-Go builds read /etc/passwd and /etc/group). */
  osUser: boolean;
  /** time.LoadLocation is linked (named time zones need zoneinfo). */
  loadLocation: boolean;
  /** time/tzdata is embedded (zoneinfo inside the binary). */
  embeddedTzdata: boolean;
  /** The net package's resolver is linked. */
  netResolver: boolean;
}

export type ElfSummary = Omit<ElfInfo, 'entry'> & {
  /** Size of the file in bytes. */
  fileSize: number;
  goUses?: GoUses;
  /** A static glibc binary that calls NSS (it carries glibc's NSS module name pattern). */
  staticNss?: StaticNss;
  /** For a musl libc/loader: the version string found next to "musl libc (" (a heuristic scan). */
  muslVersion?: string;
};

export type ElfFact = ElfSummary | { malformed: string };

export const isMalformed = (f: ElfFact): f is { malformed: string } => 'malformed' in f;

/** The parsed ELF facts of an entry, when the ELF analyser saw it (undefined for non-ELF files). */
export function elfFactOf(entry: Entry | null | undefined): ElfFact | undefined {
  const f = entry?.facts?.['elf'];
  return f && typeof f === 'object' ? (f as ElfFact) : undefined;
}

/** The ELF summary of an entry, or undefined when it is not a (well-formed) ELF file. */
export function elfOf(entry: Entry | null | undefined): ElfSummary | undefined {
  const f = elfFactOf(entry);
  return f && !isMalformed(f) ? f : undefined;
}

/** Builds the stored summary from parseElf's result. */
export function summariseElf(
  elf: ElfInfo,
  fileSize: number,
  extra: { goUses?: GoUses; muslVersion?: string; staticNss?: StaticNss } = {},
): ElfSummary {
  const { entry: _entry, ...rest } = elf;
  return {
    ...rest,
    fileSize,
    ...(extra.goUses ? { goUses: extra.goUses } : {}),
    ...(extra.muslVersion ? { muslVersion: extra.muslVersion } : {}),
    ...(extra.staticNss ? { staticNss: extra.staticNss } : {}),
  };
}

const enc = new TextEncoder();
/**
 * Function-name markers as they appear in Go's pclntab (funcnametab; names survive `-s -w`). A package prefix
 * such as `os/user.` matches any function of that package, i.e. the package is linked.
 */
export const GO_MARKERS: Record<keyof GoUses, Uint8Array[]> = {
  x509SystemRoots: [enc.encode('crypto/x509.loadSystemRoots\0')],
  osUser: [enc.encode('os/user.')],
  loadLocation: [enc.encode('time.LoadLocation\0')],
  embeddedTzdata: [enc.encode('time/tzdata.')],
  netResolver: [enc.encode('net.dnsReadConfig\0')],
};

/**
 * Static glibc NSS markers: the module file name pattern nss_module.c formats ("libnss_%s.so%s": only a
 * binary that can load NSS modules has it), and a name of the built-in files module (glibc ≥ 2.34).
 */
export const NSS_MODULE_PATTERN = enc.encode('libnss_%s.so');
export const NSS_BUILTIN_FILES = enc.encode('_nss_files_gethostbyname4_r');
export const GLIBC_BANNER = enc.encode('GNU C Library');

/** The marker for a musl build: ldso's `--version` banner starts with it. */
export const MUSL_BANNER = enc.encode('musl libc (');
