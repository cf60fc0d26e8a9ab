import { spawn } from 'node:child_process';
import { RegistryError } from './registry-error.js';

const TIMEOUT_MS = 30_000;

/**
 * docker's credential-helper protocol: `docker-credential-NAME get`, the server URL on stdin, a JSON
 * `{ServerURL, Username, Secret}` on stdout. "credentials not found" (any wording, non-zero exit) is no
 * credentials; a helper that is missing or hangs is an error that names the helper, never what it printed.
 */
export function runCredentialHelper(
  helper: string,
  server: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ username: string; secret: string } | undefined> {
  if (!/^[A-Za-z0-9._-]+$/.test(helper))
    return Promise.reject(new RegistryError(`credential helper name ${JSON.stringify(helper)} is not valid`));
  const bin = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['get'], { stdio: ['pipe', 'pipe', 'pipe'], env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new RegistryError(`credential helper ${bin} did not answer within ${TIMEOUT_MS / 1000} s`));
    }, TIMEOUT_MS);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new RegistryError(
          e.code === 'ENOENT'
            ? `credential helper ${bin} is not installed (named in docker's config.json)`
            : `credential helper ${bin} failed to start: ${e.code ?? e.message}`,
        ),
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const text = Buffer.concat(out).toString('utf8');
      if (code !== 0) {
        const why = (Buffer.concat(err).toString('utf8') + text).toLowerCase();
        if (why.includes('not found') || why.includes('no credentials')) return resolve(undefined);
        return reject(new RegistryError(`credential helper ${bin} failed (exit ${code})`));
      }
      try {
        const j = JSON.parse(text) as { Username?: unknown; Secret?: unknown };
        if (typeof j.Secret !== 'string' || j.Secret === '') return resolve(undefined);
        resolve({ username: typeof j.Username === 'string' ? j.Username : '', secret: j.Secret });
      } catch {
        reject(new RegistryError(`credential helper ${bin} printed something that is not its JSON answer`));
      }
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(server);
  });
}
