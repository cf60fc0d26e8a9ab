// `--json` and `--ci` of the real CLI on a hand-made image whose numbers are worked out by hand
// (image A of test/model/waste-fixtures.test.ts). Every run has a fresh temp dir as its cwd.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dir, dockerArchiveLegacy, file, whiteout } from '../helpers/make-archive.js';
import { runCli } from '../helpers/cli.js';

// layer 0: etc/conf(100) etc/keep(10) data/big(1000) cache/a(200) cache/b(300) bin/tool(50)      size 1660
// layer 1: etc/conf(120) data/.wh.big .wh.cache bin/tool(50, chmod)                               size  170
// dive: wasted = (100+120) + (1000+0) + (50+50) = 1320 ; user size 170 ; wasted/user = 1320/170 = 7.76
//       efficiency = (100+10+0+200+300+500+50) / (220+10+1000+200+300+500+100) = 1160/2330 = 0.4979
// reclaimable = 100 + 1000 + 200 + 300 + 50 = 1650 (all in layer 0)
let work: string;
let image: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'slimtui-cli-json-'));
  image = join(work, 'image-a.tar');
  await writeFile(
    image,
    await dockerArchiveLegacy({
      layers: [
        [
          dir('etc/'),
          file('etc/conf', 100),
          file('etc/keep', 10),
          dir('data/'),
          file('data/big', 1000),
          dir('cache/'),
          file('cache/a', 200),
          file('cache/b', 300),
          dir('bin/'),
          file('bin/tool', 50, 0o644),
        ],
        [
          dir('etc/'),
          file('etc/conf', 120),
          dir('data/'),
          whiteout('data/big'),
          whiteout('cache'),
          dir('bin/'),
          file('bin/tool', 50, 0o755),
        ],
      ],
      history: [
        { created_by: '/bin/sh -c #(nop) ADD file:x in / ' },
        { created_by: '/bin/sh -c #(nop)  ENV A=1', empty_layer: true },
        { created_by: '/bin/sh -c rm -rf /cache' },
      ],
      repoTag: 'fixture/a:1',
    }),
  );
});
after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const freshCwd = (): Promise<string> => mkdtemp(join(work, 'cwd-'));

interface Report {
  schemaVersion: number;
  image: { repoTags: string[]; layerCount: number; sizeBytes: number; source: string };
  layers: { index: number; sizeBytes: number; command: string | null; reclaimableBytes: number }[];
  metrics: {
    imageSizeBytes: number;
    userSizeBytes: number;
    reclaimableBytes: number;
    dive: { efficiency: number; wastedBytes: number; wastedUserPercent: number };
  };
  inefficientPaths: { path: string; occurrences: number; bytes: number }[];
}

function checkReport(j: Report): void {
  assert.equal(j.schemaVersion, 1);
  assert.deepEqual(j.image.repoTags, ['fixture/a:1']);
  assert.equal(j.image.source, 'docker-archive');
  assert.equal(j.image.layerCount, 2);
  assert.equal(j.image.sizeBytes, 1830);
  assert.deepEqual(
    j.layers.map((l) => l.sizeBytes),
    [1660, 170],
  );
  assert.deepEqual(
    j.layers.map((l) => l.command),
    ['/bin/sh -c #(nop) ADD file:x in / ', '/bin/sh -c rm -rf /cache'],
  );
  assert.deepEqual(
    j.layers.map((l) => l.reclaimableBytes),
    [1650, 0],
  );
  assert.equal(j.metrics.imageSizeBytes, 1830);
  assert.equal(j.metrics.userSizeBytes, 170);
  assert.equal(j.metrics.reclaimableBytes, 1650);
  assert.equal(j.metrics.dive.wastedBytes, 1320);
  assert.equal(j.metrics.dive.efficiency, 1160 / 2330);
  assert.equal(j.metrics.dive.wastedUserPercent, 1320 / 170);
  assert.deepEqual(
    j.inefficientPaths.map((p) => [p.path, p.occurrences, p.bytes]),
    [
      ['/data/big', 2, 1000],
      ['/etc/conf', 2, 220],
      ['/bin/tool', 2, 100],
    ],
  );
}

test('--json: schemaVersion 1, stdout is pure JSON, the numbers are the hand-computed ones', async () => {
  const cwd = await freshCwd();
  const r = await runCli([image, '--json'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.ok(r.stdout.trimStart().startsWith('{'));
  checkReport(JSON.parse(r.stdout) as Report);
  assert.deepEqual(await readdir(cwd), []);
});

test('--json out.json writes the file and nothing to stdout; --json=FILE too', async () => {
  const cwd = await freshCwd();
  const r = await runCli([image, '--json', 'out.json'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  checkReport(JSON.parse(await readFile(join(cwd, 'out.json'), 'utf8')) as Report);
  const r2 = await runCli([`--json=${join(cwd, 'second.json')}`, image], { cwd });
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal(r2.stdout, '');
  checkReport(JSON.parse(await readFile(join(cwd, 'second.json'), 'utf8')) as Report);
});

test('--json with CI=true still prints JSON (an explicit mode wins)', async () => {
  const r = await runCli([image, '--json'], { cwd: await freshCwd(), env: { CI: 'true' } });
  assert.equal(r.code, 0, r.stderr);
  checkReport(JSON.parse(r.stdout) as Report);
});

const lines = (s: string): string[] => s.split('\n');
const ruleLine = (out: string, rule: string): string => lines(out).find((l) => l.includes(rule)) ?? '';

test('--ci with flags: pass -> exit 0, fail -> exit 1, each rule PASS/FAIL with its measured value', async () => {
  const cwd = await freshCwd();
  const pass = await runCli(
    [image, '--ci', '--lowestEfficiency', '0.4', '--highestWastedBytes', '2KB', '--highestReclaimableBytes', '1650'],
    { cwd },
  );
  assert.equal(pass.code, 0, pass.stdout + pass.stderr);
  assert.match(ruleLine(pass.stdout, 'lowestEfficiency'), /PASS/);
  assert.match(ruleLine(pass.stdout, 'highestWastedBytes'), /PASS.*1320/); // 1320 <= 2000
  assert.match(ruleLine(pass.stdout, 'highestReclaimableBytes'), /PASS.*1650/); // 1650 <= 1650
  const fail = await runCli([image, '--ci', '--lowestEfficiency', '0.6', '--highestWastedBytes', '1KB'], { cwd });
  assert.equal(fail.code, 1, fail.stdout + fail.stderr);
  assert.match(ruleLine(fail.stdout, 'lowestEfficiency'), /FAIL.*0\.4979/); // 0.4979 < 0.6
  assert.match(ruleLine(fail.stdout, 'highestWastedBytes'), /FAIL.*1320/); // 1320 > 1000
  assert.deepEqual(await readdir(cwd), []);
});

test('--ci reads .slimtui-ci.yaml from the cwd', async () => {
  const cwd = await freshCwd();
  await writeFile(join(cwd, '.slimtui-ci.yaml'), 'rules:\n  lowestEfficiency: 0.4\n  highestReclaimableBytes: 2000\n');
  const pass = await runCli([image, '--ci'], { cwd });
  assert.equal(pass.code, 0, pass.stdout + pass.stderr);
  assert.match(pass.stdout, /\.slimtui-ci\.yaml/);
  await writeFile(join(cwd, '.slimtui-ci.yaml'), 'rules:\n  lowestEfficiency: 0.4\n  highestReclaimableBytes: 1kB\n');
  const fail = await runCli([image, '--ci'], { cwd });
  assert.equal(fail.code, 1, fail.stdout + fail.stderr);
  assert.match(ruleLine(fail.stdout, 'highestReclaimableBytes'), /FAIL.*1650/);
});

test("--ci reads dive's .dive-ci (units like 20MB, `disabled`)", async () => {
  const cwd = await freshCwd();
  await writeFile(
    join(cwd, '.dive-ci'),
    'rules:\n  lowestEfficiency: 0.4\n  highestWastedBytes: 20MB\n  highestUserWastedPercent: disabled\n',
  );
  const pass = await runCli([image, '--ci'], { cwd });
  assert.equal(pass.code, 0, pass.stdout + pass.stderr);
  assert.match(pass.stdout, /\.dive-ci/);
  assert.match(ruleLine(pass.stdout, 'highestWastedBytes'), /PASS.*20000000/); // 20MB = 20 * 10^6 (go-humanize)
  assert.equal(ruleLine(pass.stdout, 'highestUserWastedPercent'), ''); // disabled: not checked
  await writeFile(
    join(cwd, '.dive-ci'),
    'rules:\n  lowestEfficiency: 0.4\n  highestWastedBytes: 1KB\n  highestUserWastedPercent: 0.5\n',
  );
  const fail = await runCli([image, '--ci'], { cwd });
  assert.equal(fail.code, 1, fail.stdout + fail.stderr);
  assert.match(ruleLine(fail.stdout, 'highestWastedBytes'), /FAIL/); // 1320 > 1000
  assert.match(ruleLine(fail.stdout, 'highestUserWastedPercent'), /FAIL.*7\.76/); // 7.7647 > 0.5
});

test('CI=true selects CI mode', async () => {
  const cwd = await freshCwd();
  // no rules file: dive's defaults (lowestEfficiency 0.9, highestUserWastedPercent 0.1) -> both fail here
  const dflt = await runCli([image], { cwd, env: { CI: 'true' } });
  assert.equal(dflt.code, 1, dflt.stdout + dflt.stderr);
  assert.match(dflt.stdout, /Result: FAIL/);
  await writeFile(join(cwd, '.dive-ci'), 'rules:\n  lowestEfficiency: 0.4\n  highestUserWastedPercent: disabled\n');
  const pass = await runCli([image], { cwd, env: { CI: 'true' } });
  assert.equal(pass.code, 0, pass.stdout + pass.stderr);
  assert.match(pass.stdout, /Result: PASS/);
});

test('bad rules are usage errors (exit 2, one line)', async () => {
  const cwd = await freshCwd();
  await writeFile(join(cwd, '.dive-ci'), 'rules:\n  highestWastedBytes: lots\n');
  const r = await runCli([image, '--ci'], { cwd });
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.equal(r.stdout, '');
});
