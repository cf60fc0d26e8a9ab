/**
 * slimtui's "will start / will not start" against what `docker run` does, on images built in the test daemon
 * from binaries built here (gcc, musl-gcc, go). Each image is read back with `docker save` → loadImage with the
 * ELF and text analysers; each binary is then run with `docker run --rm --network none IMAGE PATH`.
 * A binary "started" when it exited 0 and printed "ok" (every test program prints it and exits 0).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTestDaemon, type TestDaemon } from '../helpers/docker-daemon.js';
import { ensureBaseImages, GLIBC_IMAGE, MUSL_IMAGE } from '../helpers/base-images.js';
import { buildImage, saveImage, type ContextFile } from '../helpers/build-image.js';
import { loadImage } from '../../src/io/load-image.js';
import { elfAnalyser } from '../../src/io/elf-analyser.js';
import { textAnalyser } from '../../src/io/text-analyser.js';
import { analyze, type Analysis } from '../../src/model/analysis.js';
import { binaryAt, findingsFor } from '../../src/model/libc/index.js';
import { goTestEnv } from '../model/elf/tool-env.js';

let dir = '';
let d: TestDaemon;

function sh(cmd: string, args: string[], env: Record<string, string> = {}): void {
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed: ${r.error?.message ?? ''}${r.stderr}`);
}

function readelfVersionNeeds(file: string): string {
  const r = spawnSync('readelf', ['-V', '-W', join(dir, file)], { encoding: 'utf8' });
  return r.stdout;
}

const HELLO = '#include <stdio.h>\nint main(void){ puts("ok"); return 0; }\n';
const LIBFOO = 'int foo(void){ return 42; }\n';
const USEFOO =
  '#include <stdio.h>\nint foo(void);\nint main(void){ if (foo() == 42) puts("ok"); return foo() - 42; }\n';
const LIBVER = 'int one(void){ return 1; }\nint two(void){ return 2; }\n';
const VER_NEW = 'VER_1 { global: one; local: *; };\nVER_2 { global: two; } VER_1;\n';
const VER_OLD = 'VER_1 { global: one; two; local: *; };\n';
const USEVER =
  '#include <stdio.h>\nint one(void); int two(void);\nint main(void){ if (one() + two() == 3) puts("ok"); return 0; }\n';
const GO_HELLO = 'package main\nimport "fmt"\nfunc main() { fmt.Println("ok") }\n';
// Links os/user (cgo when CGO_ENABLED=1) and crypto/x509's roots (through net/http), uses neither at run time.
const GO_USER = `package main
import (
  "fmt"
  "net/http"
  "os"
  "os/user"
)
func main() {
  if len(os.Args) > 5 {
    u, err := user.Current()
    fmt.Println(u, err)
    _, _ = http.Get("https://example.com")
  }
  fmt.Println("ok")
}
`;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'slimtui-e2e-elf-'));
  for (const [n, c] of Object.entries({
    'hello.c': HELLO,
    'libfoo.c': LIBFOO,
    'usefoo.c': USEFOO,
    'libver.c': LIBVER,
    'new.map': VER_NEW,
    'old.map': VER_OLD,
    'usever.c': USEVER,
    'hello.go': GO_HELLO,
    'user.go': GO_USER,
  })) {
    writeFileSync(join(dir, n), c);
  }
  sh('gcc', ['-O1', '-o', 'hello-glibc', 'hello.c']);
  sh('musl-gcc', ['-O1', '-o', 'hello-musl', 'hello.c']);
  sh('gcc', ['-shared', '-fPIC', '-o', 'libfoo.so', 'libfoo.c', '-Wl,-soname,libfoo.so']);
  sh('gcc', ['-o', 'usefoo', 'usefoo.c', '-L.', '-lfoo']);
  sh('gcc', ['-o', 'usefoo-origin', 'usefoo.c', '-L.', '-lfoo', '-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib']);
  sh('gcc', [
    '-shared',
    '-fPIC',
    '-o',
    'libver-new.so',
    'libver.c',
    '-Wl,-soname,libver.so',
    '-Wl,--version-script=new.map',
  ]);
  sh('gcc', [
    '-shared',
    '-fPIC',
    '-o',
    'libver-old.so',
    'libver.c',
    '-Wl,-soname,libver.so',
    '-Wl,--version-script=old.map',
  ]);
  sh('cp', ['libver-new.so', 'libver.so']);
  sh('gcc', ['-o', 'usever', 'usever.c', '-L.', '-lver', '-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib']);
  const goEnv = { ...goTestEnv(dir), GO111MODULE: 'off' };
  sh('go', ['build', '-o', 'go-static', 'hello.go'], { ...goEnv, CGO_ENABLED: '0' });
  sh('go', ['build', '-o', 'go-user-static', 'user.go'], { ...goEnv, CGO_ENABLED: '0' });
  sh('go', ['build', '-o', 'go-cgo-glibc', 'user.go'], { ...goEnv, CGO_ENABLED: '1' });
  sh('go', ['build', '-o', 'go-cgo-musl', 'user.go'], { ...goEnv, CGO_ENABLED: '1', CC: 'musl-gcc' });
  d = await getTestDaemon();
  await ensureBaseImages(d);
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const file = (name: string): ContextFile => ({ from: join(dir, name) });

async function buildAndRead(tag: string, files: Record<string, ContextFile>, dockerfile: string): Promise<Analysis> {
  await buildImage(d, tag, files, dockerfile);
  const out = join(dir, `${tag.replace(/[/:]/g, '_')}.tar`);
  await saveImage(d, tag, out);
  const image = await loadImage(
    { kind: 'docker-archive', location: out },
    {
      analysers: [elfAnalyser, textAnalyser],
      platform: { os: 'linux', architecture: 'amd64' },
      platformExplicit: false,
    },
  );
  rmSync(out, { force: true });
  return analyze(image);
}

async function started(tag: string, path: string): Promise<{ ok: boolean; output: string }> {
  try {
    const r = await d.docker(['run', '--rm', '--network', 'none', tag, path], { timeoutMs: 60_000 });
    return { ok: r.stdout.trim() === 'ok', output: `${r.stdout}${r.stderr}` };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${x.stdout ?? ''}${x.stderr ?? x.message}` };
  }
}

const tally = { compared: 0, matched: 0 };

/** Runs every binary, compares with slimtui's verdict, and checks the expectation written here by hand. */
async function check(
  tag: string,
  a: Analysis,
  expected: Record<string, boolean>,
  outputs: Record<string, RegExp> = {},
): Promise<void> {
  for (const [path, shouldStart] of Object.entries(expected)) {
    const b = binaryAt(a.binaries, path);
    assert.ok(b, `${tag}: slimtui did not list ${path}`);
    assert.ok(b.verdict, `${tag}: no verdict for ${path}`);
    const run = await started(tag, path);
    tally.compared++;
    const predicted = b.verdict.status === 'will start';
    if (predicted === run.ok && b.verdict.status !== 'unknown') tally.matched++;
    assert.equal(
      run.ok,
      shouldStart,
      `${tag} ${path}: docker run ${run.ok ? 'started' : 'failed'} (${run.output.trim()}), test expected otherwise`,
    );
    assert.equal(
      b.verdict.status,
      shouldStart ? 'will start' : 'will not start',
      `${tag} ${path}: verdict ${JSON.stringify(b.verdict)} but docker run said: ${run.output.trim()}`,
    );
    const re = outputs[path];
    if (re) assert.match(run.output, re, `${tag} ${path}: docker output`);
  }
}

test('glibc base: working binaries, $ORIGIN, missing library, version not found, musl binary', async () => {
  const tag = 'slimtui-e2e/elf-glibc:1';
  const a = await buildAndRead(
    tag,
    {
      'hello-glibc': file('hello-glibc'),
      'hello-musl': file('hello-musl'),
      usefoo: file('usefoo'),
      'usefoo-origin': file('usefoo-origin'),
      'libfoo.so': file('libfoo.so'),
      usever: file('usever'),
      'libver-old.so': file('libver-old.so'),
      'go-cgo-glibc': file('go-cgo-glibc'),
      'go-static': file('go-static'),
    },
    `FROM ${GLIBC_IMAGE}
COPY hello-glibc /app/hello
COPY hello-musl /app/hello-musl
COPY usefoo /app/usefoo-missing
COPY usefoo-origin /app/bin/usefoo-origin
COPY libfoo.so /app/lib/libfoo.so
COPY usever /app/bin/usever
COPY libver-old.so /app/lib/libver.so
COPY go-cgo-glibc /app/go-cgo
COPY go-static /app/go-static
`,
  );
  // The version check: usever needs VER_2 from libver.so (readelf), the image's libver.so defines only VER_1.
  assert.match(readelfVersionNeeds('usever'), /Name: VER_2/);
  assert.doesNotMatch(readelfVersionNeeds('libver-old.so'), /VER_2/);
  await check(
    tag,
    a,
    {
      '/app/hello': true,
      '/app/bin/usefoo-origin': true,
      '/app/go-cgo': true,
      '/app/go-static': true,
      '/app/usefoo-missing': false,
      '/app/bin/usever': false,
      '/app/hello-musl': false,
    },
    {
      '/app/usefoo-missing': /libfoo\.so: cannot open shared object file/,
      '/app/bin/usever': /version `VER_2' not found/,
    },
  );
  const origin = binaryAt(a.binaries, '/app/bin/usefoo-origin')!.resolution!.libs.find((l) => l.name === 'libfoo.so')!;
  assert.equal(origin.realPath, '/app/lib/libfoo.so');
  assert.equal(origin.via, 'runpath');
  assert.equal(
    origin.layer,
    a.image.layers.findIndex((l) => l.entries.some((e) => e.path === 'app/lib/libfoo.so')),
  );
  assert.ok(origin.layer > 0);
  assert.ok(
    findingsFor(a.binaries, '/app/usefoo-missing').some(
      (f) => f.code === 'library-missing' && /it exists at \/app\/lib\/libfoo\.so/.test(f.evidence),
    ),
  );
  assert.ok(
    findingsFor(a.binaries, '/app/hello-musl').some(
      (f) => f.code === 'interpreter-missing' && /^musl binary in a glibc-only image/.test(f.evidence),
    ),
  );
  assert.ok(findingsFor(a.binaries, '/app/go-cgo').some((f) => f.code === 'cgo-dynamic-libc'));
  assert.equal(a.binaries.inventory.glibc.length, 1);
  assert.match(a.binaries.inventory.glibc[0]!.version ?? '', /^2\.\d+$/);
});

test('musl base: glibc binaries lack their interpreter; musl and static ones start', async () => {
  const tag = 'slimtui-e2e/elf-musl:1';
  const a = await buildAndRead(
    tag,
    {
      'hello-glibc': file('hello-glibc'),
      'hello-musl': file('hello-musl'),
      'go-cgo-glibc': file('go-cgo-glibc'),
      'go-cgo-musl': file('go-cgo-musl'),
      'go-static': file('go-static'),
    },
    `FROM ${MUSL_IMAGE}
COPY hello-glibc /app/hello-glibc
COPY hello-musl /app/hello-musl
COPY go-cgo-glibc /app/go-cgo-glibc
COPY go-cgo-musl /app/go-cgo-musl
COPY go-static /app/go-static
`,
  );
  await check(
    tag,
    a,
    {
      '/app/hello-musl': true,
      '/app/go-cgo-musl': true,
      '/app/go-static': true,
      '/app/hello-glibc': false,
      '/app/go-cgo-glibc': false,
    },
    { '/app/hello-glibc': /no such file or directory/i },
  );
  const f = findingsFor(a.binaries, '/app/hello-glibc');
  assert.ok(
    f.some((x) => x.code === 'interpreter-missing' && /^glibc binary in a musl-only image/.test(x.evidence)),
    JSON.stringify(f),
  );
  assert.ok(findingsFor(a.binaries, '/app/go-cgo-musl').some((x) => x.code === 'cgo-on-musl'));
  assert.equal(a.binaries.inventory.musl[0]!.path, '/lib/ld-musl-x86_64.so.1');
  const v = spawnSync('/lib/x86_64-linux-musl/libc.so', [], { encoding: 'utf8' });
  const want = /Version (\S+)/.exec(`${v.stdout}${v.stderr}`)?.[1];
  assert.equal(a.binaries.inventory.musl[0]!.version, want, "musl version vs the loader's own banner");
});

test('FROM scratch: static Go binaries start; a dynamic one has no interpreter; missing certs/passwd are warnings', async () => {
  const tag = 'slimtui-e2e/elf-scratch:1';
  const a = await buildAndRead(
    tag,
    { 'go-static': file('go-static'), 'go-user-static': file('go-user-static'), 'hello-glibc': file('hello-glibc') },
    `FROM scratch
COPY go-static /go-static
COPY go-user-static /go-user
COPY hello-glibc /hello-glibc
`,
  );
  await check(tag, a, { '/go-static': true, '/go-user': true, '/hello-glibc': false });
  const codes = findingsFor(a.binaries, '/go-user').map((f) => `${f.severity}:${f.code}`);
  assert.ok(codes.includes('warning:missing-ca-certificates'), codes.join(','));
  assert.ok(codes.includes('warning:missing-passwd'), codes.join(','));
  assert.deepEqual(
    findingsFor(a.binaries, '/go-static').filter((f) => f.code.startsWith('missing-')),
    [],
  );
  assert.match(findingsFor(a.binaries, '/hello-glibc')[0]!.evidence, /image with no libc/);
});

test('every verdict matched docker run', () => {
  assert.ok(tally.compared >= 15, `compared ${tally.compared}`);
  assert.equal(tally.matched, tally.compared);
  console.log(`# e2e-elf: ${tally.matched}/${tally.compared} verdicts matched docker run`);
});
