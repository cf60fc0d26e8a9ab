import { promises as fs } from 'node:fs';
import { fileChunks } from '../file-chunks.js';
import { join } from 'node:path';
import type { Image } from '../../model/image.js';
import { platformString } from '../../model/image.js';
import { blobPath, resolveIndex } from '../../model/oci-index.js';
import { assembleImage, type LayerBlob } from '../assemble-image.js';
import type { ArchiveReadOptions } from '../archive-reader.js';
import { readLayer } from '../layer-reader.js';
import { SlimError, messages } from '../errors.js';
import { fsMessage } from './archive-file.js';

const METADATA_CAP = 64 << 20;

async function readSmall(path: string, what: string): Promise<Buffer | undefined> {
  try {
    const st = await fs.stat(path);
    if (st.size > METADATA_CAP) throw new SlimError(messages.tooBig(what));
    return await fs.readFile(path);
  } catch (e) {
    if (e instanceof SlimError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SlimError(fsMessage(e, path));
  }
}

function parse(buf: Buffer, what: string): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    throw new SlimError(messages.badJson(what));
  }
}

/** An OCI image layout directory: metadata read directly, each layer blob streamed once. */
export async function readOciLayoutDir(dir: string, opts: Omit<ArchiveReadOptions, 'what' | 'totalBytes'>): Promise<Image> {
  try {
    if (!(await fs.stat(dir)).isDirectory()) throw new SlimError(messages.notADirectory(dir));
  } catch (e) {
    if (e instanceof SlimError) throw e;
    throw new SlimError(fsMessage(e, dir));
  }
  const indexBuf = await readSmall(join(dir, 'index.json'), 'index.json');
  if (!indexBuf) throw new SlimError(messages.notAnImage(dir));
  const blobs = new Map<string, unknown>();
  // The walk needs JSON blobs synchronously: each missing one it reports is read, then the walk retries.
  const getJson = (digest: string): unknown => blobs.get(digest);
  for (let attempt = 0; attempt < 8; attempt++) {
    const res = resolveIndex(parse(indexBuf, 'index.json'), getJson, opts.platform, opts.tag, opts.platformExplicit === true);
    if (res.ok) {
      const m = res.manifest;
      const cfgPath = blobPath(m.config.digest);
      const configBytes = cfgPath ? await readSmall(join(dir, cfgPath), 'image config') : undefined;
      if (!configBytes) throw new SlimError(messages.missingBlob(`${m.config.digest} in ${dir}`));
      const layers: LayerBlob[] = [];
      let bytes = 0;
      const totalBytes = m.layers.reduce((s, l) => s + l.size, 0);
      for (const [i, d] of m.layers.entries()) {
        const p = blobPath(d.digest);
        const file = p ? join(dir, p) : undefined;
        if (!file) throw new SlimError(messages.missingBlob(`${d.digest} in ${dir}`));
        try {
          await fs.access(file);
        } catch {
          throw new SlimError(messages.missingBlob(`${d.digest} in ${dir}`));
        }
        const parsed = await readLayer(fileChunks(file), {
          what: `layer ${d.digest} of ${dir}`,
          analysers: opts.analysers,
          ...(opts.taps ? { taps: opts.taps } : {}),
          onBytes: (n) => {
            bytes += n;
            opts.onProgress?.({ stage: 'reading', bytes, totalBytes, layersRead: i, layerCount: m.layers.length });
          },
        });
        layers.push({ parsed, digest: d.digest });
      }
      return assembleImage({ reference: opts.reference, source: opts.source, configBytes, layers, ...(m.refName ? { repoTags: [m.refName] } : {}) });
    }
    if (res.reason === 'no-platform') throw new SlimError(messages.platformMissing(platformString(opts.platform), res.available));
    if (res.reason === 'malformed') throw new SlimError(messages.truncated(dir, res.detail));
    const p = blobPath(res.digest);
    const buf = p ? await readSmall(join(dir, p), `blob ${res.digest}`) : undefined;
    if (!buf) throw new SlimError(messages.missingBlob(`${res.digest} in ${dir}`));
    blobs.set(res.digest, parse(buf, `blob ${res.digest}`));
  }
  throw new SlimError(messages.truncated(dir, 'index nesting too deep'));
}
