// Hand-made images for the resolver tests: layers of entries carrying hand-written `elf`/`text` facts, as the
// analysers would have left them. Every expected value in the tests is worked out by hand from these trees.
import type { Entry } from '../../../src/model/entry.js';
import type { Image, Layer } from '../../../src/model/image.js';
import type { ElfSummary } from '../../../src/model/libc/index.js';
import { buildFileTree } from '../../../src/model/file-tree.js';
import { analyseBinaries } from '../../../src/model/libc/index.js';

export const GLIBC_INTERP = '/lib64/ld-linux-x86-64.so.2';
export const MUSL_INTERP = '/lib/ld-musl-x86_64.so.1';

export function elf(p: Partial<ElfSummary> = {}): ElfSummary {
  return {
    class: 64,
    endian: 'le',
    type: 'dyn',
    machine: 62,
    machineName: 'x86-64',
    kind: 'shared-lib',
    needed: [],
    rpath: [],
    runpath: [],
    flags1: 0,
    programHeaders: [],
    sections: [],
    hasTls: false,
    versionNeeds: [],
    versionDefs: [],
    symbolBytes: 0,
    debugBytes: 0,
    stripped: true,
    fileSize: 1000,
    ...p,
  };
}

export const exe = (p: Partial<ElfSummary> = {}): ElfSummary =>
  elf({ kind: 'dynamic-exec', interpreter: GLIBC_INTERP, ...p });

type Spec =
  | [path: string, 'elf', ElfSummary, number?]
  | [path: string, 'link', string]
  | [path: string, 'text', string]
  | [path: string, 'dir']
  | [path: string, 'file']
  | [path: string, 'whiteout'];

export function entry(s: Spec): Entry {
  const base = { uid: 0, gid: 0, mtime: 0 };
  switch (s[1]) {
    case 'elf':
      return { path: s[0], kind: 'file', size: s[2].fileSize, mode: s[3] ?? 0o755, ...base, facts: { elf: s[2] } };
    case 'link':
      return { path: s[0], kind: 'symlink', size: 0, mode: 0o777, linkTarget: s[2], ...base };
    case 'text':
      return { path: s[0], kind: 'file', size: s[2].length, mode: 0o644, ...base, facts: { text: s[2] } };
    case 'dir':
      return { path: s[0], kind: 'dir', size: 0, mode: 0o755, ...base };
    case 'file':
      return { path: s[0], kind: 'file', size: 10, mode: 0o644, ...base };
    case 'whiteout':
      return { path: s[0], kind: 'whiteout', size: 0, mode: 0, ...base };
  }
}

export function image(layers: Spec[][], env: string[] = [], arch = 'amd64'): Image {
  const ls: Layer[] = layers.map((specs, index) => {
    const entries = specs.map(entry);
    return { index, size: 0, tarSize: 0, compression: 'none', entries };
  });
  return {
    reference: 'test',
    source: 'dir',
    repoTags: [],
    repoDigests: [],
    platform: { os: 'linux', architecture: arch },
    config: { env, labels: {} },
    history: [],
    layers: ls,
    warnings: [],
  };
}

export function report(layers: Spec[][], env: string[] = [], arch = 'amd64') {
  const img = image(layers, env, arch);
  return analyseBinaries(img, buildFileTree(img.layers));
}

/** A glibc base: loader, libc.so.6 defining GLIBC_2.2.5 … GLIBC_<ver>, /lib64 link. */
export function glibcBase(top = ['2.2.5', '2.3', '2.17', '2.31']): Spec[] {
  const defs = top.map((v) => `GLIBC_${v}`);
  return [
    ['lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', 'elf', elf({ soname: 'ld-linux-x86-64.so.2', versionDefs: defs })],
    [
      'lib/x86_64-linux-gnu/libc.so.6',
      'elf',
      elf({
        soname: 'libc.so.6',
        needed: ['ld-linux-x86-64.so.2'],
        versionDefs: defs,
        interpreter: '/lib64/ld-linux-x86-64.so.2',
      }),
    ],
    ['lib64/ld-linux-x86-64.so.2', 'link', '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'],
  ];
}

export const muslBase = (): Spec[] => [
  ['lib/ld-musl-x86_64.so.1', 'elf', elf({ soname: 'libc.musl-x86_64.so.1', muslVersion: '1.2.4' })],
  ['lib/libc.musl-x86_64.so.1', 'link', 'ld-musl-x86_64.so.1'],
];
