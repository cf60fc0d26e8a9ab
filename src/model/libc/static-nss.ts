/**
 * Static glibc binaries that use NSS (getaddrinfo, getpwnam, …). glibc warns at link time that they need "at
 * runtime the shared libraries from the glibc version used for linking": the binary dlopen()s
 * libnss_<source>.so.2 for each source /etc/nsswitch.conf names, and those modules must come from the same
 * glibc build. Since glibc 2.34 the `files` and `dns` sources are built into libc (and so into the static
 * binary: it then carries names such as "_nss_files_gethostbyname4_r"); before, even those were modules.
 * Checked against the real binary in a chroot (test/e2e-elf/static-nss.test.ts). Pure.
 */
import { textOf } from './text-files.js';
import type { FinalFs } from './final-fs.js';

/** What the ELF analyser saw in a static binary. */
export interface StaticNss {
  /** `files` and `dns` are built in (glibc ≥ 2.34). */
  builtinFilesDns: boolean;
  /** From the "GNU C Library … version X.Y" banner, when the binary carries it. */
  glibcVersion?: string;
}

/** The databases a static binary's NSS calls may consult, and glibc's built-in default sources for each. */
const DATABASES: Record<string, string[]> = {
  passwd: ['files'],
  group: ['files'],
  shadow: ['files'],
  hosts: ['files', 'dns'],
  services: ['files'],
  networks: ['files', 'dns'],
  protocols: ['files'],
  initgroups: ['files'],
};

/** Sources per database from /etc/nsswitch.conf (glibc's defaults where a database or the file is missing). */
export function nsswitchSources(fs: FinalFs): { file: boolean; sources: Map<string, string[]> } {
  const r = fs.resolve('etc/nsswitch.conf');
  const text = r.ok ? textOf(fs.dataEntryOf(r.node)) : undefined;
  const sources = new Map<string, string[]>(Object.entries(DATABASES).map(([db, s]) => [db, [...s]]));
  if (text === undefined) return { file: r.ok, sources };
  for (const raw of text.split('\n')) {
    const m = /^\s*([a-z_]+)\s*:\s*(.*)$/.exec(raw.replace(/#.*/, ''));
    if (!m || !(m[1]! in DATABASES)) continue;
    // "files [NOTFOUND=return] dns": the bracketed actions are not sources.
    sources.set(
      m[1]!,
      m[2]!
        .replace(/\[[^\]]*\]/g, ' ')
        .split(/\s+/)
        .filter((s) => /^[a-z0-9_]+$/.test(s)),
    );
  }
  return { file: true, sources };
}

export interface NssNeed {
  source: string;
  databases: string[];
  /** Where the module is in the image (absolute), or undefined when it is missing. */
  module?: string;
}

/** The modules the binary will dlopen here, and whether the image has each. */
export function staticNssNeeds(fs: FinalFs, nss: StaticNss, libDirs: readonly string[]): NssNeed[] {
  const { sources } = nsswitchSources(fs);
  const bySource = new Map<string, string[]>();
  for (const [db, list] of sources) {
    for (const s of list) {
      if (nss.builtinFilesDns && (s === 'files' || s === 'dns')) continue;
      const dbs = bySource.get(s);
      if (dbs) dbs.push(db);
      else bySource.set(s, [db]);
    }
  }
  const out: NssNeed[] = [];
  for (const [source, databases] of bySource) {
    const name = `libnss_${source}.so.2`;
    const dir = libDirs.find((d) => fs.exists(`${d.replace(/^\/+/, '')}/${name}`));
    out.push({ source, databases, ...(dir ? { module: `${dir}/${name}` } : {}) });
  }
  return out;
}
