// Building and saving test images with the legacy builder (DOCKER_BUILDKIT=0: Debian's docker.io
// has no buildx, and no registry is reachable, so FROM names a local image such as
// slimtui-test/busybox:latest from base-images.ts, or scratch).
import { chmod, copyFile, cp, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import type { TestDaemon } from './docker-daemon.js';

/** A build-context file: its content, or `{ from }` a host file or directory to copy (modes kept). */
export type ContextFile = string | Buffer | { from: string; mode?: number };

export interface BuildOptions {
  /** --build-arg NAME=VALUE pairs. */
  buildArgs?: Record<string, string>;
  /** Extra `docker build` arguments, before the context path. */
  extraArgs?: string[];
  timeoutMs?: number;
}

function contextPath(root: string, rel: string): string {
  const n = normalize(rel);
  if (rel === '' || isAbsolute(rel) || n === '..' || n.startsWith(`..${sep}`)) {
    throw new Error(`buildImage: context path must be relative and inside the context: ${JSON.stringify(rel)}`);
  }
  return join(root, n);
}

/** Writes files + Dockerfile into a fresh temp dir. The caller removes it. */
export async function writeBuildContext(files: Record<string, ContextFile>, dockerfile: string): Promise<string> {
  if (Object.prototype.hasOwnProperty.call(files, 'Dockerfile')) {
    throw new Error('buildImage: pass the Dockerfile as the dockerfile argument, not in files');
  }
  const dir = await mkdtemp(join(tmpdir(), 'slimtui-build-'));
  try {
    await writeFile(join(dir, 'Dockerfile'), dockerfile);
    for (const [rel, f] of Object.entries(files)) {
      const dest = contextPath(dir, rel);
      await mkdir(dirname(dest), { recursive: true });
      if (typeof f === 'string' || Buffer.isBuffer(f)) {
        await writeFile(dest, f);
      } else {
        const st = await stat(f.from);
        if (st.isDirectory()) {
          await cp(f.from, dest, { recursive: true, verbatimSymlinks: true });
        } else {
          await copyFile(f.from, dest);
          await chmod(dest, f.mode ?? st.mode & 0o7777);
        }
      }
    }
    return dir;
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Builds `tag` from a temp context holding `files` and `dockerfile`, with
 * `DOCKER_BUILDKIT=0 docker build --network none -t tag`; throws with the build output on failure.
 */
export async function buildImage(
  d: TestDaemon,
  tag: string,
  files: Record<string, ContextFile>,
  dockerfile: string,
  opts: BuildOptions = {},
): Promise<void> {
  const dir = await writeBuildContext(files, dockerfile);
  try {
    const args = ['build', '--network', 'none', '--force-rm', '-t', tag];
    for (const [k, v] of Object.entries(opts.buildArgs ?? {})) args.push('--build-arg', `${k}=${v}`);
    args.push(...(opts.extraArgs ?? []), dir);
    await d.docker(args, {
      env: { DOCKER_BUILDKIT: '0' },
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `docker save -o outPath tag`: the image as a docker-archive tar. */
export async function saveImage(d: TestDaemon, tag: string, outPath: string): Promise<void> {
  await d.docker(['save', '-o', outPath, tag]);
}
