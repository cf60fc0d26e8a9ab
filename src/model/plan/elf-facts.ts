/**
 * The parts of an entry's `facts.elf` (the ELF helper's summary of ElfInfo) the planner reads. Read
 * defensively: a summary may leave fields out.
 */
export interface ElfFacts {
  readonly kind?: 'static' | 'static-pie' | 'dynamic-exec' | 'shared-lib' | 'object' | 'other';
  readonly class?: 32 | 64;
  readonly machine?: number;
  readonly interpreter?: string;
  readonly needed?: readonly string[];
  readonly soname?: string;
  readonly rpath?: readonly string[];
  readonly runpath?: readonly string[];
  readonly stripped?: boolean;
  readonly symbolBytes?: number;
  readonly debugBytes?: number;
  /** Set by the ELF analyser from Go's function-name table (survives -s -w). */
  readonly goUses?: { readonly x509SystemRoots?: boolean };
  readonly go?: {
    readonly deps?: readonly { readonly path: string }[];
    readonly packages?: readonly string[];
    readonly stripped?: boolean;
    readonly goVersion?: string;
    readonly path?: string;
    readonly cgoEnabled?: boolean;
  };
}

/** The one reader of an entry's `elf` fact lives beside the summary it reads. */
export { elfOf } from '../libc/elf-summary.js';

export const isExecutableKind = (elf: ElfFacts): boolean =>
  elf.kind === 'static' || elf.kind === 'static-pie' || elf.kind === 'dynamic-exec';

/** Go packages that make a binary a TLS client (it will want CA certificates). */
const TLS_PACKAGES = /^(crypto\/tls|net\/http|google\.golang\.org\/grpc|github\.com\/aws\/|cloud\.google\.com\/)/;

export function looksLikeTlsClient(elf: ElfFacts): boolean {
  if (elf.goUses?.x509SystemRoots) return true;
  if (elf.go?.deps?.some((d) => TLS_PACKAGES.test(d.path))) return true;
  if (elf.go?.packages?.some((p) => TLS_PACKAGES.test(p))) return true;
  return (elf.needed ?? []).some((n) => /^lib(ssl|gnutls|curl|nss3|mbedtls|wolfssl)\b/.test(n));
}
