/**
 * --verify-build: builds the patched Dockerfile through the Engine API (dockerode `buildImage`, classic builder,
 * a tar of the Dockerfile's directory as the context, the patched Dockerfile sent as `Dockerfile.slimtui`), runs
 * the image's default command with no network and a timeout to see that it still starts, and reports the real
 * size (`docker image inspect` Size, and gzip -6 of each layer tar of the `docker save` stream) against the
 * projection. The built image is tagged `slimtui-verify:<pid>` and removed afterwards.
 */
import { readdirSync, readFileSync, lstatSync, readlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createGzip, constants as zc } from 'node:zlib';
import { type Readable, Writable } from 'node:stream';
import { pack } from 'tar-stream';
import { extract } from 'tar-stream';
import type Docker from 'dockerode';
import type { Analysis } from '../model/analysis.js';
import { formatBytes } from '../model/byte-units.js';
import { engineClient } from '../io/sources/engine-client.js';
import { SlimError } from '../io/errors.js';
import type { LoadedDockerfile } from './plan-dockerfile.js';
import type { PlanRun } from './plan-output.js';
import { makePatch, rebuiltGoOf } from './plan-patch.js';
import type { ReadFiles } from '../model/ports.js';

export interface VerifyResult {
  readonly tag: string;
  readonly started: boolean;
  /** How the start was judged: exit code, or still running at the timeout. */
  readonly startNote: string;
  readonly size: number;
  readonly compressed: number;
  readonly projected: { readonly size: number; readonly compressed: number };
}

const PATCHED_NAME = 'Dockerfile.slimtui';

/** The build context: every file under `dir` (no .dockerignore support: said in the report), plus the patched Dockerfile. */
function contextTar(dir: string, patched: string, modes: ReadonlyMap<string, number>): Readable {
  const p = pack();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      const rel = relative(dir, full);
      const st = lstatSync(full);
      if (st.isDirectory()) {
        p.entry({ name: `${rel}/`, type: 'directory', mode: st.mode & 0o7777 });
        walk(full);
      } else if (st.isSymbolicLink())
        p.entry({ name: rel, type: 'symlink', linkname: readlinkSync(full), mode: st.mode & 0o7777 });
      else if (st.isFile())
        p.entry({ name: rel, mode: modes.get(rel) ?? st.mode & 0o7777, size: st.size }, readFileSync(full));
    }
  };
  walk(dir);
  p.entry({ name: PATCHED_NAME, mode: 0o644 }, patched);
  p.finalize();
  return p as unknown as Readable;
}

async function build(client: Docker, context: Readable, tag: string): Promise<void> {
  const stream = await client.buildImage(context, {
    t: tag,
    dockerfile: PATCHED_NAME,
    networkmode: 'none',
    forcerm: true,
    rm: true,
  });
  const errors: string[] = [];
  await new Promise<void>((res, rej) =>
    client.modem.followProgress(
      stream,
      (err: Error | null) => (err ? rej(err) : res()),
      (ev: { error?: string; errorDetail?: { message?: string } }) => {
        if (ev.error) errors.push(ev.errorDetail?.message ?? ev.error);
      },
    ),
  );
  if (errors.length > 0)
    throw new SlimError(
      `--verify-build: the patched Dockerfile does not build: ${errors[0]!.replace(/\s+/g, ' ').trim()}`,
    );
}

/** Runs the default command with no network: started = still running after `ms`, or exited 0. */
async function startCheck(client: Docker, tag: string, ms: number): Promise<{ started: boolean; note: string }> {
  const c = await client.createContainer({ Image: tag, HostConfig: { NetworkMode: 'none', AutoRemove: false } });
  try {
    await c.start();
    const timer = new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), ms).unref());
    const r = await Promise.race([c.wait() as Promise<{ StatusCode: number }>, timer]);
    if (r === 'timeout') return { started: true, note: `still running after ${ms / 1000} s` };
    return r.StatusCode === 0
      ? { started: true, note: 'exited 0' }
      : { started: false, note: `exited ${r.StatusCode}` };
  } catch (e) {
    return { started: false, note: (e as Error).message.replace(/\s+/g, ' ').trim() };
  } finally {
    await c.remove({ force: true }).catch(() => undefined);
  }
}

/** gzip -6 (node zlib) of every layer tar in the `docker save` stream: the pull size. */
async function pullSize(client: Docker, tag: string): Promise<number> {
  const stream = (await client.getImage(tag).get()) as unknown as Readable;
  const x = extract();
  let total = 0;
  x.on('entry', (h, body, next) => {
    if (!/(^|\/)layer\.tar$|^blobs\/sha256\//.test(h.name) || h.type !== 'file') {
      body.resume();
      body.on('end', next);
      return;
    }
    // OCI layouts store the config and manifests under blobs/ too; they are small, and counted like docker's.
    const gz = createGzip({ level: 6, strategy: zc.Z_DEFAULT_STRATEGY });
    let n = 0;
    gz.pipe(
      new Writable({
        write(c: Buffer, _e, cb) {
          n += c.length;
          cb();
        },
      }),
    ).on('finish', () => {
      total += n;
      next();
    });
    body.pipe(gz);
  });
  await new Promise<void>((res, rej) => {
    x.on('finish', res);
    x.on('error', rej);
    stream.pipe(x);
  });
  return total;
}

export async function verifyPatchedBuild(
  analysis: Analysis,
  run: PlanRun,
  df: LoadedDockerfile | undefined,
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; readFiles?: ReadFiles } = {},
): Promise<VerifyResult> {
  const p = makePatch(analysis, run, df, '--verify-build', await rebuiltGoOf(analysis, df, opts.readFiles));
  const { client } = engineClient('docker', opts.env ?? process.env);
  const tag = `slimtui-verify:${process.pid}-${Date.now()}`;
  try {
    await build(
      client,
      contextTar(dirname(df!.path), p.patched, new Map(p.modeChanges.map((m) => [m.file, m.mode]))),
      tag,
    );
  } catch (e) {
    if (e instanceof SlimError) throw e;
    throw new SlimError(
      `--verify-build: cannot build through the Docker engine: ${(e as Error).message.replace(/\s+/g, ' ').trim()}`,
    );
  }
  try {
    const s = await startCheck(client, tag, opts.timeoutMs ?? 5000);
    const info = (await client.getImage(tag).inspect()) as { Size: number };
    const compressed = await pullSize(client, tag);
    return { tag, started: s.started, startNote: s.note, size: info.Size, compressed, projected: p.projected };
  } finally {
    await client
      .getImage(tag)
      .remove({ force: true })
      .catch(() => undefined);
  }
}

const pct = (real: number, projected: number): string =>
  projected > 0 ? `${(((real - projected) / projected) * 100).toFixed(1)} %` : 'n/a';

/** The CLI step: prints the report; exit 0 when the image builds and starts, 1 when it does not start. */
export async function verifyBuild(
  analysis: Analysis,
  run: PlanRun,
  df: LoadedDockerfile | undefined,
  out: NodeJS.WritableStream,
  _err: NodeJS.WritableStream,
  readFiles?: ReadFiles,
): Promise<number> {
  const r = await verifyPatchedBuild(analysis, run, df, readFiles ? { readFiles } : {});
  out.write(
    `verify-build: the patched Dockerfile builds; default command ${r.started ? 'starts' : 'does NOT start'} (${r.startNote})\n` +
      `  on disk:   ${formatBytes(r.size)} real (docker image inspect), ${formatBytes(r.projected.size)} projected (${pct(r.size, r.projected.size)})\n` +
      `  pull size: ${formatBytes(r.compressed)} real (gzip -6 of the layer tars), ${formatBytes(r.projected.compressed)} projected (${pct(r.compressed, r.projected.compressed)})\n` +
      `  (build context: the Dockerfile's directory, .dockerignore not applied)\n`,
  );
  return r.started ? 0 : 1;
}
