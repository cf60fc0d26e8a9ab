/** The engine's client (dockerode, loaded only by engine sources) and its errors as the user's one line. */
import { existsSync } from 'node:fs';
import Docker from 'dockerode';
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
  if (
    err.code === 'ENOENT' ||
    err.code === 'ECONNREFUSED' ||
    err.code === 'ENOTFOUND' ||
    err.code === 'EHOSTUNREACH' ||
    err.code === 'ETIMEDOUT' ||
    err.code === 'ECONNRESET'
  )
    return new SlimError(messages.daemonUnreachable(engine, where, ref));
  const detail = err.json?.message ?? err.reason ?? err.message ?? String(e);
  return new SlimError(`${engine} engine error for ${ref}: ${detail.replace(/\s+/g, ' ').trim()}`);
}
