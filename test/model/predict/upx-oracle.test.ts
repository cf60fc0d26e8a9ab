/**
 * The UPX model against the oracle CSV (sizes measured with the real UPX 4.2.3; only rows whose sha256 matches a
 * file on this machine): refusals must match `upx_best_lzma_status`, packable rows must be within 5% of
 * `upx_best_lzma_size` (0644 libraries: of `upx_best_lzma_chmodx_size` after chmod +x), and the filter pre-scan
 * must agree with the oracle's own scan (`cto_free_bytes`). node (99 MB, ~1.5 min of xz) only with SLIMTUI_SLOW_TESTS=1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { bytesSource, parseElf } from '../../../src/model/elf/index.js';
import { scanForUpx } from '../../../src/model/predict/upx-scan.js';
import { predictUpxGzip, upxEligibility, upxPackPlan, type UpxRefusal } from '../../../src/model/predict/upx.js';
import { predictUpxForFile } from '../../../src/io/upx-predict.js';
import { oracleFilePath, oracleRows } from '../../helpers/oracle.js';

const slow = process.env['SLIMTUI_SLOW_TESTS'] === '1';

function expectedRefusal(status: string): UpxRefusal | 'ok' {
  if (status === 'ok') return 'ok';
  if (status.includes('file not executable')) return 'not-executable';
  if (status.includes('DT_INIT') || status.includes('bad init address')) return 'shared-library-unsupported';
  if (status.includes('too small')) return 'too-small';
  if (status.includes('AlreadyPacked')) return 'already-packed';
  if (status.includes('UnknownExecutableFormat')) return 'unsupported-format';
  return 'ok';
}

function usableRows(): { row: Record<string, string>; path: string }[] {
  const out: { row: Record<string, string>; path: string }[] = [];
  for (const row of oracleRows()) {
    const path = oracleFilePath(row);
    if (path) out.push({ row, path });
  }
  return out;
}

test('filter pre-scan agrees with the oracle scan (cto_free_bytes, cto_filter_possible) on every usable row', () => {
  const rows = usableRows();
  assert.ok(rows.length >= 35);
  for (const { row, path } of rows) {
    const b = readFileSync(path);
    const r = parseElf(bytesSource(b));
    assert.ok(r.ok);
    const s = scanForUpx(bytesSource(b), r.elf);
    assert.equal(s.cto.freeBytes, Number(row['cto_free_bytes']), row['name']);
    assert.equal(s.cto.possible, row['cto_filter_possible'] === 'True', row['name']);
    assert.equal(s.packed, false, row['name']);
    if (row['shlib_xct_off']) assert.equal(s.shlib?.xctOff, Number(row['shlib_xct_off']), row['name']);
  }
});

test('refusals match upx_best_lzma_status on every usable row', () => {
  for (const { row, path } of usableRows()) {
    const b = readFileSync(path);
    const r = parseElf(bytesSource(b));
    assert.ok(r.ok);
    const el = upxEligibility(r.elf, b.length, {
      mode: parseInt(row['mode']!.replace('0o', ''), 8),
      scan: scanForUpx(bytesSource(b), r.elf),
    });
    assert.equal(
      el.ok ? 'ok' : el.refusal,
      expectedRefusal(row['upx_best_lzma_status']!),
      `${row['name']}: ${row['upx_best_lzma_status']}`,
    );
  }
});

test('packed size within 5% of upx --best --lzma on every packable row', { timeout: 30 * 60_000 }, async () => {
  const errs: { name: string; err: number; predicted: number; real: number }[] = [];
  const jobs = usableRows().filter(({ row }) => slow || Number(row['size']) <= 20e6);
  const work = async ({ row, path }: { row: Record<string, string>; path: string }): Promise<void> => {
    const real = Number(row['upx_best_lzma_size'] || row['upx_best_lzma_chmodx_size']);
    if (!real) return; // refused even after chmod +x (checked above)
    const b = readFileSync(path);
    const r = parseElf(bytesSource(b));
    assert.ok(r.ok);
    const p = await predictUpxForFile(bytesSource(b), r.elf, 0o755);
    assert.ok(p.packable, row['name']);
    errs.push({ name: row['name']!, err: (p.size - real) / real, predicted: p.size, real });
  };
  // Two xz processes at a time (this machine has 2 cores).
  const queue = [...jobs];
  await Promise.all(
    [0, 1].map(async () => {
      for (let j = queue.shift(); j; j = queue.shift()) await work(j);
    }),
  );
  errs.sort((a, b) => Math.abs(b.err) - Math.abs(a.err));
  const mape = errs.reduce((s, e) => s + Math.abs(e.err), 0) / errs.length;
  console.log(
    `UPX vs oracle: n=${errs.length} MAPE ${(mape * 100).toFixed(2)}% max ${(Math.abs(errs[0]!.err) * 100).toFixed(2)}% (${errs[0]!.name})`,
  );
  for (const e of errs)
    console.log(`  ${e.name}: predicted ${e.predicted}, upx ${e.real} (${(e.err * 100).toFixed(2)}%)`);
  assert.ok(errs.length >= 30, `only ${errs.length} rows`);
  assert.deepEqual(
    errs.filter((e) => Math.abs(e.err) > 0.05).map((e) => `${e.name} ${(e.err * 100).toFixed(1)}%`),
    [],
  );
});

test('gzip -6 of the packed output: predictUpxGzip within 2% of the oracle upx_best_lzma_gzip6 (outputs ≥ 15 kB)', () => {
  let n = 0;
  for (const { row, path } of usableRows()) {
    const packed = Number(row['upx_best_lzma_size'] || row['upx_best_lzma_chmodx_size']);
    const gz = Number(row['upx_best_lzma_gzip6'] || row['upx_best_lzma_chmodx_gzip6']);
    if (!packed || !gz) continue;
    const b = readFileSync(path);
    const r = parseElf(bytesSource(b));
    assert.ok(r.ok);
    // Libraries: the stored part, measured with node's deflate level 6.
    const plan = upxPackPlan(r.elf, b.length, scanForUpx(bytesSource(b), r.elf));
    let storedGz = 0;
    for (const x of plan.storedRanges) storedGz += deflateRawSync(b.subarray(x.start, x.end), { level: 6 }).length;
    const predicted = predictUpxGzip(packed, plan.storedBytes, storedGz);
    const err = Math.abs(predicted - gz) / gz;
    if (packed >= 15_000) assert.ok(err < 0.02, `${row['name']}: ${predicted} vs ${gz}`);
    else assert.ok(err < 0.25, `${row['name']}: ${predicted} vs ${gz}`);
    n++;
  }
  assert.ok(n >= 30);
});
