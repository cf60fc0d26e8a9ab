// The import rules of docs/CONTRIBUTING.md, checked on the sources: the model and the view state stay pure,
// the UI never reaches the adapters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(name) ? [p] : [];
  });
}

const importsOf = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2])!);

function violations(dir: string, forbidden: (spec: string) => boolean): string[] {
  return files(dir).flatMap((f) => importsOf(f).filter(forbidden).map((spec) => `${f} imports ${spec}`));
}

test('src/model is pure: no node built-ins, no IO, no UI', () => {
  const bad = violations('src/model', (s) => s.startsWith('node:') || /^(fs|path|os|child_process|crypto|zlib|stream)$/.test(s) || /\/(io|ui|cli|state)\//.test(s) || /^(react|ink|dockerode|tar-stream)$/.test(s));
  assert.deepEqual(bad, []);
  assert.ok(files('src/model').length > 20);
});

test('src/state is UI-agnostic: no ink, react, IO or node built-ins', () => {
  assert.deepEqual(violations('src/state', (s) => s.startsWith('node:') || /\/(io|ui|cli)\//.test(s) || /^(react|ink)/.test(s)), []);
});

test('src/ui never imports the adapters or the CLI', () => {
  assert.deepEqual(violations('src/ui', (s) => /\/(io|cli)\//.test(s) || /^(dockerode|tar-stream)$/.test(s) || s.startsWith('node:child_process')), []);
});

test('src/io never imports the UI', () => {
  assert.deepEqual(violations('src/io', (s) => /\/(ui|state)\//.test(s) || /^(react|ink)/.test(s)), []);
});
