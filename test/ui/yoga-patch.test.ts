// patches/yoga-layout+3.2.1.patch (applied by patch-package on install): yoga-layout inlines its WebAssembly as a
// data: URL and, wherever a global fetch exists (Node >= 18), fetched it — which loads undici and its data-URL
// parser on the explorer's main thread while the layer threads skim. Patched, it decodes the inlined bytes as it
// does where there is no fetch. Checked in a fresh process each: the patched yoga never calls fetch and lays a
// node out; upstream's (the patch reversed on a copy) does call it — so the check would fail without the patch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = process.cwd();

/** Loads yoga from `dir`'s node_modules with a counting fetch, lays out a 30×7 node: "<fetch calls> <w>x<h>". */
function loadYoga(dir: string): string {
  const entry = pathToFileURL(join(dir, 'node_modules', 'yoga-layout', 'dist', 'src', 'index.js')).href;
  const script = `
    let calls = 0;
    const real = globalThis.fetch;
    globalThis.fetch = (...a) => { calls++; return real(...a); };
    const { default: Yoga } = await import(${JSON.stringify(entry)});
    const n = Yoga.Node.create();
    n.setWidth(30); n.setHeight(7); n.calculateLayout();
    console.log(calls + ' ' + n.getComputedWidth() + 'x' + n.getComputedHeight());`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('the patched yoga-layout decodes its inlined WebAssembly without fetch; upstream fetches it', () => {
  assert.equal(loadYoga(ROOT), '0 30x7');
  const dir = mkdtempSync(join(tmpdir(), 'slimtui-yoga-'));
  try {
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    cpSync(join(ROOT, 'node_modules', 'yoga-layout'), join(dir, 'node_modules', 'yoga-layout'), { recursive: true });
    execFileSync('git', ['apply', '-R', join(ROOT, 'patches', 'yoga-layout+3.2.1.patch')], { cwd: dir });
    assert.equal(loadYoga(dir), '1 30x7');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
