import type { Analysis } from '../analysis.js';
import type { Entry } from '../entry.js';
import { entryAt } from '../file-tree.js';
import { baseName } from '../paths.js';
import type { Plan } from './build-plan.js';
import { elfOf, looksLikeTlsClient } from './elf-facts.js';
import { refKey, type EntryRef } from './entry-ref.js';
import { finalEntries } from './entry-index.js';
import { expandRpath, resolveInImage, type Lookup } from './resolve-path.js';

export type SafetyCode = 'interpreter' | 'needed-library' | 'entrypoint' | 'shell' | 'ca-certificates' | 'last-libc';

export interface SafetyWarning {
  readonly code: SafetyCode;
  readonly message: string;
  /** The path the plan removes (display form, leading `/`). */
  readonly path: string;
  /** Kept files that need it (display form), at most a few. */
  readonly neededBy: readonly string[];
  /** The action that removes it. */
  readonly actionId?: string;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const LIB_DIRS = [
  'lib',
  'usr/lib',
  'lib64',
  'usr/lib64',
  'usr/local/lib',
  'lib/x86_64-linux-gnu',
  'usr/lib/x86_64-linux-gnu',
  'lib/aarch64-linux-gnu',
  'usr/lib/aarch64-linux-gnu',
  'lib/x86_64-linux-musl',
  'usr/lib/x86_64-linux-musl',
];
const CA_PATHS =
  /^(etc\/ssl\/certs|etc\/ssl\/cert\.pem|etc\/pki\/(tls|ca-trust)|etc\/ca-certificates|usr\/share\/ca-certificates|usr\/local\/share\/ca-certificates|etc\/ssl\/ca-bundle\.pem)(\/|$)/;
const LIBC_NAME = /^(libc\.so\.6|libc\.musl-[^/]+\.so\.1|ld-musl-[^/]+\.so\.1|libc\.so)$/;
const MAX_NEEDED_BY = 3;

const disp = (p: string): string => `/${p}`;

/**
 * What a plan's removals break that the analysis can see: the loader or a library a kept ELF needs
 * (found the way the loader would look: RPATH/RUNPATH, LD_LIBRARY_PATH, the default directories, then any
 * file of that name), the entrypoint/cmd binary and the shell its shell form needs, CA certificates when a
 * kept binary looks like a TLS client, and the last libc while dynamic binaries remain.
 */
export function checkSafety(analysis: Analysis, plan: Plan): SafetyWarning[] {
  if (plan.removedBy.size === 0) return [];
  const finals = finalEntries(analysis);
  const before = new Map<string, { entry: Entry; ref: EntryRef }>();
  for (const f of finals) before.set(f.node.path, { entry: f.entry, ref: f.ref });
  const removed = (p: string): boolean => {
    const f = before.get(p);
    return f !== undefined && plan.removedBy.has(refKey(f.ref));
  };
  const last = analysis.image.layers.length - 1;
  const lookBefore: Lookup = (p) => {
    const node = p === '' ? undefined : analysis.tree.byPath.get(p);
    return node ? (entryAt(node, last) ?? undefined) : undefined;
  };
  const lookAfter: Lookup = (p) => (removed(p) ? undefined : lookBefore(p));
  const removerOf = (p: string): string | undefined => {
    const f = before.get(p);
    return f ? plan.removedBy.get(refKey(f.ref)) : undefined;
  };
  /** Resolves before the plan; when that works and the plan breaks it, the path the plan removed. */
  const broken = (path: string): { path: string; actionId?: string } | undefined => {
    const target = resolveInImage(lookBefore, path);
    if (target === undefined || resolveInImage(lookAfter, path) !== undefined) return undefined;
    // Blame the first removed component on the way (the symlink or the file itself).
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (removed(p)) return { path: p, ...(removerOf(p) ? { actionId: removerOf(p)! } : {}) };
    }
    return removed(target)
      ? { path: target, ...(removerOf(target) ? { actionId: removerOf(target)! } : {}) }
      : { path: target };
  };

  const warnings = new Map<string, SafetyWarning & { neededBy: string[] }>();
  const warn = (
    code: SafetyCode,
    hit: { path: string; actionId?: string },
    by: string,
    message: (p: string) => string,
  ): void => {
    const key = `${code}:${hit.path}`;
    const w = warnings.get(key);
    if (w) {
      if (w.neededBy.length < MAX_NEEDED_BY && !w.neededBy.includes(by)) w.neededBy.push(by);
      return;
    }
    warnings.set(key, {
      code,
      message: message(disp(hit.path)),
      path: disp(hit.path),
      neededBy: [by],
      ...(hit.actionId ? { actionId: hit.actionId } : {}),
    });
  };

  const env = new Map(
    analysis.image.config.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  const ldLibraryPath = (env.get('LD_LIBRARY_PATH') ?? '')
    .split(':')
    .filter((d) => d.startsWith('/'))
    .map((d) => d.replace(/^\/+|\/+$/g, ''));
  const byName = new Map<string, string[]>();
  for (const f of finals)
    if (f.entry.kind !== 'dir') {
      const b = baseName(f.node.path);
      const list = byName.get(b);
      if (list) list.push(f.node.path);
      else byName.set(b, [f.node.path]);
    }

  let keptDynamic = false;
  let keptTlsClient: string | undefined;
  for (const f of finals) {
    const elf = elfOf(f.entry);
    if (!elf || f.entry.kind !== 'file' || removed(f.node.path)) continue;
    const self = f.node.path;
    if (elf.interpreter) {
      keptDynamic = true;
      const hit = broken(elf.interpreter);
      if (hit)
        warn(
          'interpreter',
          hit,
          disp(self),
          (p) => `${p} is the program loader of kept binaries: they would fail with "no such file or directory"`,
        );
    }
    if ((elf.needed ?? []).length > 0) keptDynamic = true;
    if (!keptTlsClient && looksLikeTlsClient(elf)) keptTlsClient = disp(self);
    const rpaths = [...(elf.rpath ?? []), ...(elf.runpath ?? [])]
      .map((r) => expandRpath(r, self))
      .filter((d): d is string => d !== undefined);
    for (const soname of elf.needed ?? []) {
      if (soname.includes('/')) {
        const hit = broken(soname.replace(/^\/+/, ''));
        if (hit) warn('needed-library', hit, disp(self), (p) => `${p} is needed (DT_NEEDED) by kept binaries`);
        continue;
      }
      const dirs = [...rpaths, ...ldLibraryPath, ...LIB_DIRS];
      const candidates = [...dirs.map((d) => (d === '' ? soname : `${d}/${soname}`)), ...(byName.get(soname) ?? [])];
      const foundBefore = candidates.filter((c) => resolveInImage(lookBefore, c) !== undefined);
      if (foundBefore.length === 0) continue; // already missing: the libc/ELF findings report that
      if (foundBefore.some((c) => resolveInImage(lookAfter, c) !== undefined)) continue;
      const hit = broken(foundBefore[0]!);
      if (hit)
        warn(
          'needed-library',
          hit,
          disp(self),
          (p) => `${p} (${soname}) is needed by kept binaries and the plan leaves no other copy`,
        );
    }
  }

  const cfg = analysis.image.config;
  const argv = [...(cfg.entrypoint ?? []), ...(cfg.entrypoint && cfg.entrypoint.length > 0 ? [] : (cfg.cmd ?? []))];
  const exe = argv[0];
  if (exe) {
    const pathDirs = (env.get('PATH') ?? DEFAULT_PATH)
      .split(':')
      .filter((d) => d.startsWith('/'))
      .map((d) => d.replace(/^\/+|\/+$/g, ''));
    const candidates = exe.includes('/')
      ? [exe.replace(/^\/+/, '')]
      : pathDirs.map((d) => (d === '' ? exe : `${d}/${exe}`));
    const found = candidates.find((c) => resolveInImage(lookBefore, c) !== undefined);
    if (found) {
      const hit = broken(found);
      const shell = /(^|\/)(ba|da)?sh$/.test(exe) && argv[1] === '-c';
      if (hit) {
        warn(shell ? 'shell' : 'entrypoint', hit, shell ? 'the shell form of CMD/ENTRYPOINT' : 'ENTRYPOINT/CMD', (p) =>
          shell
            ? `${p} runs the image's shell-form command (\`${argv.slice(2).join(' ')}\`)`
            : `${p} is the image's ENTRYPOINT/CMD binary`,
        );
      }
    }
  }

  if (keptTlsClient) {
    const caBefore = finals.filter((f) => CA_PATHS.test(f.node.path) && f.entry.kind !== 'dir');
    const caAfter = caBefore.filter((f) => !removed(f.node.path));
    if (caBefore.length > 0 && caAfter.length === 0) {
      const first = caBefore.sort((a, b) => b.entry.size - a.entry.size)[0]!;
      warn(
        'ca-certificates',
        { path: first.node.path, ...(removerOf(first.node.path) ? { actionId: removerOf(first.node.path)! } : {}) },
        keptTlsClient,
        (p) =>
          `${p} and the other CA certificates would be gone, and kept binaries look like TLS clients (TLS would fail with "certificate signed by unknown authority")`,
      );
    }
  }

  if (keptDynamic) {
    const libcBefore = finals.filter((f) => LIBC_NAME.test(baseName(f.node.path)) && f.entry.kind !== 'dir');
    const libcAfter = libcBefore.filter((f) => !removed(f.node.path));
    if (libcBefore.length > 0 && libcAfter.length === 0) {
      const first = libcBefore.find((f) => f.entry.kind === 'file') ?? libcBefore[0]!;
      warn(
        'last-libc',
        { path: first.node.path, ...(removerOf(first.node.path) ? { actionId: removerOf(first.node.path)! } : {}) },
        'dynamically linked binaries',
        (p) => `${p} is the last C library, and dynamically linked binaries remain`,
      );
    }
  }
  return [...warnings.values()];
}
