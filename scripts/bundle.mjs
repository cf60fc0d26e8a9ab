// Bundles what `bin/slimtui` runs into dist/bundle/ (after `tsc`): the CLI, the explorer supervisor and the two
// worker entry points, with their node_modules, as a few ES module files. Why: Node 20's ES module loader opens,
// resolves and compiles every file on its own, and ink alone is ~600 files (its `throttle` import pulls in all of
// es-toolkit/compat) — 0.6–0.9 s of one core before the explorer can draw, while the layer workers want both
// cores. Bundled, the same code loads in one piece per entry (measured in scripts/bench-tui.mjs's first frame).
//
// Every output lands in one directory at dist/'s depth (dist/bundle/ beside dist/cli/), so the
// `new URL('./layer-worker.js', import.meta.url)` style paths in the sources (workers, demo image, package.json)
// resolve the same from a bundle chunk as from the unbundled module. Tests import dist/ and .build/ modules
// directly; `bin/slimtui` runs the bundle when it is at least as new as dist/cli/main.js (else dist/ itself).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const out = join(dist, 'bundle');
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: ['cli/main.js', 'cli/explorer-supervisor.js', 'io/layer-worker.js', 'cli/diff-worker.js'].map((p) =>
    join(dist, p),
  ),
  outdir: out,
  entryNames: '[name]',
  bundle: true,
  // Shared code in chunks: the explorer's modules (ink, react, the UI) stay in chunks of their own, loaded by
  // the dynamic import that loads them today, so --json and --ci still never load them.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // ssh2's optional native addon (cpu-features) and ink's devtools (loaded only with DEV=true) stay out.
  external: ['cpu-features', 'ssh2', 'react-devtools-core'],
  // CommonJS dependencies call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as __slimtuiRequire } from 'node:module';\nconst require = __slimtuiRequire(import.meta.url);",
  },
  // React and its reconciler ship a development build beside the production one, chosen at run time from
  // NODE_ENV; the explorer always runs the production build (cli/main.ts), so the other is left out of the chunk:
  // ~0.6 MB less for the explorer's main thread to compile while the layer threads skim.
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
