import { spawn } from 'node:child_process';

/**
 * Runs a filter command (e.g. `xz`, `zstd`), writes `feed`'s chunks to its stdin and returns how many bytes it
 * wrote to stdout (the output itself is discarded). Respects stdin back-pressure, so spooled or streamed input
 * is never held in memory at once.
 */
export function spawnCount(
  cmd: string,
  args: string[],
  feed: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = 0;
    let err = '';
    let failed = false;
    const fail = (e: Error): void => {
      if (failed) return;
      failed = true;
      child.kill();
      reject(e);
    };
    child.stdout.on('data', (b: Buffer) => (out += b.length));
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
    child.on('error', (e) => fail(new Error(`${cmd}: ${e.message}`)));
    child.stdin.on('error', () => undefined); // EPIPE when the child dies: reported by 'close'
    child.on('close', (code) => {
      if (failed) return;
      if (code === 0) resolve(out);
      else fail(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${err.trim()}`));
    });
    void (async () => {
      try {
        for await (const chunk of feed) {
          if (failed) return;
          if (!child.stdin.write(chunk)) await new Promise<void>((r) => child.stdin.once('drain', () => r()));
        }
        child.stdin.end();
      } catch (e) {
        fail(e instanceof Error ? e : new Error(String(e)));
      }
    })();
  });
}
