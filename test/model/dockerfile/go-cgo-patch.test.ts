/**
 * The runtime stage for a single-stage Go build, when the binary was built with cgo (hand-made images; the
 * expected patches follow from the rule, "CGO_ENABLED=0 … when the binary does not need cgo"):
 * - cgo on, but the binary links only the C library (cgo there serves net/os-user lookups): rebuilt with
 *   CGO_ENABLED=0 it is static, so the runtime stage is scratch — not a glibc base;
 * - cgo on and linking libsqlite3: CGO_ENABLED=0 would not build it, and the libraries would be missing from the
 *   runtime stage — no runtime stage; the reason stays advice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../src/model/analysis.js';
import { buildPlan, fixList, projectPlan, recommendedPlan } from '../../../src/model/plan/index.js';
import { modelPredictors } from '../../../src/model/plan/model-predictors.js';
import { parseDockerfile } from '../../../src/model/dockerfile/parse.js';
import { mapLayers } from '../../../src/model/dockerfile/map-layers.js';
import { withDockerfile } from '../../../src/model/dockerfile/attach.js';
import { dockerfilePatch } from '../../../src/model/dockerfile/patch.js';
import { goNeedsCgo } from '../../../src/model/dockerfile/go-rebuild.js';
import { handImage, type L } from '../plan/hand-image.js';
import { ELF_BASE } from '../plan/sample.js';

const DOCKERFILE = [
  'FROM debian:bookworm',
  'COPY go /usr/local/go',
  'RUN cd /src && go build -o /usr/local/bin/app .',
  'CMD ["/usr/local/bin/app"]',
  '',
].join('\n');

const GO = { goVersion: 'go1.19.8', deps: [], settings: { CGO_ENABLED: '1' }, cgoEnabled: true };

function patchFor(needed: string[]) {
  const layers: L[] = [
    {
      cmd: '/bin/sh -c #(nop) ADD file:0123abcd in / ',
      entries: [
        { path: 'bin/sh', size: 1000, mode: 0o100755, elf: { ...ELF_BASE, type: 'exec', kind: 'static' } },
        {
          path: 'lib/x86_64-linux-gnu/libc.so.6',
          size: 2000,
          elf: { ...ELF_BASE, kind: 'shared-lib', soname: 'libc.so.6' },
        },
        {
          path: 'lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
          size: 200,
          elf: { ...ELF_BASE, kind: 'shared-lib', soname: 'ld-linux-x86-64.so.2' },
        },
        { path: 'lib64/ld-linux-x86-64.so.2', kind: 'symlink', link: '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' },
        {
          path: 'usr/lib/x86_64-linux-gnu/libsqlite3.so.0',
          size: 3000,
          elf: { ...ELF_BASE, kind: 'shared-lib', soname: 'libsqlite3.so.0' },
        },
      ],
    },
    {
      cmd: '/bin/sh -c #(nop) COPY dir:feedbeef in /usr/local/go ',
      entries: [
        { path: 'usr/local/go/bin/go', size: 40000, mode: 0o100755, elf: { ...ELF_BASE, kind: 'static', go: GO } },
        { path: 'usr/local/go/src/fmt/print.go', size: 60000 },
      ],
    },
    {
      cmd: '/bin/sh -c cd /src && go build -o /usr/local/bin/app .',
      entries: [
        {
          path: 'usr/local/bin/app',
          size: 30000,
          mode: 0o100755,
          elf: {
            ...ELF_BASE,
            kind: 'dynamic-exec',
            interpreter: '/lib64/ld-linux-x86-64.so.2',
            needed,
            go: GO,
            goUses: { x509SystemRoots: false, osUser: false, loadLocation: false, embeddedTzdata: false },
          },
        },
      ],
    },
  ];
  const image = handImage(layers, { cmd: ['/usr/local/bin/app'] });
  const df = parseDockerfile(DOCKERFILE);
  const mapping = mapLayers(image, df);
  assert.ok(mapping.matched, mapping.notes.join('; '));
  const a = analyze(withDockerfile(image, mapping, 'Dockerfile'));
  const app = a.binaries.byPath.get('/usr/local/bin/app')!;
  const list = fixList(a, projectPlan(a, buildPlan(a, recommendedPlan(a).actions), modelPredictors(a.image)));
  return { patch: dockerfilePatch(a, df, mapping, list), app };
}

test('cgo only for the C library: CGO_ENABLED=0 and a scratch runtime stage', () => {
  const { patch, app } = patchFor(['libc.so.6']);
  assert.equal(goNeedsCgo(app), undefined);
  assert.match(
    patch.diff,
    /^\+RUN cd \/src && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o \/usr\/local\/bin\/app \.$/m,
  );
  assert.match(patch.diff, /^\+FROM scratch$/m);
  assert.doesNotMatch(patch.diff, /^\+FROM debian:bookworm-slim/m);
  assert.match(patch.diff, /^\+COPY --from=build \/usr\/local\/bin\/app \/usr\/local\/bin\/app$/m);
});

test('cgo for libsqlite3: no CGO_ENABLED=0, no runtime stage, the reason as advice', () => {
  const { patch, app } = patchFor(['libsqlite3.so.0', 'libc.so.6']);
  assert.equal(goNeedsCgo(app), 'it links libsqlite3.so.0 through cgo');
  assert.doesNotMatch(patch.diff, /CGO_ENABLED=0/);
  assert.doesNotMatch(patch.diff, /^\+FROM /m);
  assert.ok(
    patch.advice.some((x) =>
      /^toolchain: \/usr\/local\/bin\/app needs cgo \(it links libsqlite3\.so\.0 through cgo\)/.test(x),
    ),
    patch.advice.join('\n'),
  );
});
