// Resolution cost (issue 10 item 13): a chain of 1,200 libraries (each DT_NEEDs the next) and a fan of 300
// libraries that each need the other 299, as hand-made trees (entries carrying `elf` facts, as the ELF analyser
// leaves them). analyseBinaries resolves every ELF file (executable and each library) as its own root. The
// baseline beside them is the same number of libraries with one need each from the executable (linear work).
// Target: each case under 2 s (CPU time is printed beside the wall time: on a loaded machine it is the fairer
// figure). Needs `npm run build` (dist/).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { buildFileTree } = await import(join(root, 'dist/model/file-tree.js'));
const { analyseBinaries } = await import(join(root, 'dist/model/libc/index.js'));

const elf = (p) => ({
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
});
const file = (path, e) => ({
  path,
  kind: 'file',
  size: 1000,
  mode: 0o755,
  uid: 0,
  gid: 0,
  mtime: 0,
  facts: { elf: e },
});
const glibc = [
  file(
    'lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
    elf({ soname: 'ld-linux-x86-64.so.2', versionDefs: ['GLIBC_2.2.5'] }),
  ),
  file('lib/x86_64-linux-gnu/libc.so.6', elf({ soname: 'libc.so.6', versionDefs: ['GLIBC_2.2.5'] })),
  {
    path: 'lib64/ld-linux-x86-64.so.2',
    kind: 'symlink',
    size: 0,
    mode: 0o777,
    uid: 0,
    gid: 0,
    mtime: 0,
    linkTarget: '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
  },
];
const exe = (needed) =>
  file('usr/bin/app', elf({ kind: 'dynamic-exec', interpreter: '/lib64/ld-linux-x86-64.so.2', needed }));
const lib = (i, needed) =>
  file(`usr/lib/x86_64-linux-gnu/lib${i}.so`, elf({ soname: `lib${i}.so`, needed: [...needed, 'libc.so.6'] }));

function image(entries) {
  return {
    reference: 'bench',
    source: 'dir',
    repoTags: [],
    repoDigests: [],
    platform: { os: 'linux', architecture: 'amd64' },
    config: { env: [], labels: {} },
    history: [],
    layers: [{ index: 0, size: 0, tarSize: 0, compression: 'none', entries }],
    warnings: [],
  };
}
const n = (k) => Array.from({ length: k }, (_, i) => i);
const cases = {
  'chain 1,200 (baseline: 1,200 leaves)': [
    [exe(['lib0.so']), ...n(1200).map((i) => lib(i, i + 1 < 1200 ? [`lib${i + 1}.so`] : []))],
    [exe(n(1200).map((i) => `lib${i}.so`)), ...n(1200).map((i) => lib(i, []))],
  ],
  'fan 300 × 299 (baseline: 300 leaves)': [
    [
      exe(n(300).map((i) => `lib${i}.so`)),
      ...n(300).map((i) =>
        lib(
          i,
          n(300)
            .filter((j) => j !== i)
            .map((j) => `lib${j}.so`),
        ),
      ),
    ],
    [exe(n(300).map((i) => `lib${i}.so`)), ...n(300).map((i) => lib(i, []))],
  ],
};

function run(entries) {
  const img = image([...glibc, ...entries]);
  const tree = buildFileTree(img.layers);
  globalThis.gc?.();
  const rss0 = process.memoryUsage().rss;
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  const r = analyseBinaries(img, tree);
  const ms = performance.now() - t;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const libs = r.binaries.reduce((s, b) => s + (b.resolution?.libs.length ?? 0), 0);
  return {
    ms,
    cpuMs,
    rss: process.memoryUsage().rss - rss0,
    libs,
    verdict: r.byPath.get('/usr/bin/app')?.verdict?.status,
  };
}

for (const [name, [heavy, base]] of Object.entries(cases)) {
  const b = run(base);
  const h = run(heavy);
  console.log(
    `  ${name.padEnd(38)} ${h.ms.toFixed(0).padStart(6)} ms wall, ${h.cpuMs.toFixed(0)} ms CPU (target < 2000)  baseline ${b.ms.toFixed(0)} ms  ratio ${(h.ms / Math.max(1, b.ms)).toFixed(1)}  resolved edges ${h.libs}  RSS +${(h.rss / 1048576).toFixed(0)} MiB  app: ${h.verdict}`,
  );
}
