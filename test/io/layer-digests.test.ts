/**
 * Issue 10 item 7, by default: every layer's diff_id and every stored blob's digest is checked in the one pass,
 * on the worker threads (SLIMTUI_PARALLEL=force) and on the main thread (SLIMTUI_PARALLEL=off) alike. Fixtures:
 * a legacy docker-archive, a docker ≥ 25 archive (blobs/sha256 inside) and OCI layouts, each with one layer's
 * bytes altered after writing. The digests the messages must name are computed here with `sha256sum` (and
 * `tar -xO`, `gzip -dc`) on the files as written and as altered — never by the code under test.
 * Default: exit 0, a `slimtui: warning:` line on stderr and the `digest-mismatch` warning in the JSON, both
 * naming the layer and both digests. `--verify`: exit 2, that one line, nothing on stdout.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadImage } from '../../src/io/load-image.js';
import { workerLayerCount } from '../../src/io/parallel-layers.js';
import type { SourceKind } from '../../src/model/image.js';
import { dockerArchiveLegacy, dockerArchiveOciStyle, ociLayoutDir, type ImageSpec } from '../helpers/make-archive.js';
import { AMD64 } from '../helpers/load.js';
import { runCli } from '../helpers/cli.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'slimtui-layer-digests-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const MARK = 'ORIGINAL-PAYLOAD-7f3a';
const ALTERED = 'ALTERED!-PAYLOAD-7f3a';
/** Layer 0 a small file, layer 1 the marked one (its bytes are what gets altered). */
const spec = (compression: 'none' | 'gzip'): ImageSpec => ({
  layers: [
    [{ name: 'etc/keep', content: 'keep\n' }],
    [{ name: 'app/data', content: `${'x'.repeat(3000)}${MARK}${'y'.repeat(3000)}` }],
  ],
  compression,
});

/** sha256sum of a file, or of a command's output: the independent digest. */
const sha256sum = (file: string): string =>
  `sha256:${execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0]!}`;
const sha256Of = (cmd: string): string =>
  `sha256:${execFileSync('sh', ['-c', `${cmd} | sha256sum`], { encoding: 'utf8' }).split(' ')[0]!}`;

/** Replaces the marker in a file (same length: the tar still parses, only the bytes' digest changes). */
function alter(file: string): void {
  const b = readFileSync(file);
  const at = b.indexOf(MARK);
  assert.ok(at > 0 && b.indexOf(MARK, at + 1) < 0, 'the marker is in the file once');
  b.write(ALTERED, at, 'latin1');
  writeFileSync(file, b);
}

const diffMsg = (layer: number, got: string, want: string): string =>
  `digest mismatch: layer ${layer}'s uncompressed content hashes to ${got}, but the config's diff_id is ${want} (a corrupt or altered image)`;
const blobMsg = (layer: number, got: string, want: string): string =>
  `digest mismatch: layer ${layer}'s blob hashes to ${got}, but its digest is ${want} (a corrupt or altered image)`;

interface Case {
  readonly name: string;
  readonly kind: SourceKind;
  readonly location: string;
  /** The digest-mismatch messages expected, in order (the first is --verify's error). */
  readonly expected: readonly string[];
  /** The same image unaltered: no digest-mismatch warning (the check is not a constant). */
  readonly good: string;
}

/** A tar archive: layer 1's member as written and as altered, hashed with tar -xO | sha256sum. */
function archiveCase(name: string, bytes: Buffer, member: (listing: string[]) => string, blobNamed: boolean): Case {
  const good = join(dir, `${name}-good.tar`);
  const bad = join(dir, `${name}-bad.tar`);
  writeFileSync(good, bytes);
  writeFileSync(bad, bytes);
  const listing = execFileSync('tar', ['-tf', good], { encoding: 'utf8' }).trim().split('\n');
  const m = member(listing);
  const before = sha256Of(`tar -xOf '${good}' '${m}'`);
  alter(bad);
  const afterAlter = sha256Of(`tar -xOf '${bad}' '${m}'`);
  assert.notEqual(before, afterAlter);
  // The layer is an uncompressed tar: its blob digest and its diff_id are the same hash.
  if (blobNamed) assert.equal(`sha256:${m.split('/').pop()!}`, before, 'the blob is named by its digest');
  return {
    name,
    kind: 'docker-archive',
    location: bad,
    good,
    expected: [diffMsg(1, afterAlter, before), ...(blobNamed ? [blobMsg(1, afterAlter, before)] : [])],
  };
}

const cases: Case[] = [];
before(async () => {
  // Legacy docker save: <id>/layer.tar, manifest.json's Layers in order; no blob digest, only the diff_id.
  const legacy = await dockerArchiveLegacy(spec('none'));
  cases.push(
    archiveCase(
      'legacy',
      legacy,
      (l) => {
        const tarPath = join(dir, 'legacy-probe.tar');
        writeFileSync(tarPath, legacy);
        const manifest = JSON.parse(execFileSync('tar', ['-xOf', tarPath, 'manifest.json'], { encoding: 'utf8' })) as {
          Layers: string[];
        }[];
        const p = manifest[0]!.Layers[1]!;
        assert.ok(l.includes(p));
        return p;
      },
      false,
    ),
  );
  // Docker ≥ 25: layers are blobs/sha256/<hex> (uncompressed): the blob digest and the diff_id both mismatch.
  const modern = await dockerArchiveOciStyle(spec('none'));
  const modernProbe = join(dir, 'modern-probe.tar');
  writeFileSync(modernProbe, modern);
  const mm = JSON.parse(execFileSync('tar', ['-xOf', modernProbe, 'manifest.json'], { encoding: 'utf8' })) as {
    Layers: string[];
  }[];
  cases.push(archiveCase('modern', modern, () => mm[0]!.Layers[1]!, true));

  // OCI layouts: the layer file is hashed with sha256sum as written and as altered.
  const layer1 = (d: string): string => {
    const idx = JSON.parse(readFileSync(join(d, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const man = JSON.parse(readFileSync(join(d, 'blobs/sha256', idx.manifests[0]!.digest.slice(7)), 'utf8')) as {
      layers: { digest: string }[];
    };
    return join(d, 'blobs/sha256', man.layers[1]!.digest.slice(7));
  };
  // (a) uncompressed layer, a payload byte changed: blob digest and diff_id both mismatch.
  const plainGood = join(dir, 'oci-plain-good');
  const plainBad = join(dir, 'oci-plain-bad');
  await ociLayoutDir(plainGood, spec('none'));
  await ociLayoutDir(plainBad, spec('none'));
  const pFile = layer1(plainBad);
  const pWant = sha256sum(pFile);
  assert.equal(pWant, `sha256:${pFile.split('/').pop()!}`);
  alter(pFile);
  const pGot = sha256sum(pFile);
  cases.push({
    name: 'oci-plain',
    kind: 'oci-dir',
    location: plainBad,
    good: plainGood,
    expected: [diffMsg(1, pGot, pWant), blobMsg(1, pGot, pWant)],
  });
  // (b) gzip layer, its header's MTIME changed: the same tar inside (diff_id fine), another blob digest.
  const gzGood = join(dir, 'oci-gzip-good');
  const gzBad = join(dir, 'oci-gzip-bad');
  await ociLayoutDir(gzGood, spec('gzip'));
  await ociLayoutDir(gzBad, spec('gzip'));
  const gFile = layer1(gzBad);
  const gWant = sha256sum(gFile);
  const tarBefore = sha256Of(`gzip -dc '${gFile}'`);
  const g = readFileSync(gFile);
  assert.deepEqual([g[0], g[1]], [0x1f, 0x8b]);
  g[4] = g[4]! ^ 0x5a;
  writeFileSync(gFile, g);
  assert.equal(sha256Of(`gzip -dc '${gFile}'`), tarBefore, 'the tar inside is unchanged');
  cases.push({
    name: 'oci-gzip',
    kind: 'oci-dir',
    location: gzBad,
    good: gzGood,
    expected: [blobMsg(1, sha256sum(gFile), gWant)],
  });
});

const MODES = ['force', 'off'] as const;

async function withParallel<T>(mode: string, f: () => Promise<T>): Promise<T> {
  const old = process.env['SLIMTUI_PARALLEL'];
  process.env['SLIMTUI_PARALLEL'] = mode;
  try {
    return await f();
  } finally {
    if (old === undefined) delete process.env['SLIMTUI_PARALLEL'];
    else process.env['SLIMTUI_PARALLEL'] = old;
  }
}

test('by default each altered layer is a digest-mismatch warning naming layer and digests; workers and main thread agree', async () => {
  for (const c of cases)
    for (const mode of MODES) {
      const what = `${c.name}, SLIMTUI_PARALLEL=${mode}`;
      const n0 = workerLayerCount();
      const img = await withParallel(mode, () =>
        loadImage({ kind: c.kind, location: c.location }, { analysers: [], platform: AMD64, platformExplicit: false }),
      );
      const ran = workerLayerCount() - n0;
      // Proof of the path: force parses both layers on workers, off none.
      assert.equal(ran, mode === 'force' ? 2 : 0, what);
      const mism = img.warnings.filter((w) => w.code === 'digest-mismatch');
      assert.deepEqual(
        mism.map((w) => w.message),
        c.expected,
        what,
      );
      assert.deepEqual(
        mism.map((w) => w.layer),
        c.expected.map(() => 1),
        what,
      );
      // The same image unaltered: nothing to say (the digests computed agree with the names and the config).
      const good = await withParallel(mode, () =>
        loadImage({ kind: c.kind, location: c.good }, { analysers: [], platform: AMD64, platformExplicit: false }),
      );
      assert.deepEqual(
        good.warnings.filter((w) => w.code === 'digest-mismatch'),
        [],
        what,
      );
      // verify: 'error' stops at the first mismatch, with its message.
      await withParallel(mode, () =>
        assert.rejects(
          loadImage(
            { kind: c.kind, location: c.location },
            { analysers: [], platform: AMD64, platformExplicit: false, verify: 'error' },
          ),
          (e: Error) => e.message === c.expected[0],
        ),
      );
    }
});

test('the CLI: default exit 0 with a stderr line and the JSON warning; --verify exit 2 with one line (both paths)', async () => {
  for (const c of cases)
    for (const mode of MODES) {
      const what = `${c.name}, SLIMTUI_PARALLEL=${mode}`;
      const arg = c.kind === 'oci-dir' ? `oci:${c.location}` : c.location;
      const r = await runCli([arg, '--json'], { cwd: dir, env: { SLIMTUI_PARALLEL: mode } });
      assert.equal(r.code, 0, `${what}: ${r.stderr}`);
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('slimtui: warning: '));
      assert.deepEqual(
        lines,
        c.expected.map((m) => `slimtui: warning: ${m}`),
        what,
      );
      const json = JSON.parse(r.stdout) as { warnings: { code: string; message: string; layer?: number }[] };
      assert.deepEqual(
        json.warnings.filter((w) => w.code === 'digest-mismatch').map((w) => [w.layer, w.message]),
        c.expected.map((m) => [1, m]),
        what,
      );
      const v = await runCli([arg, '--json', '--verify'], { cwd: dir, env: { SLIMTUI_PARALLEL: mode } });
      assert.equal(v.code, 2, `${what}: ${v.stderr}`);
      assert.equal(v.stdout, '', what);
      assert.equal(v.stderr, `slimtui: ${c.expected[0]!}\n`, what);
      const ok = await runCli([c.kind === 'oci-dir' ? `oci:${c.good}` : c.good, '--json', '--verify'], {
        cwd: dir,
        env: { SLIMTUI_PARALLEL: mode },
      });
      assert.equal(ok.code, 0, `${what} (unaltered): ${ok.stderr}`);
      assert.doesNotMatch(ok.stderr, /digest mismatch/, what);
    }
});
