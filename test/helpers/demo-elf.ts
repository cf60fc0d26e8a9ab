// The bundled demo image loaded with the ELF and text analysers (the binaries analysis needs their facts).
import { join } from 'node:path';
import { loadImage } from '../../src/io/load-image.js';
import { elfAnalyser } from '../../src/io/elf-analyser.js';
import { textAnalyser } from '../../src/io/text-analyser.js';
import { analyze, type Analysis } from '../../src/model/analysis.js';
import { AMD64 } from './load.js';

let cached: Promise<Analysis> | undefined;

export function demoWithElf(): Promise<Analysis> {
  cached ??= loadImage(
    { kind: 'docker-archive', location: join(process.cwd(), 'demo/demo-image.tar') },
    { analysers: [elfAnalyser, textAnalyser], platform: AMD64, platformExplicit: false },
  ).then(analyze);
  return cached;
}

/** Bytes every layer stores for `path` and everything below it (from the layers' entries, as `tar -tv` lists them). */
export function storedBytesUnder(a: Analysis, path: string): number {
  let n = 0;
  for (const l of a.image.layers)
    for (const e of l.entries)
      if ((e.path === path || e.path.startsWith(`${path}/`)) && e.kind !== 'hardlink') n += e.size;
  return n;
}
