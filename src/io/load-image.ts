import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Image, Platform } from '../model/image.js';
import type { ContentAnalyser, LayerTap } from './content-analyser.js';
import type { ProgressListener } from './progress.js';
import { readArchiveFile } from './sources/archive-file.js';
import { readOciLayoutDir } from './sources/oci-layout-dir.js';
import { readRootfsDir } from './sources/rootfs-dir.js';
import type { SourceSpec } from './sources/source-spec.js';
import type { RegistryOptions } from './registry/read-registry.js';

export interface LoadOptions {
  readonly analysers: readonly ContentAnalyser[];
  /** Taps on each layer's whole uncompressed stream (not applied to dir: sources, which have no tar). */
  readonly taps?: readonly LayerTap[];
  readonly platform: Platform;
  readonly platformExplicit: boolean;
  readonly onProgress?: ProgressListener;
  /** For the registry source: --registry-ca, --insecure-registry, layers in flight. */
  readonly registry?: RegistryOptions;
}

/** What a bare argument names on disk, for `parseSourceArg`. */
export function classifyPath(p: string): 'file' | 'oci-dir' | 'dir' | 'none' {
  if (p === '-') return 'file'; // standard input
  try {
    const st = statSync(p);
    if (st.isFile()) return 'file';
    if (st.isDirectory()) {
      try {
        if (statSync(join(p, 'index.json')).isFile()) return 'oci-dir';
      } catch {
        // not a layout
      }
      return 'dir';
    }
  } catch {
    // not on disk: an engine reference
  }
  return /\.(tar|tar\.gz|tgz)$/.test(p) || p.startsWith('./') || p.startsWith('/') ? 'file' : 'none';
}

/** The one entry point every output uses: a source spec in, the model's Image out. */
export async function loadImage(spec: SourceSpec, opts: LoadOptions): Promise<Image> {
  const reference = spec.location;
  const common = { reference, analysers: opts.analysers, platform: opts.platform, platformExplicit: opts.platformExplicit, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), ...(spec.tag ? { tag: spec.tag } : {}) };
  const withTaps = { ...common, ...(opts.taps ? { taps: opts.taps } : {}) };
  switch (spec.kind) {
    case 'docker':
    case 'podman': {
      // dockerode (and its ssh2 stack) loads only when an engine is asked for.
      const { readFromEngine } = await import('./sources/docker-engine.js');
      return readFromEngine(spec.kind, spec.location, { ...withTaps, source: spec.kind });
    }
    case 'docker-archive':
    case 'oci-archive':
      return readArchiveFile(spec.location, { ...withTaps, source: spec.kind });
    case 'oci-dir':
      return readOciLayoutDir(spec.location, { ...withTaps, source: 'oci-dir' });
    case 'dir':
      return readRootfsDir(spec.location, common);
    case 'registry': {
      const { readRegistrySource } = await import('./sources/registry.js');
      return readRegistrySource(spec.location, { ...withTaps, ...opts.registry, source: 'registry' });
    }
  }
}
