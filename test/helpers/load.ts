// Loads a test archive (a Buffer, written to a temp file first) or a path through slimtui's one entry point.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadImage, openImage, type LoadedImage } from '../../src/io/load-image.js';
import type { SourceSpec } from '../../src/io/sources/source-spec.js';
import { analyze, type Analysis } from '../../src/model/analysis.js';
import type { Image, Platform, SourceKind } from '../../src/model/image.js';

export const AMD64: Platform = { os: 'linux', architecture: 'amd64' };

/** Loads a spec and keeps its source (the preview and whole-file ports). */
export async function openSpec(
  spec: SourceSpec,
  platform: Platform = AMD64,
  platformExplicit = false,
): Promise<LoadedImage> {
  return openImage(spec, { analysers: [], platform, platformExplicit });
}

export async function loadSpec(spec: SourceSpec, platform: Platform = AMD64, platformExplicit = false): Promise<Image> {
  return loadImage(spec, { analysers: [], platform, platformExplicit });
}

/** Writes `archive` to a temp file, loads it as `kind`, removes the file. */
export async function loadBuffer(
  archive: Buffer,
  kind: SourceKind = 'docker-archive',
  platform: Platform = AMD64,
  platformExplicit = false,
): Promise<Image> {
  const dir = await mkdtemp(join(tmpdir(), 'slimtui-fixture-'));
  try {
    const p = join(dir, 'image.tar');
    await writeFile(p, archive);
    return await loadSpec({ kind, location: p }, platform, platformExplicit);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function analyseBuffer(archive: Buffer, kind: SourceKind = 'docker-archive'): Promise<Analysis> {
  return analyze(await loadBuffer(archive, kind));
}
