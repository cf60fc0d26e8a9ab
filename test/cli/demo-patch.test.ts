/**
 * The demo image with the Dockerfile its history records (written here from the history's `created_by`): the
 * patch's own claims, checked against what the demo is known to hold (demo/README.md): `/usr/local/bin/legacy-tool`
 * is a glibc binary in a musl-only image and will not start — the patch cannot fix it (demo-app needs musl), so it
 * must be the first thing left as advice, with its fix, and nothing may propose stripping it; the one
 * `apk add …-dev` is one toolchain cause; the apk cache fix is a real edit that GNU patch applies. With an explicit
 * `--upx all` the item that packs it says it will not start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadImage } from '../../src/io/load-image.js';
import { createSha256Analyser } from '../../src/io/sha256-analyser.js';
import { elfAnalyser } from '../../src/io/elf-analyser.js';
import { textAnalyser } from '../../src/io/text-analyser.js';
import { gzipEstimateTap } from '../../src/io/gzip-estimate-tap.js';
import { removalCostTap } from '../../src/io/removal-cost-tap.js';
import { analyze } from '../../src/model/analysis.js';
import { loadDockerfile } from '../../src/cli/plan-dockerfile.js';
import { planArgsOf } from '../../src/cli/plan-args.js';
import { preparePlan, projectPrepared } from '../../src/cli/plan-output.js';
import { modelPredictors } from '../../src/model/plan/model-predictors.js';
import { dockerfilePatch } from '../../src/model/dockerfile/patch.js';
import { fixList } from '../../src/model/plan/fix-list.js';
import { AMD64 } from '../helpers/load.js';

const DEMO = join(process.cwd(), 'demo', 'demo-image.tar');

/** The demo's history, as a Dockerfile (line numbers matter below). */
const DOCKERFILE = [
  'FROM alpine:3.19', // 1
  'ENV APP_ENV=production', // 2
  'RUN apk add --repository https://apk.example.invalid/slimtui musl-dev slimdemo-dev \\', // 3
  '    && adduser -D -H -h /app -s /sbin/nologin -u 1000 app', // 4
  'COPY build/rootfs/ /', // 5
  'RUN rm /app/data/big.bin \\', // 6
  '    && rm -rf /usr/include \\',
  '    && chmod +x /app/entrypoint.sh \\',
  "    && sed -i -e 's/^debug: true/debug: false/' -e 's/^log_level: debug/log_level: warning/' /app/config.yaml \\",
  '    && rm -rf /app/plugins && mkdir /app/plugins && echo metrics > /app/plugins/enabled.txt',
  'RUN mkdir -p /app/static/img /app/run \\',
  '    && wget -qO- https://assets.example.invalid/demo-static.tar | tar -x -C /app/static \\',
  '    && cp /app/static/logo.png /app/static/img/logo-copy.png \\',
  '    && ln /app/static/index.html /app/static/legacy.html \\',
  '    && ln -s /app/entrypoint.sh /usr/local/bin/docker-entrypoint',
  'WORKDIR /app',
  'USER app',
  'EXPOSE 8080',
  'ENTRYPOINT ["/app/entrypoint.sh"]',
  'CMD ["demo-app", "--serve"]',
  '',
].join('\n');

/** The demo with its Dockerfile, planned with `flags` (none: the recommended plan). */
async function demo(dir: string, flags: Record<string, unknown> = {}) {
  writeFileSync(join(dir, 'Dockerfile'), DOCKERFILE);
  const image = await loadImage(
    { kind: 'docker-archive', location: DEMO },
    {
      analysers: [createSha256Analyser(), elfAnalyser, textAnalyser],
      taps: [gzipEstimateTap(), removalCostTap()],
      platform: AMD64,
      platformExplicit: false,
    },
  );
  const df = loadDockerfile(image, join(dir, 'Dockerfile'), dir, () => undefined);
  assert.ok(df?.mapping.matched, df?.mapping.notes.join('; '));
  const analysis = analyze(df.image);
  const run = projectPrepared(analysis, preparePlan(analysis, planArgsOf(flags)), modelPredictors(analysis.image));
  const list = fixList(analysis, run.projection);
  return { list, patch: dockerfilePatch(analysis, df.parsed, df.mapping, list) };
}

test('the demo: the error first in the advice with its fix, never stripped, one toolchain cause, a patch that applies', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slimtui-demo-patch-'));
  try {
    const { patch: p } = await demo(dir);

    // The error: first, where it comes from (COPY build/rootfs/ /, line 5), why, and the fix.
    assert.match(
      p.advice[0] ?? '',
      /^✗ will not start: `\/usr\/local\/bin\/legacy-tool` \(line 5 COPY\) — glibc binary/,
    );
    assert.match(p.advice[0]!, /ld-linux-x86-64\.so\.2.*Fix: .*musl/);
    assert.equal(p.advice.filter((a) => a.startsWith('✗')).length, 1);
    // Never a strip (or UPX) step for it, in the advice or the diff.
    for (const a of [...p.advice.slice(1), p.diff]) assert.ok(!(a.includes('legacy-tool') && /strip|upx/i.test(a)), a);
    // One install, one cause: the headers, .o and .a files of `apk add …-dev` are one toolchain item.
    assert.equal(p.advice.filter((a) => /installs a build toolchain/.test(a)).length, 1, p.advice.join('\n'));
    // The plugins directory replaced wholesale is "hidden", not "written again".
    const plugins = p.advice.find((a) => a.includes('/app/plugins/metrics.lua'));
    assert.match(plugins ?? '', /hidden by layer 3/);
    assert.doesNotMatch(plugins!, /written again/);
    // The apk cache fix, in the RUN that made it; GNU patch applies the diff and gets the same file.
    assert.match(
      p.diff,
      /^\+RUN apk add --no-cache --repository https:\/\/apk\.example\.invalid\/slimtui musl-dev slimdemo-dev \\$/m,
    );
    writeFileSync(join(dir, 'x.patch'), p.diff);
    const r = spawnSync('patch', ['-p1', '-i', 'x.patch'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.equal(readFileSync(join(dir, 'Dockerfile'), 'utf8'), p.patched);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an explicit --upx all / --strip all: the item for legacy-tool says it will not start instead of recommending it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slimtui-demo-patch-'));
  try {
    const { list, patch } = await demo(dir, { upx: ['all'], strip: ['all'] });
    const items = list.groups.flatMap((g) => g.items);
    const packs = items.filter((i) => i.kind === 'upx' && i.paths.includes('/usr/local/bin/legacy-tool'));
    assert.equal(packs.length, 1, items.map((i) => i.text).join('\n'));
    assert.match(
      packs[0]!.text,
      /— but `\/usr\/local\/bin\/legacy-tool` will not start \(the error above\): fix that first/,
    );
    // demo-app starts: its item carries no such note.
    const app = items.find((i) => i.kind === 'upx' && i.paths.includes('/usr/local/bin/demo-app'));
    assert.ok(app && !/will not start/.test(app.text), app?.text);
    // Strip-all leaves it out altogether (the error comes first).
    assert.ok(!items.some((i) => i.kind === 'strip' && i.paths.includes('/usr/local/bin/legacy-tool')));
    // The patch: the error leads the advice, and no UPX step for it (demo-app's stays).
    assert.match(patch.advice[0] ?? '', /^✗ will not start: `\/usr\/local\/bin\/legacy-tool`/);
    assert.deepEqual(
      patch.advice.filter((a) => a.includes('legacy-tool') && /upx/i.test(a)),
      [],
    );
    assert.ok(
      patch.advice.some((a) => a.includes('demo-app') && /upx --best --lzma/.test(a)),
      patch.advice.join('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
