import type { Platform } from '../../model/image.js';
import type { Descriptor } from '../../model/oci-index.js';
import type { ContentAnalyser, LayerTap } from '../content-analyser.js';
import { readLayer, type ParsedLayer } from '../layer-reader.js';
import type { ProgressListener } from '../progress.js';
import { blobStream, readBlob } from './blob-stream.js';
import { RegistryClient } from './client.js';
import { runCredentialHelper } from './credential-helper.js';
import { credentialsFor, loadDockerConfig, type Credentials } from './docker-config.js';
import { resolveImage } from './manifest.js';
import { familiarName, parseReference, type RegistryReference } from './reference.js';
import { RegistryError } from './registry-error.js';
import { Transport } from './transport.js';

/** What the registry source needs beyond what every source gets. */
export interface RegistryOptions {
  /** --registry-ca FILE (PEM). */
  readonly caFiles?: readonly string[];
  /** --insecure-registry. */
  readonly insecure?: boolean;
  /** Layers fetched and parsed at once (--registry-parallel, SLIMTUI_REGISTRY_PARALLEL; default 4). */
  readonly parallel?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export const DEFAULT_PARALLEL = 4;
const CONFIG_CAP = 64 << 20;

export function parallelOf(opts: RegistryOptions, env: NodeJS.ProcessEnv): number {
  const fromEnv = env['SLIMTUI_REGISTRY_PARALLEL'] !== undefined ? Number(env['SLIMTUI_REGISTRY_PARALLEL']) : undefined;
  const n = opts.parallel ?? fromEnv ?? DEFAULT_PARALLEL;
  if (!Number.isInteger(n) || n < 1 || n > 32)
    throw new RegistryError(`layers in flight must be a whole number from 1 to 32, got ${n}`);
  return n;
}

export function parseRegistryLocation(location: string): RegistryReference {
  const p = parseReference(location);
  if (!p.ok) throw new RegistryError(`not a registry reference: ${location}: ${p.error}`);
  return p.ref;
}

/** One repository opened: its client (the token kept between requests) and the connections to close. */
export interface RegistrySession {
  readonly ref: RegistryReference;
  readonly client: RegistryClient;
  readonly parallel: number;
  close(): Promise<void>;
}

/** A client for one repository, with docker's credential lookup (config.json, helpers) done only on a challenge. */
export function openSession(location: string, opts: RegistryOptions): RegistrySession {
  const env = opts.env ?? process.env;
  const ref = parseRegistryLocation(location);
  const parallel = parallelOf(opts, env);
  const transport = new Transport({
    ...(opts.caFiles ? { caFiles: opts.caFiles } : {}),
    insecure: opts.insecure === true,
    env,
  });
  let creds: Promise<Credentials | undefined> | undefined;
  const credentials = (): Promise<Credentials | undefined> =>
    (creds ??= credentialsFor(ref.domain, loadDockerConfig(env), (h, s) => runCredentialHelper(h, s, env)));
  return { ref, client: new RegistryClient(ref, { transport, credentials }), parallel, close: () => transport.close() };
}

/** The image a reference names, for one platform: manifest, config bytes, and docker's tag and digest names. */
export interface RegistryListing {
  readonly layers: readonly Descriptor[];
  readonly configBytes: Buffer;
  readonly repoTags: readonly string[];
  readonly repoDigests: readonly string[];
}

export async function listImage(s: RegistrySession, platform: Platform, explicit: boolean): Promise<RegistryListing> {
  const resolved = await resolveImage(s.client, s.ref, platform, explicit);
  const m = resolved.manifest;
  const configBytes = await readBlob(s.client, m.config, CONFIG_CAP);
  const name = familiarName(s.ref);
  return {
    layers: m.layers,
    configBytes,
    repoTags: s.ref.tag || !s.ref.digest ? [`${name}:${s.ref.tag ?? 'latest'}`] : [],
    repoDigests: [`${name}@${resolved.topDigest}`],
  };
}

/** Runs `work(i)` for i in 0..n-1 with at most `limit` at once; results in index order; the first failure stops the rest. */
async function pool<T>(n: number, limit: number, work: (i: number, signal: AbortSignal) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n);
  const ac = new AbortController();
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (next < n && failure === undefined) {
      const i = next++;
      try {
        out[i] = await work(i, ac.signal);
      } catch (e) {
        if (failure === undefined) failure = e;
        ac.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  if (failure !== undefined) throw failure;
  return out;
}

export interface LayerReadOptions {
  readonly analysers: readonly ContentAnalyser[];
  readonly taps?: readonly LayerTap[];
  readonly onProgress?: ProgressListener;
}

/**
 * The layer blobs, `parallel` in flight, each streamed straight into the one-pass layer parser and verified by
 * its digest as it streams (its uncompressed tar hashed too, for the config's diff_id); results in manifest
 * order whatever order they finish in. Progress counts the bytes of all layers against the manifest's total.
 */
export async function readLayers(
  s: RegistrySession,
  layers: readonly Descriptor[],
  opts: LayerReadOptions,
): Promise<ParsedLayer[]> {
  const totalBytes = layers.reduce((t, l) => t + l.size, 0);
  let bytes = 0;
  let layersRead = 0;
  const report = (): void =>
    opts.onProgress?.({ stage: 'reading', bytes, totalBytes, layersRead, layerCount: layers.length });
  report();
  return pool<ParsedLayer>(layers.length, s.parallel, async (i, signal) => {
    const d = layers[i]!;
    const stream = blobStream(s.client, d, {
      signal,
      onBytes: (n) => {
        bytes += n;
        report();
      },
    });
    const p = await readLayer(stream, {
      what: `layer ${d.digest} of ${s.ref.domain}/${s.ref.path}`,
      analysers: opts.analysers,
      ...(opts.taps ? { taps: opts.taps } : {}),
      // The blob's digest is checked by blobStream as it arrives; the diff_id (sha256 of the decompressed tar)
      // is hashed here, in the same pass, for assembleImage to check against the config.
      digests: { diffId: true },
    });
    layersRead++;
    report();
    return p;
  });
}
