// `.dive-ci` read exactly as dive reads it: for each rules file below, slimtui's `--ci` exit code equals real
// dive's (v0.13.1, /work/shared/tools/dive) on the same small archives built here. dive says "CI Misconfigured"
// (or "ci configuration error") and exits 1 for a bad rules file; slimtui calls that bad input: exit 2, one line.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dir, dockerArchiveLegacy, file, whiteout } from '../helpers/make-archive.js';
import { runCli } from '../helpers/cli.js';
import { sharedPath } from '../helpers/shared.js';

const DIVE = sharedPath('tools', 'dive', 'dive');

// Image A (test/cli/cli-json-ci.test.ts): efficiency 1160/2330 = 0.4979, wasted 1320 bytes, user 170 → 7.76.
// Image Z: one layer then a layer that only deletes: user size 0 and 100 bytes wasted → dive's ratio is +Inf.
// Image O: one layer: user size 0, nothing wasted → dive's ratio is NaN (0/0), which never fails.
let work: string;
const images: Record<string, string> = {};
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'slimtui-dive-ci-'));
  const write = async (name: string, bytes: Buffer): Promise<void> => {
    images[name] = join(work, `${name}.tar`);
    await writeFile(images[name], bytes);
  };
  await write(
    'A',
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
    }),
  );
  await write(
    'Z',
    await dockerArchiveLegacy({
      layers: [
        [dir('d/'), file('d/a', 100)],
        [dir('d/'), whiteout('d/a')],
      ],
    }),
  );
  await write('O', await dockerArchiveLegacy({ layers: [[dir('d/'), file('d/a', 100)]] }));
});
after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** Rules files: disabled rules, units and their case, bad values, rules left out, plugins, unknown keys, case of keys. */
const FILES: Record<string, string> = {
  'empty (all defaults)': '',
  'rules: (null: defaults)': 'rules:\n',
  'only lowestEfficiency (the others take defaults)': 'rules:\n  lowestEfficiency: 0.4\n',
  'all disabled':
    'rules:\n  lowestEfficiency: disabled\n  highestWastedBytes: disabled\n  highestUserWastedPercent: disabled\n',
  'a rule left empty takes its default': 'rules:\n  lowestEfficiency:\n  highestUserWastedPercent: disabled\n',
  'plugins and unknown keys are ignored':
    'plugins:\n  - name: something\n    with: [1, 2]\nrules:\n  lowestEfficiency: 0.4\n  highestUserWastedPercent: disabled\n  notARule: 12\nextra: true\n',
  'keys in any case': 'Rules:\n  LowestEfficiency: 0.4\n  HIGHESTUSERWASTEDPERCENT: disabled\n',
  'size 1.3kB (1300 < 1320)':
    'rules:\n  lowestEfficiency: disabled\n  highestUserWastedPercent: disabled\n  highestWastedBytes: 1.3kB\n',
  'size 1.3 KiB (1331 > 1320)':
    'rules:\n  lowestEfficiency: disabled\n  highestUserWastedPercent: disabled\n  highestWastedBytes: 1.3 KiB\n',
  'size 1,320 (commas)':
    'rules:\n  lowestEfficiency: disabled\n  highestUserWastedPercent: disabled\n  highestWastedBytes: "1,320"\n',
  'size 1319 (a bare YAML number)':
    'rules:\n  lowestEfficiency: disabled\n  highestUserWastedPercent: disabled\n  highestWastedBytes: 1319\n',
  'size 2K, upper-case unit':
    'rules:\n  lowestEfficiency: disabled\n  highestUserWastedPercent: disabled\n  highestWastedBytes: 2K\n',
  'size -5 (bad)': 'rules:\n  lowestEfficiency: disabled\n  highestWastedBytes: -5\n',
  'size 20 MBs (bad unit)': 'rules:\n  highestWastedBytes: 20 MBs\n',
  'ratio above 1 (bad)': 'rules:\n  lowestEfficiency: 1.5\n',
  'ratio 10% (bad)': 'rules:\n  highestUserWastedPercent: 10%\n',
  'Disabled with a capital (bad: only `disabled`)': 'rules:\n  lowestEfficiency: Disabled\n',
  'ratio 1e-1 and exactly 1': 'rules:\n  lowestEfficiency: 1e-1\n  highestUserWastedPercent: 1\n',
  'ratio .nan never fails': 'rules:\n  lowestEfficiency: .nan\n  highestUserWastedPercent: .nan\n',
  'rules: 5 (bad)': 'rules: 5\n',
  'not YAML': 'rules: [\n',
};

function dive(image: string, config: string, cwd: string): { code: number; misconfigured: boolean; out: string } {
  const r = spawnSync(DIVE, ['--ci', '--source', 'docker-archive', image, ...(config ? ['--ci-config', config] : [])], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: '' },
    timeout: 60_000,
  });
  const out = `${r.stdout}${r.stderr}`;
  return { code: r.status ?? -1, misconfigured: /CI Misconfigured|ci configuration error/.test(out), out };
}

/** slimtui's exit code for dive's outcome: pass 0, fail 1, misconfigured 2. */
const expected = (d: ReturnType<typeof dive>): number => (d.code === 0 ? 0 : d.misconfigured ? 2 : d.code);

test('real dive is present (a missing tool is a failure)', () => {
  assert.ok(existsSync(DIVE), `${DIVE} is missing`);
  assert.match(spawnSync(DIVE, ['--version'], { encoding: 'utf8' }).stdout, /dive v?0\.13\.1/);
});

test(`slimtui --ci exits as real dive does on ${Object.keys(FILES).length} rules files × image A`, async () => {
  const outcomes = new Set<number>();
  for (const [name, text] of Object.entries(FILES)) {
    const cwd = await mkdtemp(join(work, 'cwd-'));
    const cfg = join(cwd, 'rules.yaml');
    await writeFile(cfg, text);
    const d = dive(images['A']!, cfg, cwd);
    const s = await runCli([images['A']!, '--ci', '--ci-config', cfg], { cwd });
    assert.equal(
      s.code,
      expected(d),
      `${name}: dive exited ${d.code}${d.misconfigured ? ' (misconfigured)' : ''}, slimtui ${s.code}\n--- dive\n${d.out}\n--- slimtui\n${s.stdout}${s.stderr}`,
    );
    if (s.code === 2) assert.equal(s.stderr.trim().split('\n').length, 1, s.stderr);
    outcomes.add(s.code!);
  }
  // The set exercises every outcome: pass, fail and misconfigured.
  assert.deepEqual([...outcomes].sort(), [0, 1, 2]);
});

test('no user bytes: +Inf fails, NaN passes highestUserWastedPercent, as in dive; .dive-ci found in the cwd', async () => {
  for (const img of ['Z', 'O']) {
    for (const text of [
      '',
      'rules:\n  lowestEfficiency: disabled\n',
      'rules:\n  lowestEfficiency: disabled\n  highestUserWastedPercent: 1\n',
    ]) {
      const cwd = await mkdtemp(join(work, 'cwd-'));
      if (text) await writeFile(join(cwd, '.dive-ci'), text);
      const d = dive(images[img]!, '', cwd);
      const s = await runCli([images[img]!, '--ci'], { cwd });
      assert.equal(
        s.code,
        expected(d),
        `${img} ${JSON.stringify(text)}: dive ${d.code}, slimtui ${s.code}\n${d.out}\n${s.stdout}${s.stderr}`,
      );
    }
  }
  // By hand: Z wastes 100 bytes with no user bytes (+Inf > 1: fail); O wastes nothing (NaN: pass).
  const cwd = await mkdtemp(join(work, 'cwd-'));
  await writeFile(join(cwd, '.dive-ci'), 'rules:\n  lowestEfficiency: disabled\n  highestUserWastedPercent: 1\n');
  assert.equal((await runCli([images['Z']!, '--ci'], { cwd })).code, 1);
  assert.equal((await runCli([images['O']!, '--ci'], { cwd })).code, 0);
});
