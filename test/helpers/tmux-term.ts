// A real terminal for end-to-end tests: a tmux server on a private socket (-S) in a temp dir this test
// owns, so no socket is left in tmux's shared /tmp/tmux-UID directory; `kill()` stops the server and
// removes the dir. Keys go in with send-keys, the screen comes back with capture-pane.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class Term {
  readonly dir = mkdtempSync(join(tmpdir(), 'slimtui-tmux-'));
  readonly socket = join(this.dir, 'sock');
  constructor(
    readonly cwd: string,
    width = 120,
    height = 40,
  ) {
    this.tmux('new-session', '-d', '-x', String(width), '-y', String(height), '-s', 'main', 'env PS1="$ " sh');
  }
  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, ...args], {
      cwd: this.cwd,
      encoding: 'utf8',
      env: { ...process.env, TMUX: '' },
    });
  }
  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', 'main');
  }
  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'main', ...keys);
  }
  async waitFor(check: (screen: string) => boolean, what: string, timeoutMs = 15000): Promise<string> {
    const t0 = Date.now();
    for (;;) {
      const s = this.screen();
      if (check(s)) return s;
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  /** Stops the server and removes the socket's dir (safe to call twice). */
  kill(): void {
    try {
      if (existsSync(this.socket)) this.tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
