/**
 * Will an executable start in this image? One verdict per executable, from its own headers and its
 * resolution: the first thing that stops the kernel or the loader, in the order they check it.
 */
import type { ElfSummary } from './elf-summary.js';
import type { BinaryRecord } from './records.js';

export type Verdict =
  | { status: 'will start'; reason?: string }
  | { status: 'will not start'; reason: string }
  | { status: 'unknown'; reason: string };

/** ELF kinds the kernel execs (the others are loaded or linked). */
export const EXECUTABLE_KINDS: ReadonlySet<string> = new Set(['static', 'static-pie', 'dynamic-exec']);

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

/** A binary linked against glibc (by its version needs or its libc soname). */
export const needsGlibc = (elf: ElfSummary): boolean => elf.minGlibc !== undefined || elf.needed.includes('libc.so.6');

export function verdictOf(b: BinaryRecord, elf: ElfSummary, archOk: boolean): Verdict {
  if (!archOk) return { status: 'will not start', reason: `exec format error: ${b.class}-bit ${b.machine} binary` };
  if ((b.mode & 0o111) === 0)
    return {
      status: 'will not start',
      reason: `permission denied: mode ${(b.mode & 0o7777).toString(8).padStart(4, '0')} has no execute bit`,
    };
  if (b.kind !== 'dynamic-exec')
    return { status: 'will start', reason: `${b.kind} binary: needs no loader or libraries` };
  const r = b.resolution;
  if (!r) return { status: 'unknown', reason: 'not resolved' };
  if (r.interpreter && !r.interpreter.found)
    return {
      status: 'will not start',
      reason: `interpreter ${r.interpreter.path} ${r.interpreter.problem ?? 'not found'}: exec fails with "no such file or directory"`,
    };
  if (r.missing.length > 0) {
    const m = r.missing[0]!;
    return {
      status: 'will not start',
      reason: `${m.name}: ${m.reason === 'not found' ? 'cannot open shared object file: No such file or directory' : m.reason}${r.missing.length > 1 ? ` (and ${r.missing.length - 1} more)` : ''}`,
    };
  }
  if (r.versionProblems.length > 0) {
    const v = r.versionProblems[0]!;
    return { status: 'will not start', reason: `version \`${v.version}' not found (required by ${v.object})` };
  }
  if (r.flavour === 'musl' && needsGlibc(elf)) {
    return {
      status: 'unknown',
      reason:
        'glibc-linked binary under musl\'s loader: libc.so.6 maps to musl, and symbols musl lacks fail at start with "symbol not found"',
    };
  }
  if (r.flavour === 'unknown') return { status: 'unknown', reason: `unknown loader ${r.interpreter?.path ?? ''}` };
  // Without /etc/ld.so.cache glibc searches only the default dirs (dl-load.c: no cache, no conf files): the
  // real loader, run in a chroot, refuses such a program (test/e2e-elf/loader-cache.test.ts).
  if (r.needsLdconfig.length > 0) {
    return {
      status: 'will not start',
      reason: `${r.needsLdconfig[0]} is found only through /etc/ld.so.conf, and the image has no /etc/ld.so.cache (ldconfig never ran): the loader searches only the default dirs`,
    };
  }
  return { status: 'will start', reason: `interpreter and ${r.libs.length} libraries resolve` };
}
