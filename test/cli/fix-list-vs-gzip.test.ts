/**
 * The fix list on the demo image, item by item, against the real tools: each item's compressed saving against
 * GNU `gzip -6 -n` of its layer rewritten without the item's entries (tar-stream, entries dropped whole) — or,
 * for a strip item, with the binary replaced by binutils' `strip --strip-all` output. Within 5 % for every item
 * of ≥ 4 kB on disk; a smaller item never claims more compressed than on disk. Plus the five defects of issue 13.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract, pack, type Header } from 'tar-stream';
import { loadImage } from '../../src/io/load-image.js';
import { createSha256Analyser } from '../../src/io/sha256-analyser.js';
import { elfAnalyser } from '../../src/io/elf-analyser.js';
import { textAnalyser } from '../../src/io/text-analyser.js';
import { gzipEstimateTap } from '../../src/io/gzip-estimate-tap.js';
import { removalCostTap } from '../../src/io/removal-cost-tap.js';
import { analyze, type Analysis } from '../../src/model/analysis.js';
import { fixList, type FixList } from '../../src/model/plan/fix-list.js';
import { projectPrepared, preparePlan } from '../../src/cli/plan-output.js';
import { planArgsOf } from '../../src/cli/plan-args.js';
import { modelPredictors } from '../../src/model/plan/model-predictors.js';
import { renderFixListMarkdown } from '../../src/model/plan/render-fix-list.js';
import { AMD64 } from '../helpers/load.js';

const DEMO = join(process.cwd(), 'demo', 'demo-image.tar');
let dir = '';
let analysis: Analysis;
let list: FixList;
let layerTars: Buffer[] = [];

/** The members of a tar archive, in order. */
async function members(tar: Buffer): Promise<{ header: Header; body: Buffer }[]> {
  const out: { header: Header; body: Buffer }[] = [];
  const x = extract();
  x.on('entry', (header, stream, next) => {
    const parts: Buffer[] = [];
    stream.on('data', (c: unknown) => parts.push(c as Buffer));
    stream.on('end', () => {
      out.push({ header, body: Buffer.concat(parts) });
      next();
    });
  });
  const done = new Promise<void>((res, rej) => {
    x.on('finish', res);
    x.on('error', rej);
  });
  x.end(tar);
  await done;
  return out;
}

async function repack(ms: readonly { header: Header; body: Buffer }[]): Promise<Buffer> {
  const p = pack();
  const parts: Buffer[] = [];
  p.on('data', (c: unknown) => parts.push(c as Buffer));
  const done = new Promise<void>((res) => p.on('end', res));
  for (const m of ms) {
    const h = { ...m.header, size: m.body.length };
    await new Promise<void>((res, rej) => p.entry(h, m.body, (e) => (e ? rej(e) : res())));
  }
  p.finalize();
  await done;
  return Buffer.concat(parts);
}

const gzip6 = (b: Buffer): number => {
  const r = spawnSync('gzip', ['-6', '-n', '-c'], { input: b, maxBuffer: 1 << 30 });
  assert.equal(r.status, 0, 'gzip -6 failed');
  return r.stdout.length;
};
const norm = (p: string): string => p.replace(/^\.?\/+/, '').replace(/\/$/, '');

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'slimtui-fixgz-'));
  const image = await loadImage(
    { kind: 'docker-archive', location: DEMO },
    {
      analysers: [createSha256Analyser(), elfAnalyser, textAnalyser],
      taps: [gzipEstimateTap(), removalCostTap()],
      platform: AMD64,
      platformExplicit: false,
    },
  );
  analysis = analyze(image);
  const prepared = preparePlan(analysis, planArgsOf({}));
  list = fixList(analysis, projectPrepared(analysis, prepared, modelPredictors(analysis.image)).projection);
  // The layer tars, by the manifest (the outer archive is a docker save).
  const outer = await members(readFileSync(DEMO));
  const manifest = JSON.parse(outer.find((m) => m.header.name === 'manifest.json')!.body.toString()) as {
    Layers: string[];
  }[];
  layerTars = manifest[0]!.Layers.map((l) => outer.find((m) => m.header.name === l)!.body);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test(
  'every item ≥ 4 kB within 5 % of real gzip -6 of the rewritten layer; tiny items never claim more than on disk',
  { timeout: 120_000 },
  async () => {
    const rows: string[] = [];
    let checked = 0;
    for (const g of list.groups) {
      for (const item of g.items) {
        if (item.bytes < 4096) {
          assert.ok(
            item.compressed <= item.bytes,
            `${item.text}: ${item.compressed} compressed > ${item.bytes} on disk`,
          );
          continue;
        }
        const tar = layerTars[item.layer]!;
        const ms = await members(tar);
        let rewritten: Buffer;
        if (item.kind === 'strip') {
          const targets = new Set(item.paths.map(norm));
          rewritten = await repack(
            ms.map((m) => {
              if (!targets.has(norm(m.header.name))) return m;
              const f = join(dir, 'bin.in');
              writeFileSync(f, m.body);
              assert.equal(spawnSync('strip', ['--strip-all', '-o', join(dir, 'bin.out'), f]).status, 0);
              return { header: m.header, body: readFileSync(join(dir, 'bin.out')) };
            }),
          );
        } else if (item.kind === 'upx' || item.kind === 'duplicates') continue;
        else {
          const drop = new Set(item.entryPaths.map(norm));
          const kept = ms.filter((m) => !drop.has(norm(m.header.name)));
          assert.equal(
            ms.length - kept.length,
            new Set(item.entryPaths.map(norm)).size,
            `${item.text}: entries not found in layer ${item.layer}`,
          );
          rewritten = await repack(kept);
        }
        const real = gzip6(await repack(ms)) - gzip6(rewritten);
        const err = (item.compressed - real) / real;
        rows.push(
          `layer ${item.layer} ${item.kind} ${item.bytes} B: slimtui ${item.compressed}, gzip -6 ${real} (${(err * 100).toFixed(1)} %)`,
        );
        assert.ok(Math.abs(err) <= 0.05, `${item.text}: slimtui says ${item.compressed}, real gzip -6 saving ${real}`);
        checked++;
      }
    }
    console.log(rows.join('\n'));
    assert.ok(checked >= 4, `only ${checked} items ≥ 4 kB`);
  },
);

test('the five defects of issue 13 are gone on the demo image', () => {
  const items = list.groups.flatMap((g) => g.items);
  const md = renderFixListMarkdown(list);
  // (a) hidden ≠ overwritten: layer 3 hides /app/plugins with an opaque directory.
  const hidden = items.find((i) => i.classId === 'hidden');
  assert.ok(hidden, 'a hidden item');
  assert.match(hidden.text, /hidden by layer 3/);
  assert.doesNotMatch(hidden.text, /written again/);
  // (c) headers, .o and .a from one `apk add …-dev`: one item.
  const layer1 = items.filter(
    (i) =>
      i.layer === 1 &&
      ['headers', 'object-files', 'static-archives'].some((c) => i.classId === c || i.classIds?.includes(c as never)),
  );
  assert.equal(layer1.length, 1, layer1.map((i) => i.text).join('\n'));
  assert.deepEqual([...layer1[0]!.classIds!].sort(), ['headers', 'object-files', 'static-archives']);
  assert.match(layer1[0]!.text, /apk add .*musl-dev slimdemo-dev/);
  // (d) the one ERROR first, with its fix; the binary that will not start is neither stripped nor packed.
  assert.equal(list.errors.length, 1);
  assert.equal(list.errors[0]!.path, '/usr/local/bin/legacy-tool');
  assert.ok(md.indexOf('Will not start') < md.indexOf('## Layer'), 'errors come before the layers');
  assert.ok(
    items
      .filter((i) => i.kind === 'strip' || i.kind === 'upx')
      .every((i) => !i.paths.includes('/usr/local/bin/legacy-tool')),
  );
  // (b) no tiny item claims more compressed than on disk (the 944 B item said 2.5 kB).
  for (const i of items) if (i.bytes < 4096) assert.ok(i.compressed <= i.bytes, i.text);
});
