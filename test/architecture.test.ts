// The layer rules of docs/ARCHITECTURE.md, checked twice: on the sources by this file's own import scanner
// (every import form: static, `export … from`, side-effect `import 'x'`, dynamic `import('x')`; Node built-ins
// with or without `node:`), and by ESLint's no-restricted-imports in eslint.config.js. Each rule is also run on
// a planted violation, so a rule that stopped matching fails here instead of passing silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { ESLint } from 'eslint';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(name) ? [p] : [];
  });
}

const IMPORT_FORMS = [
  /(?:^|[\n;])\s*(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g, // import x from 'a', export * from 'a'
  /(?:^|[\n;])\s*import\s*['"]([^'"]+)['"]/g, // import 'a' (side effects only)
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g, // await import('a')
  /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g, // createRequire(...)('a')
];

export function importsOf(source: string): string[] {
  return IMPORT_FORMS.flatMap((re) => [...source.matchAll(re)].map((m) => m[1]!));
}

const BUILTINS = new Set(builtinModules);
const isBuiltin = (spec: string): boolean =>
  spec.startsWith('node:') || BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0]!);
const reaches = (layers: string[]) => (spec: string) =>
  spec.startsWith('.') && layers.some((l) => spec.includes(`/${l}/`) || spec.startsWith(`${l}/`));
const isPackage = (names: string[]) => (spec: string) =>
  names.includes(spec) || names.some((n) => spec.startsWith(`${n}/`));

interface LayerRule {
  readonly dir: string;
  readonly why: string;
  readonly forbidden: (spec: string) => boolean;
  /** A line that breaks the rule, written as it would appear in a file of that layer. */
  readonly planted: string[];
}

const RULES: LayerRule[] = [
  {
    dir: 'src/model',
    why: 'pure: no Node built-ins, no IO, no UI, no view state',
    forbidden: (s) =>
      isBuiltin(s) ||
      reaches(['io', 'ui', 'cli', 'state'])(s) ||
      isPackage(['react', 'ink', 'dockerode', 'tar-stream', 'fuzzysort'])(s),
    planted: [
      "import { readFileSync } from 'fs';",
      "import '../io/load-image.js';",
      "const m = await import('node:zlib');",
      "export { x } from '../state/search.js';",
      "import 'tar-stream';",
    ],
  },
  {
    dir: 'src/state',
    why: 'UI-agnostic: no ink, react, IO or Node built-ins',
    forbidden: (s) =>
      isBuiltin(s) || reaches(['io', 'ui', 'cli'])(s) || isPackage(['react', 'ink', 'dockerode', 'tar-stream'])(s),
    planted: ["import { EventEmitter } from 'events';", "import type { X } from '../ui/app.js';", "import 'ink';"],
  },
  {
    dir: 'src/ui',
    why: 'renders state, dispatches keys: never the adapters, the CLI or Node IO',
    forbidden: (s) => isBuiltin(s) || reaches(['io', 'cli'])(s) || isPackage(['dockerode', 'tar-stream'])(s),
    planted: [
      "import { writeFileSync } from 'node:fs';",
      "import '../io/preview-reader.js';",
      "import { main } from '../cli/main.js';",
      "import Docker from 'dockerode';",
    ],
  },
  {
    dir: 'src/io',
    why: 'adapters: never the UI, the view state or the CLI',
    forbidden: (s) => reaches(['ui', 'state', 'cli'])(s) || isPackage(['react', 'ink'])(s),
    planted: [
      "import { render } from 'ink';",
      "import '../cli/args.js';",
      "import { reduce } from '../state/explorer-state.js';",
    ],
  },
];

for (const rule of RULES) {
  test(`${rule.dir}: ${rule.why}`, () => {
    const sources = files(rule.dir);
    assert.ok(sources.length > 5, `${rule.dir} has sources`);
    const bad = sources.flatMap((f) =>
      importsOf(readFileSync(f, 'utf8'))
        .filter(rule.forbidden)
        .map((s) => `${f} imports ${s}`),
    );
    assert.deepEqual(bad, []);
  });

  test(`${rule.dir}: the scanner catches each planted violation`, () => {
    for (const line of rule.planted)
      assert.ok(importsOf(line).some(rule.forbidden), `${rule.dir}: not caught: ${line}`);
  });

  test(`${rule.dir}: ESLint's no-restricted-imports catches each planted violation`, async () => {
    const eslint = new ESLint();
    for (const line of rule.planted) {
      const [result] = await eslint.lintText(`${line}\nexport const planted = 1;\n`, {
        filePath: join(rule.dir, 'planted-violation.ts'),
      });
      const hits = (result?.messages ?? []).filter(
        (m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax',
      );
      assert.ok(hits.length > 0, `${rule.dir}: ESLint let through: ${line}`);
    }
  });
}

test('the scanner reads every import form and nothing else', () => {
  const src = [
    "import a from 'a';",
    'import { b } from "b";',
    "import type { C } from 'c';",
    "export * from 'd';",
    "import 'e';",
    "const f = await import('f');",
    "// a comment mentioning from 'g' is not an import",
    "const s = 'import h';",
  ].join('\n');
  assert.deepEqual(importsOf(src).sort(), ['a', 'b', 'c', 'd', 'e', 'f']);
});
