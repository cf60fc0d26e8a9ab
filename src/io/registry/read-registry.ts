import type { Image } from '../../model/image.js';
import type { Descriptor } from '../../model/oci-index.js';
import type { ArchiveReadOptions } from '../archive-reader.js';
import { assembleImage, type LayerBlob } from '../assemble-image.js';
import { readLayer, type ParsedLayer } from '../layer-reader.js';
import { blobStream, readBlob } from './blob-stream.js';
import { RegistryClient } from './client.js';
import { runCredentialHelper } from './credential-helper.js';
import { credentialsFor, loadDockerConfig, type Credentials } from './docker-config.js';
import { resolveImage } from './manifest.js';
import { canonicalName, familiarName, parseReference, type RegistryReference } from './reference.js';
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

/** An opened repository: the client (its token kept) and the resolved manifest, for re-reads of single blobs. */
export interface RegistryImage {
  readonly image: Image;
  readonly ref: RegistryReference;
  readonly layers: readonly Descriptor[];
  /** One layer's blob, streamed and verified again (preview, UPX re-read): only that blob is fetched. */
  blob(layer: number, signal?: AbortSignal): AsyncIterable<Uint8Array>;
  close(): Promise<void>;
}

export function parseRegistryLocation(location: string): RegistryReference {
  const p = parseReference(location);
  if (!p.ok) throw new RegistryError(`not a registry reference: ${location}: ${p.error}`);
  return p.ref;
}

/** A client for one repository, with docker's credential lookup (config.json, helpers) done only on a challenge. */
export function registryClient(
  ref: RegistryReference,
  opts: RegistryOptions,
): { client: RegistryClient; transport: Transport } {
  const env = opts.env ?? process.env;
  const transport = new Transport({
    ...(opts.caFiles ? { caFiles: opts.caFiles } : {}),
    insecure: opts.insecure === true,
    env,
  });
  let creds: Promise<Credentials | undefined> | undefined;
  const credentials = (): Promise<Credentials | undefined> =>
    (creds ??= credentialsFor(ref.domain, loadDockerConfig(env), (h, s) => runCredentialHelper(h, s, env)));
  return { client: new RegistryClient(ref, { transport, credentials }), transport };
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

/**
 * Reads an image from a registry: manifest (through an index, by platform), config, then the layer blobs,
 * several in flight, each streamed straight into the one-pass layer parser and verified by its digest as it
 * streams. Layers are assembled in manifest order whatever order they finish in.
 */
export async function readFromRegistry(
  location: string,
  opts: Omit<ArchiveReadOptions, 'what' | 'totalBytes' | 'tag'> & RegistryOptions,
): Promise<RegistryImage> {
  const env = opts.env ?? process.env;
  const ref = parseRegistryLocation(location);
  const parallel = parallelOf(opts, env);
  const { client, transport } = registryClient(ref, opts);
  try {
    const resolved = await resolveImage(client, ref, opts.platform, opts.platformExplicit === true);
    const m = resolved.manifest;
    const configBytes = await readBlob(client, m.config, CONFIG_CAP);
    const totalBytes = m.layers.reduce((s, l) => s + l.size, 0);
    let bytes = 0;
    let layersRead = 0;
    const report = (): void =>
      opts.onProgress?.({ stage: 'reading', bytes, totalBytes, layersRead, layerCount: m.layers.length });
    report();
    const parsed = await pool<ParsedLayer>(m.layers.length, parallel, async (i, signal) => {
      const d = m.layers[i]!;
      const p = await readLayer(
        blobStream(client, d, {
          signal,
          onBytes: (n) => {
            bytes += n;
            report();
          },
        }),
        {
          what: `layer ${d.digest} of ${ref.domain}/${ref.path}`,
          analysers: opts.analysers,
          ...(opts.taps ? { taps: opts.taps } : {}),
        },
      );
      layersRead++;
      report();
      return p;
    });
    const layers: LayerBlob[] = parsed.map((p, i) => ({ parsed: p, digest: m.layers[i]!.digest }));
    const name = familiarName(ref);
    const image = assembleImage({
      reference: opts.reference,
      source: opts.source,
      configBytes,
      layers,
      repoTags: ref.tag || !ref.digest ? [`${name}:${ref.tag ?? 'latest'}`] : [],
      repoDigests: [`${name}@${resolved.topDigest}`],
    });
    return {
      image,
      ref,
      layers: m.layers,
      blob: (layer, signal) => {
        const d = m.layers[layer];
        if (!d) throw new RegistryError(`no layer ${layer} in ${canonicalName(ref)}`);
        return blobStream(client, d, signal ? { signal } : {});
      },
      close: () => transport.close(),
    };
  } catch (e) {
    await transport.close().catch(() => undefined);
    throw e;
  }
}
