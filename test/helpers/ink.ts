// Helpers for ink-testing-library: wait for a frame condition (frames land a tick after stdin.write;
// never sleep a fixed time), key sequences as a terminal sends them, and a small hand-made image.
import { analyze, type Analysis } from '../../src/model/analysis.js';
import { analyseBuffer } from './load.js';
import { dir, dockerArchiveLegacy, file, whiteout, type EntrySpec } from './make-archive.js';

export const KEY = {
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  pageDown: '\x1b[6~',
  pageUp: '\x1b[5~',
  home: '\x1b[H',
  end: '\x1b[F',
  enter: '\r',
  esc: '\x1b',
  tab: '\t',
  backspace: '\x7f',
  ctrlA: '\x01',
  ctrlC: '\x03',
  ctrlF: '\x06',
  ctrlL: '\x0c',
  ctrlU: '\x15',
  ctrlSpace: '\x00',
};

/** Polls `check` until it returns true (or throws the last failure after `timeoutMs`). */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (check()) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

const text = (name: string, content: string): EntrySpec => ({ name, content });

/**
 * Three layers, sizes chosen so name order and size order differ:
 *   0: etc/a.conf 100, usr/lib/asmall.so 10, usr/lib/zlarge.so 5000
 *   1: usr/lib/zlarge.so 6000 (modified; 5000 wasted), tmp/cache.bin 3000
 *   2: tmp/cache.bin deleted, app/main.txt "hello\nworld\n" (12 bytes)
 */
export async function smallImage(): Promise<Analysis> {
  const archive = await dockerArchiveLegacy({
    layers: [
      [
        dir('etc/'),
        file('etc/a.conf', 100),
        dir('usr/'),
        dir('usr/lib/'),
        file('usr/lib/asmall.so', 10),
        file('usr/lib/zlarge.so', 5000),
      ],
      [file('usr/lib/zlarge.so', 6000), dir('tmp/'), file('tmp/cache.bin', 3000)],
      [whiteout('tmp/cache.bin'), dir('app/'), text('app/main.txt', 'hello\nworld\n')],
    ],
    history: [
      { created_by: '/bin/sh -c #(nop) ADD base' },
      { created_by: '/bin/sh -c make install' },
      { created_by: '/bin/sh -c rm /tmp/cache.bin' },
    ],
    repoTag: 'small/test:1',
  });
  return analyseBuffer(archive);
}

export { analyze };
