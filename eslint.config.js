// Lint for slimtui: typescript-eslint's recommended type-aware rules, React hooks rules for the UI, and the
// layer rules of docs/ARCHITECTURE.md as no-restricted-imports (test/architecture.test.ts checks the same rules
// on the sources, so a violation fails twice: here with a message, there in the test run).
// Formatting is Prettier's job (npm run format / lint runs `prettier --check`); eslint-config-prettier turns
// off the stylistic rules that would fight it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import prettier from 'eslint-config-prettier';
import { builtinModules } from 'node:module';

// Every way of naming a Node built-in: 'node:fs', 'fs', 'fs/promises'.
const builtins = [...builtinModules.filter((m) => !m.startsWith('_')).flatMap((m) => [m, `${m}/*`]), 'node:*'];

/** One layer's rule: which sibling layers (as path segments) and packages it must not import. */
function layer(files, { layers = [], packages = [], noBuiltins = false, why }) {
  const patterns = [];
  if (layers.length > 0) patterns.push({ regex: `(^|/)(${layers.join('|')})/`, message: why });
  if (noBuiltins) patterns.push({ group: builtins, message: `${why} (no Node built-ins)` });
  // no-restricted-imports does not look at `import('x')`: the same rule for dynamic imports, as a selector.
  const dynamic = [
    ...(layers.length > 0 ? [`(^|/)(${layers.join('|')})/`] : []),
    ...packages.map((p) => `^${p}(/|$)`),
    ...(noBuiltins
      ? [`^(node:|(${builtinModules.filter((m) => !m.startsWith('_') && !m.includes('/')).join('|')})(/|$))`]
      : []),
  ];
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', { paths: packages.map((name) => ({ name, message: why })), patterns }],
      'no-restricted-syntax': [
        'error',
        ...dynamic.map((re) => ({
          selector: `ImportExpression[source.value=/${re.replaceAll('/', '\\/')}/]`,
          message: `${why} (dynamic import)`,
        })),
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', '.build/**', '.cache/**', 'node_modules/**', 'demo/**', 'screenshots/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        AbortController: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
        performance: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-control-regex': 'off', // terminal escape sequences and tar/ELF bytes are what this code parses
    },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  // The layers: cli → ui → state → model, cli → io → model; model and state pure; ui never reaches io.
  layer(['src/model/**'], {
    layers: ['io', 'ui', 'cli', 'state'],
    packages: ['react', 'ink', 'dockerode', 'tar-stream', 'fuzzysort'],
    noBuiltins: true,
    why: 'src/model is pure: domain types and analyses, no IO, no UI',
  }),
  layer(['src/state/**'], {
    layers: ['io', 'ui', 'cli'],
    packages: ['react', 'ink', 'dockerode', 'tar-stream'],
    noBuiltins: true,
    why: 'src/state is UI-agnostic pure view state',
  }),
  layer(['src/ui/**'], {
    layers: ['io', 'cli'],
    packages: ['dockerode', 'tar-stream'],
    noBuiltins: true,
    why: 'src/ui renders state and dispatches keys; IO reaches it only through the ports in src/model',
  }),
  layer(['src/io/**'], {
    layers: ['ui', 'state', 'cli'],
    packages: ['react', 'ink'],
    why: 'src/io is the adapters: it serves the model, never the UI or the CLI',
  }),
  {
    files: ['test/**', 'scripts/**', 'bin/**', '*.js', '*.mjs'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  { files: ['scripts/**/*.mjs', 'bin/**', '*.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  prettier,
);
