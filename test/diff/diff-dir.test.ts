// `slimtui diff dir:A dir:B`: two folders (one-layer images without diff_ids), made here, so every expected value is
// known by construction (contents and modes written here), digests checked with sha256sum.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'slimtui-diffdir-'));
  for (const side of ['a', 'b']) await mkdir(join(work, side, 'etc'), { recursive: true });
  await writeFile(join(work, 'a', 'etc', 'same.conf'), 'same\n');
  await writeFile(join(work, 'b', 'etc', 'same.conf'), 'same\n');
  await writeFile(join(work, 'a', 'etc', 'edited.conf'), 'one\n');
  await writeFile(join(work, 'b', 'etc', 'edited.conf'), 'two\n'); // same size, other bytes
  await writeFile(join(work, 'a', 'old.txt'), 'x'.repeat(1000));
  await writeFile(join(work, 'b', 'run.sh'), '#!/bin/sh\n');
  await chmod(join(work, 'b', 'run.sh'), 0o755);
  await writeFile(join(work, 'a', 'mode.sh'), 'echo\n');
  await writeFile(join(work, 'b', 'mode.sh'), 'echo\n');
  await chmod(join(work, 'a', 'mode.sh'), 0o644);
  await chmod(join(work, 'b', 'mode.sh'), 0o755);
});
after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const sha = (p: string): string => execFileSync('sha256sum', [p], { encoding: 'utf8' }).split(' ')[0]!;

test('dir: against dir: — added, removed, content (same size, by sha256) and mode changes; no shared layers', async () => {
  const r = await runCli(['diff', `dir:${join(work, 'a')}`, `dir:${join(work, 'b')}`, '--json'], { cwd: work });
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as {
    summary: { sharedBaseLayers: number };
    layers: { status: string }[];
    paths: {
      path: string;
      change: string;
      attrs: string[];
      deltaBytes: number;
      before: { sha256: string | null } | null;
      after: { sha256: string | null; mode: number } | null;
    }[];
  };
  assert.equal(j.summary.sharedBaseLayers, 0);
  assert.deepEqual(j.layers.map((l) => l.status).sort(), ['only-a', 'only-b']);
  const by = Object.fromEntries(j.paths.map((p) => [p.path, p]));
  assert.deepEqual(Object.keys(by).sort(), ['/etc/edited.conf', '/mode.sh', '/old.txt', '/run.sh']);
  assert.equal(by['/old.txt']!.change, 'removed');
  assert.equal(by['/old.txt']!.deltaBytes, -1000);
  assert.equal(by['/run.sh']!.change, 'added');
  assert.equal(by['/run.sh']!.after!.mode, 0o755);
  assert.deepEqual(by['/etc/edited.conf']!.attrs, ['content']);
  assert.equal(by['/etc/edited.conf']!.before!.sha256, sha(join(work, 'a', 'etc', 'edited.conf')));
  assert.equal(by['/etc/edited.conf']!.after!.sha256, sha(join(work, 'b', 'etc', 'edited.conf')));
  assert.deepEqual(by['/mode.sh']!.attrs, ['mode']);
});

test('--no-digests: a same-size rewrite is not seen, and the summary says digests are missing', async () => {
  const r = await runCli(['diff', `dir:${join(work, 'a')}`, `dir:${join(work, 'b')}`, '--summary', '--no-digests'], {
    cwd: work,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /edited\.conf/);
  assert.match(r.stdout, /Content digests were not computed/);
  assert.match(r.stdout, /\*\*Paths:\*\* 1 added, 1 removed, 1 changed\./);
});
