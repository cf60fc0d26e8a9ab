// The hand-made image most planner tests share (numbers in the tests are worked out from this listing).
import { handImage, type L } from './hand-image.js';

/** The fields of the ELF analyser's summary that other analyses read, with neutral values. */
export const ELF_BASE = {
  class: 64,
  endian: 'le',
  type: 'dyn',
  machine: 62,
  machineName: 'x86-64',
  flags1: 0,
  programHeaders: [],
  sections: [],
  hasTls: false,
  versionNeeds: [],
  versionDefs: [],
  rpath: [],
  runpath: [],
  needed: [],
  symbolBytes: 0,
  debugBytes: 0,
  stripped: true,
  fileSize: 0,
};
const APP_ELF = {
  ...ELF_BASE,
  kind: 'dynamic-exec',
  interpreter: '/lib64/ld-linux-x86-64.so.2',
  needed: ['libc.so.6'],
  rpath: [],
  runpath: [],
  stripped: false,
  symbolBytes: 2000,
  debugBytes: 1000,
};
const SH_ELF = {
  ...ELF_BASE,
  type: 'exec',
  kind: 'static',
  needed: [],
  rpath: [],
  runpath: [],
  stripped: true,
  symbolBytes: 0,
  debugBytes: 0,
};
const LOADER_ELF = {
  ...ELF_BASE,
  kind: 'shared-lib',
  soname: 'ld-linux-x86-64.so.2',
  needed: [],
  rpath: [],
  runpath: [],
  stripped: true,
  symbolBytes: 0,
  debugBytes: 0,
};
const LIBC_ELF = {
  ...ELF_BASE,
  kind: 'shared-lib',
  soname: 'libc.so.6',
  needed: [],
  rpath: [],
  runpath: [],
  stripped: true,
  symbolBytes: 0,
  debugBytes: 0,
};

export const SAMPLE_LAYERS: L[] = [
  {
    cmd: '/bin/sh -c #(nop) ADD file:0123abcd in / ',
    gz: 2000,
    entries: [
      { path: 'bin', kind: 'dir' },
      { path: 'bin/sh', size: 1000, elf: SH_ELF, mode: 0o100755 },
      { path: 'lib', kind: 'dir' },
      { path: 'lib/x86_64-linux-gnu', kind: 'dir' },
      { path: 'lib/x86_64-linux-gnu/libc.so.6', size: 2000, elf: LIBC_ELF },
      { path: 'lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', size: 200, elf: LOADER_ELF },
      { path: 'lib64', kind: 'dir' },
      { path: 'lib64/ld-linux-x86-64.so.2', kind: 'symlink', link: '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' },
      { path: 'usr/share/doc/a/README', size: 300 },
      { path: 'etc/ssl/certs/ca-certificates.crt', size: 500 },
    ],
  },
  {
    cmd: '/bin/sh -c apt-get update && apt-get install -y app',
    gz: 9000,
    entries: [
      { path: 'var/lib/apt/lists', kind: 'dir' },
      { path: 'var/lib/apt/lists/l1', size: 4000 },
      { path: 'var/lib/apt/lists/l2', size: 1000 },
      { path: 'usr/bin/app', size: 10000, elf: APP_ELF, mode: 0o100755 },
      { path: 'big.bin', size: 20000 },
    ],
  },
  { cmd: '/bin/sh -c rm /big.bin', gz: 100, entries: [{ path: 'big.bin', kind: 'whiteout' }] },
  {
    cmd: '/bin/sh -c #(nop) COPY dir:feed in /app ',
    gz: 1500,
    entries: [
      { path: 'app', kind: 'dir' },
      { path: 'app/.git', kind: 'dir' },
      { path: 'app/.git/objects/x', size: 700 },
      { path: 'app/data', size: 600, sha: 'd1' },
      { path: 'app/data2', size: 600, sha: 'd1' },
    ],
  },
  {
    cmd: '/bin/sh -c chmod 755 /app/data',
    gz: 700,
    entries: [{ path: 'app/data', size: 600, sha: 'd1', mode: 0o100755 }],
  },
];

export const sampleImage = (config = {}) => handImage(SAMPLE_LAYERS, config);
