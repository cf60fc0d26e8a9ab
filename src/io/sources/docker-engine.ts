import { existsSync } from 'node:fs';
import Docker from 'dockerode';
import type { Image } from '../../model/image.js';
import { readImageArchive, type ArchiveReadOptions } from '../archive-reader.js';
import { SlimError, messages } from '../errors.js';

export type Engine = 'docker' | 'podman';

/** Podman's Docker-compatible sockets, in the order podman-remote tries them. */
export function podmanSocketCandidates(env: NodeJS.ProcessEnv, uid: number | undefined): string[] {
  const out: string[] = [];
  if (env['CONTAINER_HOST']?.startsWith('unix://')) out.push(env['CONTAINER_HOST'].slice('unix://'.length));
  if (env['XDG_RUNTIME_DIR']) out.push(`${env['XDG_RUNTIME_DIR']}/podman/podman.sock`);
  if (uid !== undefined && uid !== 0) out.push(`/run/user/${uid}/podman/podman.sock`);
  out.push('/run/podman/podman.sock', '/var/run/podman/podman.sock');
  return out;
}

/** A dockerode client for the engine; DOCKER_HOST (unix://, tcp://, ssh://) is honoured by docker-modem. */
export function engineClient(engine: Engine, env: NodeJS.ProcessEnv = process.env): { client: Docker; where: string } {
  if (engine === 'podman') {
    const candidates = podmanSocketCandidates(env, process.getuid?.());
    const socketPath = candidates.find((p) => existsSync(p)) ?? candidates[candidates.length - 2]!;
    return { client: new Docker({ socketPath }), where: socketPath };
  }
  const host = env['DOCKER_HOST'];
  const client = new Docker();
  return { client, where: host && host !== '' ? host : '/var/run/docker.sock' };
}

interface DockerodeError {
  statusCode?: number;
  code?: string;
  reason?: string;
  json?: { message?: string } | null;
  message?: string;
}

/** Maps dockerode and socket errors to the user's one line. */
export function engineError(e: unknown, engine: Engine, where: string, ref: string): SlimError {
  const err = e as DockerodeError;
  if (err.statusCode === 404) return new SlimError(messages.imageNotFound(ref, engine));
  if (err.code === 'EACCES' || err.code === 'EPERM') return new SlimError(messages.socketPermission(where));
  if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.code === 'EHOSTUNREACH' || err.code === 'ETIMEDOUT' || err.code === 'ECONNRESET')
    return new SlimError(messages.daemonUnreachable(engine, where, ref));
  const detail = err.json?.message ?? err.reason ?? err.message ?? String(e);
  return new SlimError(`${engine} engine error for ${ref}: ${detail.replace(/\s+/g, ' ').trim()}`);
}

/** Reads an image from the engine: inspect, then the `docker save` stream of `GET /images/{name}/get`, in one pass. */
export async function readFromEngine(engine: Engine, ref: string, opts: Omit<ArchiveReadOptions, 'what' | 'totalBytes'>): Promise<Image> {
  const { client, where } = engineClient(engine);
  const image = client.getImage(ref);
  let inspect: Docker.ImageInspectInfo;
  try {
    inspect = await image.inspect();
  } catch (e) {
    throw engineError(e, engine, where, ref);
  }
  let stream: NodeJS.ReadableStream;
  try {
    stream = await image.get();
  } catch (e) {
    throw engineError(e, engine, where, ref);
  }
  try {
    const img = await readImageArchive(stream as AsyncIterable<Uint8Array> & NodeJS.ReadableStream, {
      ...opts,
      what: `${engine} image ${ref}`,
      ...(inspect.Size ? { totalBytes: inspect.Size } : {}),
      ...(ref.includes(':') && !ref.startsWith('sha256:') ? { tag: ref } : {}),
    });
    return { ...img, repoTags: inspect.RepoTags ?? img.repoTags, repoDigests: inspect.RepoDigests ?? [] };
  } finally {
    (stream as unknown as { destroy?: () => void }).destroy?.();
  }
}
