/** parseElf against binutils readelf on every ELF file in /usr/bin, /usr/sbin and the x86-64 multiarch libs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, lstatSync, openSync, readSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesSource, parseElf, type ElfInfo } from '../../../src/model/elf/index.js';
import { READELF_MACHINES, readelfMany, type ReadelfFacts } from '../../helpers/readelf.js';

function isRegularElf(path: string): boolean {
  try {
    if (!lstatSync(path).isFile()) return false;
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(4);
      return readSync(fd, head, 0, 4, 0) === 4 && head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

function listElfFiles(): string[] {
  const files: string[] = [];
  for (const dir of ['/usr/bin', '/usr/sbin']) {
    for (const name of readdirSync(dir)) files.push(join(dir, name));
  }
  const lib = '/usr/lib/x86_64-linux-gnu';
  for (const name of readdirSync(lib)) if (/\.so(\.|$)/.test(name)) files.push(join(lib, name));
  return files.filter(isRegularElf).sort();
}

/** Differences between our reading and readelf's, as human-readable strings. */
function diffFacts(elf: ElfInfo, re: ReadelfFacts): string[] {
  const d: string[] = [];
  const cmp = (what: string, ours: unknown, theirs: unknown): void => {
    const a = JSON.stringify(ours);
    const b = JSON.stringify(theirs);
    if (a !== b) d.push(`${what}: ours ${a} readelf ${b}`);
  };
  cmp('type', elf.type, re.type);
  const machine = re.machine !== undefined ? READELF_MACHINES[re.machine] : undefined;
  cmp('machine', elf.machine, machine ?? `unknown readelf machine ${re.machine}`);
  cmp('interpreter', elf.interpreter, re.interpreter);
  cmp('needed', elf.needed, re.needed);
  cmp('soname', elf.soname, re.soname);
  cmp('rpath', elf.rpath, re.rpath);
  cmp('runpath', elf.runpath, re.runpath);
  cmp('versionNeeds', elf.versionNeeds, re.versionNeeds);
  cmp('versionDefs', elf.versionDefs, re.versionDefs);
  return d;
}

test('parseElf agrees with readelf on hundreds of system ELF files', { timeout: 120_000 }, async () => {
  const t0 = Date.now();
  const files = listElfFiles();
  assert.ok(files.length >= 300, `expected hundreds of ELF files, found ${files.length}`);
  const facts = await readelfMany(files);
  const tReadelf = Date.now() - t0;
  const mismatches: string[] = [];
  let compared = 0;
  let parseMs = 0;
  const kinds = new Map<string, number>();
  for (const file of files) {
    const re = facts.get(file);
    if (!re) {
      mismatches.push(`${file}: no readelf output`);
      continue;
    }
    const bytes = readFileSync(file);
    const p0 = performance.now();
    const r = parseElf(bytesSource(bytes));
    parseMs += performance.now() - p0;
    if (!r.ok) {
      mismatches.push(`${file}: parseElf failed: ${r.malformed}`);
      continue;
    }
    compared++;
    kinds.set(r.elf.kind, (kinds.get(r.elf.kind) ?? 0) + 1);
    for (const x of diffFacts(r.elf, re)) mismatches.push(`${file}: ${x}`);
  }
  console.log(
    `readelf comparison: ${compared} files compared, ${mismatches.length} mismatches; readelf ${tReadelf} ms, ` +
      `parseElf total ${parseMs.toFixed(0)} ms; kinds ${JSON.stringify(Object.fromEntries(kinds))}`,
  );
  // Guard against a readelf-output parser that silently finds nothing.
  const all = [...facts.values()];
  const withNeeded = all.filter((f) => f.needed.length > 0).length;
  const withSoname = all.filter((f) => f.soname !== undefined).length;
  const withNeeds = all.filter((f) => f.versionNeeds.some((n) => n.versions.length > 0)).length;
  const withDefs = all.filter((f) => f.versionDefs.length > 0).length;
  const withInterp = all.filter((f) => f.interpreter !== undefined).length;
  const withPaths = all.filter((f) => f.rpath.length + f.runpath.length > 0).length;
  console.log(
    `readelf facts: needed ${withNeeded}, soname ${withSoname}, version needs ${withNeeds}, version defs ${withDefs}, ` +
      `interpreter ${withInterp}, rpath/runpath ${withPaths}`,
  );
  assert.ok(withNeeded > 300 && withSoname > 100 && withNeeds > 300 && withDefs > 10 && withInterp > 300);
  assert.equal(mismatches.length, 0, `first mismatches:\n${mismatches.slice(0, 15).join('\n')}`);
});
