/** Go build info of the shipped oracle binaries against `go version -m`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesSource, parseElf } from '../../../src/model/elf/index.js';
import { goVersionM } from '../../helpers/readelf.js';
import { sharedPath } from '../../helpers/shared.js';

const BINS = sharedPath('oracles/bins');

const cases: { name: string; cgo: boolean; trimpath: boolean; stripped: boolean; kind: string }[] = [
  { name: 'go-hello-cgo0', cgo: false, trimpath: false, stripped: false, kind: 'static' },
  { name: 'go-httpserver-cgo1', cgo: true, trimpath: false, stripped: false, kind: 'dynamic-exec' },
  // Built with -trimpath -ldflags='-s -w': Go omits -ldflags from build info under -trimpath, so go.stripped
  // is unknown there, while the section table shows the strip.
  { name: 'go-lookup-cgo0-sw-trimpath', cgo: false, trimpath: true, stripped: true, kind: 'static' },
];

for (const c of cases) {
  test(`Go build info of ${c.name} matches go version -m`, () => {
    const file = join(BINS, c.name);
    const r = parseElf(bytesSource(readFileSync(file)));
    assert.ok(r.ok, r.ok ? '' : r.malformed);
    const go = r.elf.go;
    assert.ok(go, 'no Go build info found');
    const want = goVersionM(file);
    assert.equal(go.goVersion, want.goVersion);
    assert.equal(go.path, want.path);
    assert.deepEqual(go.mainModule, want.mod);
    assert.deepEqual(go.deps, want.deps);
    assert.deepEqual(go.settings, want.settings);
    assert.equal(go.cgoEnabled, c.cgo);
    assert.equal(go.trimpath ?? false, c.trimpath);
    assert.equal(go.goos, 'linux');
    assert.equal(go.goarch, 'amd64');
    assert.equal(r.elf.kind, c.kind);
    // The ELF-level stripped flag reflects the section table (no .symtab, no DWARF).
    assert.equal(r.elf.stripped, c.stripped);
    if (c.trimpath) assert.equal(go.ldflags, undefined);
  });
}
