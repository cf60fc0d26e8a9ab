// The Dockerfile model: parsing (by hand-checked expectations), layer mapping on classic and BuildKit
// histories, the demo image with the Dockerfile its history records, and the unified diff applied by GNU patch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDockerfile, runCommand, stageChain } from '../../../src/model/dockerfile/parse.js';
import { mapLayers, parseCreatedBy } from '../../../src/model/dockerfile/map-layers.js';
import { unifiedDiff, applyEdits } from '../../../src/model/dockerfile/unified-diff.js';
import { withDockerfile, layerInstruction } from '../../../src/model/dockerfile/attach.js';
import { handImage } from '../plan/hand-image.js';

const DF = [
  '# syntax=docker/dockerfile:1', //          1
  'ARG BASE=alpine:3.19', //                  2
  'FROM ${BASE} AS build', //                 3
  'RUN apk add --no-cache gcc \\', //         4
  '    musl-dev && \\', //                    5
  '    echo done', //                         6
  'COPY --chmod=755 <<EOF2 /usr/local/bin/hi', // 7
  '#!/bin/sh', //                             8
  'echo hi', //                               9
  'EOF2', //                                  10
  'RUN <<EOT', //                             11
  'set -e', //                                12
  'echo heredoc', //                          13
  'EOT', //                                   14
  'FROM build AS test', //                    15
  'RUN ["/usr/local/bin/hi", "x"]', //        16
  'FROM scratch', //                          17
  'COPY --from=build /usr/local/bin/hi /hi', // 18
  'CMD ["/hi"]', //                           19
  '',
].join('\n');

test('parse: stages, global ARG, continuations, heredocs, exec form, flags', () => {
  const d = parseDockerfile(DF);
  assert.deepEqual(
    d.stages.map((s) => [s.name, s.from, s.fromLine]),
    [
      ['build', '${BASE}', 3],
      ['test', 'build', 15],
      [undefined, 'scratch', 17],
    ],
  );
  assert.deepEqual(
    d.globalArgs.map((a) => [a.args, a.line]),
    [['BASE=alpine:3.19', 2]],
  );
  const [run1, copy1, run2] = d.stages[0]!.instructions;
  assert.deepEqual(
    [run1!.keyword, run1!.line, run1!.endLine, run1!.args],
    ['RUN', 4, 6, 'apk add --no-cache gcc musl-dev && echo done'],
  );
  assert.deepEqual(
    [copy1!.keyword, copy1!.flags, copy1!.heredocs],
    ['COPY', { chmod: '755' }, [{ name: 'EOF2', content: '#!/bin/sh\necho hi' }]],
  );
  assert.equal(runCommand(run2!), 'set -e\necho heredoc');
  assert.deepEqual(d.stages[1]!.instructions[0]!.exec, ['/usr/local/bin/hi', 'x']);
  assert.deepEqual(d.stages[2]!.instructions[0]!.flags, { from: 'build' });
  assert.deepEqual(
    stageChain(d, 1).map((s) => s.index),
    [0, 1],
  );
  assert.deepEqual(
    stageChain(d, 2).map((s) => s.index),
    [2],
  );
});

test('created_by of the classic builder and of BuildKit', () => {
  assert.deepEqual(parseCreatedBy('/bin/sh -c #(nop) COPY file:0123abcd in /opt/x '), {
    keyword: 'COPY',
    rest: 'file:0123abcd in /opt/x',
  });
  assert.deepEqual(parseCreatedBy('/bin/sh -c apk add x'), { keyword: 'RUN', rest: 'apk add x' });
  assert.deepEqual(parseCreatedBy('|2 A=1 B="x y" /bin/sh -c make'), { keyword: 'RUN', rest: 'make' });
  assert.deepEqual(parseCreatedBy('RUN /bin/sh -c apk add x # buildkit'), { keyword: 'RUN', rest: 'apk add x' });
  assert.deepEqual(parseCreatedBy('RUN |1 V=2 /bin/sh -c make # buildkit'), { keyword: 'RUN', rest: 'make' });
  assert.deepEqual(parseCreatedBy('COPY build/rootfs/ / # buildkit'), { keyword: 'COPY', rest: 'build/rootfs/ /' });
});

const layersOf = (cmds: string[]) => handImage(cmds.map((cmd, i) => ({ cmd, entries: [{ path: `f${i}`, size: 10 }] })));

test('mapping: base layers first, then the final stage (and the stages it builds on), stage-aware', () => {
  const df = parseDockerfile(
    'FROM alpine AS base\nRUN apk add make\nFROM base\nCOPY app.sh /app.sh\nRUN chmod 755 /app.sh\nCMD ["/app.sh"]\n',
  );
  const classic = layersOf([
    '/bin/sh -c #(nop) ADD file:aa in / ',
    '/bin/sh -c apk add make',
    '/bin/sh -c #(nop) COPY file:bb in /app.sh ',
    '/bin/sh -c chmod 755 /app.sh',
  ]);
  const m = mapLayers(classic, df);
  assert.equal(m.matched, true, m.notes.join('; '));
  assert.equal(m.baseLayers, 1);
  assert.deepEqual(
    m.perLayer.map((p) => p?.instruction.line),
    [undefined, 2, 4, 5],
  );
  const buildkit = layersOf([
    '/bin/sh -c #(nop) ADD file:aa in / ',
    'RUN /bin/sh -c apk add make # buildkit',
    'COPY app.sh /app.sh # buildkit',
    'RUN /bin/sh -c chmod 755 /app.sh # buildkit',
  ]);
  assert.deepEqual(
    mapLayers(buildkit, df).perLayer.map((p) => p?.instruction.line),
    [undefined, 2, 4, 5],
  );
  // An image not built from it: said so.
  const other = mapLayers(layersOf(['/bin/sh -c #(nop) ADD file:aa in / ', '/bin/sh -c echo other']), df);
  assert.equal(other.matched, false);
  assert.match(other.notes.join(' '), /not built from this Dockerfile/);
  // Attached: each layer knows its instruction.
  const img = withDockerfile(classic, m, 'Dockerfile');
  assert.deepEqual(layerInstruction(img.layers[2]), {
    file: 'Dockerfile',
    line: 4,
    endLine: 4,
    keyword: 'COPY',
    text: 'COPY app.sh /app.sh',
    how: 'exact',
  });
});

test('unified diff: GNU patch -p1 applies it and gives what applyEdits gives', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slimtui-udiff-'));
  try {
    const old = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    const edits = [
      { from: 1, to: 2, lines: ['# comment', 'line 2 changed'] },
      { from: 5, to: 6, lines: [] },
      { from: 20, to: 20, lines: ['inserted'] },
      { from: 30, to: 30, lines: ['', 'FROM scratch'] },
    ];
    writeFileSync(join(dir, 'Dockerfile'), old);
    writeFileSync(join(dir, 'x.patch'), unifiedDiff('Dockerfile', old, edits));
    const r = spawnSync('patch', ['-p1', '-i', 'x.patch'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(readFileSync(join(dir, 'Dockerfile'), 'utf8'), applyEdits(old, edits));
    assert.match(
      readFileSync(join(dir, 'Dockerfile'), 'utf8'),
      /line 1\n# comment\nline 2 changed\nline 3\nline 4\nline 5\nline 7\n/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
