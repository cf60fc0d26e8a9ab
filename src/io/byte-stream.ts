import { Readable } from 'node:stream';

/** Reads from an async byte stream until `n` bytes are in hand; returns them and a stream that replays them first. */
export async function peek(
  source: AsyncIterable<Uint8Array>,
  n: number,
): Promise<{ head: Buffer; stream: AsyncIterable<Buffer> }> {
  const it = source[Symbol.asyncIterator]();
  const held: Buffer[] = [];
  let have = 0;
  let done = false;
  while (have < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    held.push(b);
    have += b.length;
  }
  const head = held.length === 1 ? held[0]! : Buffer.concat(held);
  async function* replay(): AsyncGenerator<Buffer> {
    let finished = done;
    try {
      if (head.length > 0) yield head;
      if (done) return;
      for (;;) {
        const r = await it.next();
        if (r.done) {
          finished = true;
          return;
        }
        yield Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
      }
    } finally {
      // A reader that stops early (a parse that failed) ends the source too: its file is closed now, not by GC.
      if (!finished) await it.return?.();
    }
  }
  return { head, stream: replay() };
}

/** Reads a whole (small) stream into memory, refusing more than `cap` bytes. */
export async function readAll(source: AsyncIterable<Uint8Array>, cap: number, onTooBig: () => Error): Promise<Buffer> {
  const parts: Buffer[] = [];
  let have = 0;
  for await (const chunk of source) {
    have += chunk.byteLength;
    if (have > cap) throw onTooBig();
    parts.push(Buffer.from(chunk));
  }
  return Buffer.concat(parts);
}

/** Consumes and discards a stream. */
export async function drain(source: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _ of source) {
    // discard
  }
}

export const toReadable = (s: AsyncIterable<Uint8Array>): Readable =>
  s instanceof Readable ? s : Readable.from(s, { objectMode: false });
