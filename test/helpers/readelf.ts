/**
 * Runs binutils `readelf -W -h -l -d -V` and parses the facts slimtui's ELF reader must agree with.
 * Independent of src/model/elf: it only reads readelf's text output.
 */
import { execFile, spawnSync } from 'node:child_process';

/** stdout of a command, even when it exits non-zero (readelf does on warnings). */
function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30 }, (err, stdout) => {
      if (err && typeof stdout !== 'string') reject(err);
      else resolve(stdout);
    });
  });
}

export interface ReadelfFacts {
  type?: string; // 'exec' | 'dyn' | 'rel' | 'core'
  machine?: string; // readelf's machine string
  interpreter?: string;
  needed: string[];
  soname?: string;
  rpath: string[];
  runpath: string[];
  versionNeeds: { file: string; versions: string[] }[];
  versionDefs: string[];
}

/** readelf's machine strings → e_machine numbers (the ones found on x86-64 Debian machines and in tests). */
export const READELF_MACHINES: Record<string, number> = {
  'Advanced Micro Devices X86-64': 62,
  'Intel 80386': 3,
  AArch64: 183,
  ARM: 40,
  'MIPS R3000': 8,
  'IBM S/390': 22,
  PowerPC64: 21,
  PowerPC: 20,
  'RISC-V': 243,
};

/** Parses the output of readelf for a single file. */
export function parseReadelfOutput(text: string): ReadelfFacts {
  const facts: ReadelfFacts = { needed: [], rpath: [], runpath: [], versionNeeds: [], versionDefs: [] };
  let mode: 'none' | 'verdef' | 'verneed' = 'none';
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^\s+Type:\s+(\w+)/.exec(line)) && facts.type === undefined) facts.type = m[1]!.toLowerCase();
    else if ((m = /^\s+Machine:\s+(.*?)\s*$/.exec(line))) facts.machine = m[1]!;
    else if ((m = /\[Requesting program interpreter: (.*)\]$/.exec(line))) facts.interpreter = m[1]!;
    else if ((m = /\(NEEDED\)\s+Shared library: \[(.*)\]$/.exec(line))) facts.needed.push(m[1]!);
    else if ((m = /\(SONAME\)\s+Library soname: \[(.*)\]$/.exec(line))) facts.soname = m[1]!;
    else if ((m = /\(RPATH\)\s+Library rpath: \[(.*)\]$/.exec(line))) facts.rpath.push(...m[1]!.split(':'));
    else if ((m = /\(RUNPATH\)\s+Library runpath: \[(.*)\]$/.exec(line))) facts.runpath.push(...m[1]!.split(':'));
    else if (/^Version definition section/.test(line)) mode = 'verdef';
    else if (/^Version needs section/.test(line)) mode = 'verneed';
    else if (/^Version symbols section/.test(line)) mode = 'none';
    else if (
      mode === 'verdef' &&
      (m = /^\s+(?:0x)?[0-9a-f]+: Rev: \d+\s+Flags: (.*?)\s+Index: \d+\s+Cnt: \d+\s+Name: (.*)$/.exec(line))
    ) {
      if (!m[1]!.includes('BASE')) facts.versionDefs.push(m[2]!);
    } else if (
      mode === 'verneed' &&
      (m = /^\s+(?:0x)?[0-9a-f]+: Version: \d+\s+File: (.*?)\s+Cnt: \d+\s*$/.exec(line))
    ) {
      facts.versionNeeds.push({ file: m[1]!, versions: [] });
    } else if (mode === 'verneed' && (m = /^\s+0x[0-9a-f]+:\s+Name: (.*?)\s+Flags: .*Version: \d+\s*$/.exec(line))) {
      facts.versionNeeds.at(-1)?.versions.push(m[1]!);
    }
  }
  return facts;
}

const ARGS = ['-W', '-h', '-l', '-d', '-V'];

/** readelf on one file, synchronously. */
export function readelfFile(file: string): ReadelfFacts {
  const r = spawnSync('readelf', [...ARGS, file], { encoding: 'utf8', maxBuffer: 512 << 20 });
  if (r.error) throw r.error;
  return parseReadelfOutput(r.stdout);
}

/** `readelf -S -W` section sizes by name (hex sizes parsed independently). */
export function readelfSectionSizes(file: string): Map<string, { type: string; size: number }> {
  const r = spawnSync('readelf', ['-S', '-W', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  const out = new Map<string, { type: string; size: number }>();
  for (const line of r.stdout.split('\n')) {
    const m = /^\s+\[\s*\d+\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s/.exec(line);
    if (m) out.set(m[1]!, { type: m[2]!, size: parseInt(m[3]!, 16) });
  }
  return out;
}

/** Runs readelf on many files, several per invocation and several invocations at once. */
export async function readelfMany(
  files: readonly string[],
  perCall = 40,
  parallel = 4,
): Promise<Map<string, ReadelfFacts>> {
  const batches: string[][] = [];
  for (let i = 0; i < files.length; i += perCall) batches.push(files.slice(i, i + perCall));
  const out = new Map<string, ReadelfFacts>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      const stdout = await run('readelf', [...ARGS, ...batch]);
      if (batch.length === 1) {
        out.set(batch[0]!, parseReadelfOutput(stdout));
        continue;
      }
      // With several files, readelf prefixes each one's output with "File: <name>".
      const parts = stdout.split(/^File: (.*)$/m);
      for (let i = 1; i + 1 < parts.length; i += 2) out.set(parts[i]!, parseReadelfOutput(parts[i + 1]!));
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return out;
}

export interface GoVersionM {
  goVersion: string;
  path?: string;
  mod?: { path: string; version: string; sum?: string };
  deps: { path: string; version: string }[];
  /** build settings as printed (quoted values unquoted with JSON rules, enough for ASCII). */
  settings: Record<string, string>;
}

/** Runs `go version -m` on a file and parses its output. */
export function goVersionM(file: string): GoVersionM {
  const r = spawnSync('go', ['version', '-m', file], { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`go version -m failed: ${r.stderr}`);
  const lines = r.stdout.split('\n');
  const first = /: (go\S+)$/.exec(lines[0] ?? '');
  const out: GoVersionM = { goVersion: first?.[1] ?? '', deps: [], settings: {} };
  for (const line of lines.slice(1)) {
    const f = line.split('\t');
    if (f[0] !== '') continue;
    if (f[1] === 'path') out.path = f[2]!;
    else if (f[1] === 'mod') {
      out.mod = { path: f[2]!, version: f[3]! };
      if (f[4]) out.mod.sum = f[4];
    } else if (f[1] === 'dep') out.deps.push({ path: f[2]!, version: f[3]! });
    else if (f[1] === 'build') {
      const kv = f.slice(2).join('\t');
      const eq = kv.indexOf('=');
      const v = kv.slice(eq + 1);
      out.settings[kv.slice(0, eq)] = v.startsWith('"') ? (JSON.parse(v) as string) : v;
    }
  }
  return out;
}
