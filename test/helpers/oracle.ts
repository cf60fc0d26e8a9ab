/**
 * The UPX/strip oracle CSV (../shared/oracles): rows, and the local file whose bytes match a row's sha256
 * (Debian-packaged files installed here, or the six shipped in bins/). Rows whose bytes differ are skipped.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedPath } from './shared.js';

export const ORACLE_DIR = sharedPath('oracles');

export type OracleRow = Record<string, string>;

function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

let cache: OracleRow[] | undefined;

export function oracleRows(): OracleRow[] {
  if (cache) return cache;
  const text = readFileSync(join(ORACLE_DIR, 'upx-strip-oracle.csv'), 'utf8');
  const lines = text.split('\n').filter((l) => l.length > 0);
  const head = parseCsvLine(lines[0]!);
  cache = lines.slice(1).map((l) => {
    const cells = parseCsvLine(l);
    return Object.fromEntries(head.map((h, i) => [h, cells[i] ?? '']));
  });
  return cache;
}

const verified = new Map<string, string | undefined>();

/** Path of a local file with the row's exact bytes (sha256 checked), or undefined. */
export function oracleFilePath(row: OracleRow): string | undefined {
  if (verified.has(row['name']!)) return verified.get(row['name']!);
  const candidates = [join(ORACLE_DIR, 'bins', row['name']!)];
  if (row['source']?.startsWith('/')) candidates.push(row['source']);
  let found: string | undefined;
  for (const p of candidates) {
    if (!existsSync(p)) continue;
    if (createHash('sha256').update(readFileSync(p)).digest('hex') === row['sha256']) {
      found = p;
      break;
    }
  }
  verified.set(row['name']!, found);
  return found;
}
