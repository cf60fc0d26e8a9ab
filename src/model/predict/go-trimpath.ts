/**
 * What `go build -trimpath` takes off a Go binary: the source file names in pclntab's file table lose their
 * directories — `$GOROOT/src/fmt/print.go` → `fmt/print.go`, `$GOPATH/pkg/mod/m@v/x.go` → `m@v/x.go`, the main
 * module's directory → its module path. The table sits in the read-only segment and Go's linker starts the next
 * segment on a page boundary (file offsets follow addresses), so the file shrinks by whole pages: the segment's
 * end, rounded up, before and after. Measured on the test program (go1.19, linux/amd64): the table lost 6.8 kB,
 * the file 8192 B, exactly as computed here; the compressed weight moves by 0.04 % (paths compress well).
 */
import type { ByteSource, ElfInfo, GoBuildInfo } from '../elf/index.js';

/** The file names of pclntab's file table (Go ≥ 1.16 headers), or undefined when the header is not recognised. */
export function goFileTable(src: ByteSource, elf: ElfInfo): string[] | undefined {
  const tab = elf.sections.find((s) => s.name === '.gopclntab' && s.type !== 8 && s.offset < src.size);
  if (!tab || tab.size < 64) return undefined;
  const h = src.read(tab.offset, 64);
  if (h.length < 64) return undefined;
  const v = new DataView(h.buffer, h.byteOffset, h.byteLength);
  const le = elf.endian === 'le';
  const magic = v.getUint32(0, le);
  const ptr = h[7];
  if (ptr !== 4 && ptr !== 8) return undefined;
  const word = (i: number): number => (ptr === 8 ? Number(v.getBigUint64(8 + i * 8, le)) : v.getUint32(8 + i * 4, le));
  // Words after magic/pad/minLC/ptrSize: nfunc, nfiles, [textStart ≥ 1.18], funcnameOffset, cuOffset, filetabOffset, pctabOffset.
  const first = magic === 0xfffffffa ? 2 : magic === 0xfffffff0 || magic === 0xfffffff1 ? 3 : -1;
  if (first < 0) return undefined;
  const from = word(first + 2);
  const to = word(first + 3);
  if (!(from > 0 && to > from && to <= tab.size && to - from <= src.size)) return undefined;
  const bytes = src.read(tab.offset + from, to - from);
  const names: string[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0) continue;
    if (i > start) names.push(new TextDecoder('latin1').decode(bytes.subarray(start, i)));
    start = i + 1;
  }
  return names;
}

/** Bytes the file table loses to -trimpath (0 when the binary was built with it already). */
export function trimpathTableSaving(names: readonly string[], go: GoBuildInfo | undefined): number {
  if (go?.trimpath) return 0;
  const proc = names.map((n) => /^(.*)\/src\/runtime\/proc\.go$/.exec(n)).find((m) => m !== null);
  const goroot = proc ? `${proc[1]}/src/` : undefined;
  let saving = 0;
  const own: string[] = [];
  for (const n of names) {
    if (goroot && n.startsWith(goroot)) saving += goroot.length;
    else if (n.includes('/pkg/mod/')) saving += n.indexOf('/pkg/mod/') + '/pkg/mod/'.length;
    else if (n.startsWith('/')) own.push(n);
  }
  // The main module: its directory becomes its module path. The directory is the files' common one, less the
  // main package's path inside the module when they all lie in that package (`cmd/app`).
  const modPath = go?.mainModule?.path;
  if (own.length > 0 && modPath) {
    let dir = own[0]!.slice(0, own[0]!.lastIndexOf('/'));
    for (const n of own) while (dir !== '' && !n.startsWith(`${dir}/`)) dir = dir.slice(0, dir.lastIndexOf('/'));
    const rel = go?.path?.startsWith(`${modPath}/`) ? go.path.slice(modPath.length + 1) : '';
    if (rel !== '' && dir.endsWith(`/${rel}`)) dir = dir.slice(0, dir.length - rel.length - 1);
    if (dir !== '') saving += own.length * (dir.length - modPath.length);
  }
  return saving;
}

/** Bytes the file loses when the segment holding .gopclntab shrinks by `tableSaving`: whole pages. */
export function trimpathFileSaving(elf: ElfInfo, tableSaving: number): number {
  if (tableSaving <= 0) return 0;
  const tab = elf.sections.find((s) => s.name === '.gopclntab');
  const loads = elf.programHeaders.filter((p) => p.type === 1 /* PT_LOAD */ && p.filesz > 0);
  const seg = tab && loads.find((p) => tab.offset >= p.offset && tab.offset < p.offset + p.filesz);
  if (!seg) return 0;
  const end = seg.offset + seg.filesz;
  const next = loads.filter((p) => p.offset >= end).sort((a, b) => a.offset - b.offset)[0];
  if (!next) return tableSaving; // the last segment: nothing after it is aligned
  const page = Math.max(1, next.align);
  const up = (x: number): number => Math.ceil(x / page) * page;
  return up(end) - up(end - tableSaving);
}
