import { once } from 'node:events';
import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * An array of `source` mapped by `map`, made one item at a time as `writeJson` writes it (a report's list of
 * 150,000 items is not built whole first); JSON.stringify sees the mapped array (toJSON).
 */
export class MappedList<T, U> {
  constructor(
    readonly source: readonly T[],
    readonly map: (item: T) => U,
  ) {}
  toJSON(): U[] {
    return this.source.map((x) => this.map(x));
  }
}

/**
 * Characters a piece: 64 KiB, not 1 MiB. A 1 MiB piece's parts lived through scavenges while it filled and were
 * promoted, garbage in the old space at the run's peak (measured on the bench's 1M-entry image: peak RSS
 * 403–416 → 385–397 MiB, same time).
 */
const PIECE = 1 << 16;

/** At most this many items in one JSON.stringify call, whatever their measured size. */
const RUN_MOST = 4096;

/**
 * `JSON.stringify(value, null, 2) + '\n'`, the same characters, handed to `write` in pieces of about `chunk`
 * characters, so that the text of a big report never exists whole: on a million entries the --json text is
 * ~23 MB, and it existed three times at the end of the run (the builder's parts, the flat string, the Buffer
 * `write` makes of it). Arrays, and plain objects that hold an array, are walked; any other value (the items
 * of the big arrays) is stringified by JSON.stringify itself and indented to its depth (JSON text has no raw
 * newline inside a string, so every newline of a stringified value is a line break of its layout).
 * For plain data, as the reports are: a `toJSON` method is honoured only below the walked levels (and a
 * MappedList is written item by item, as its toJSON would have it).
 */
export function writeJson(value: unknown, write: (text: string) => void, chunk = PIECE): void {
  for (const piece of jsonPieces(value, chunk)) write(piece);
}

/**
 * `writeJson` to a stream, waiting for 'drain' when it is full. A pipe's writes are not synchronous in Node:
 * written all at once, the pieces of a 23 MB report sat in the pipe's queue together (~40 MB more at the peak
 * of `--json | jq` on a million entries than with a file). An error on the stream (EPIPE when the reader
 * quits) rejects.
 */
export async function writeJsonTo(stream: NodeJS.WritableStream, value: unknown, chunk = PIECE): Promise<void> {
  for (const piece of jsonPieces(value, chunk)) if (!stream.write(piece)) await once(stream, 'drain');
}

/** The pieces `writeJson` hands out, made one at a time as they are taken. */
export function* jsonPieces(value: unknown, chunk = PIECE): Generator<string, void, undefined> {
  let parts: string[] = [];
  let size = 0;
  /** Adds text; true when a piece is full (the caller yields `take()`). */
  const out = (s: string): boolean => {
    parts.push(s);
    size += s.length;
    return size >= chunk;
  };
  const take = (): string => {
    const s = parts.join('');
    parts = [];
    size = 0;
    return s;
  };
  const hasToJson = (v: object): boolean => typeof (v as { toJSON?: unknown }).toJSON === 'function';
  const isPlain = (v: object): boolean => {
    const p: unknown = Object.getPrototypeOf(v);
    return p === Object.prototype || p === null;
  };
  /** The value's text at this indent, or undefined when JSON.stringify leaves it out (undefined, a function). */
  const whole = (v: unknown, indent: string): string | undefined => {
    const s = JSON.stringify(v, null, 2) as string | undefined;
    return s === undefined || indent === '' || !s.includes('\n') ? s : s.replaceAll('\n', `\n${indent}`);
  };
  /** True when a plain object holds an array (such an object is walked); no array is made to find out. */
  const holdsArray = (o: object): boolean => {
    for (const k in o) if (Array.isArray((o as Record<string, unknown>)[k])) return true;
    return false;
  };
  const walked = (v: unknown): 'array' | 'list' | 'object' | undefined => {
    if (v instanceof MappedList) return 'list';
    if (typeof v !== 'object' || v === null || hasToJson(v)) return undefined;
    if (Array.isArray(v)) return 'array';
    return isPlain(v) && holdsArray(v) ? 'object' : undefined;
  };
  /** Characters an item, as last measured: how many items the next run should hold to fill about a piece. */
  let perItem = 64;
  function* emit(v: unknown, indent: string, how: 'array' | 'list' | 'object'): Generator<string, void, undefined> {
    const inner = `${indent}  `;
    if (how !== 'object') {
      const list = how === 'list' ? (v as MappedList<unknown, unknown>) : undefined;
      const a = list ? list.source : (v as readonly unknown[]);
      if (a.length === 0) {
        if (out('[]')) yield take();
        return;
      }
      if (out('[')) yield take();
      const at = (i: number): unknown => (list ? list.map(a[i]) : a[i]);
      let next = at(0);
      for (let i = 0; i < a.length;) {
        const x = next;
        const w = walked(x);
        if (w) {
          if (out(i === 0 ? `\n${inner}` : `,\n${inner}`)) yield take();
          yield* emit(x, inner, w);
          i++;
          if (i < a.length) next = at(i);
          continue;
        }
        // A run of items that are not walked, stringified as one array: one JSON.stringify call for about a
        // piece of text instead of one per item (the 1M-entry image's 23 MB report, most of it 150,000
        // reclaimable items: 260–340 → 170–195 ms). The array's text, re-indented, is the items' text with its
        // separators, between brackets.
        const run = [x];
        const room = Math.max(1, Math.min(RUN_MOST, Math.floor((chunk - size) / perItem)));
        let j = i + 1;
        for (; j < a.length; j++) {
          next = at(j);
          if (run.length >= room || walked(next)) break;
          run.push(next);
        }
        if (j === a.length) next = undefined;
        const text = whole(run, indent)!;
        const body = text.slice(1, text.length - indent.length - 2);
        perItem = Math.max(1, body.length / run.length);
        if (out(i === 0 ? body : `,${body}`)) yield take();
        i += run.length;
      }
      if (out(`\n${indent}]`)) yield take();
      return;
    }
    const o = v as Record<string, unknown>;
    let first = true;
    for (const k of Object.keys(o)) {
      const x = o[k];
      const w = walked(x);
      const text = w ? undefined : whole(x, inner);
      if (!w && text === undefined) continue;
      if (out(`${first ? '{' : ','}\n${inner}${JSON.stringify(k)}: `)) yield take();
      first = false;
      if (w) yield* emit(x, inner, w);
      else if (out(text!)) yield take();
    }
    if (out(first ? '{}' : `\n${indent}}`)) yield take();
  }
  const w = walked(value);
  if (w) yield* emit(value, '', w);
  else out(whole(value, '') ?? 'undefined');
  out('\n');
  if (parts.length > 0) yield take();
}

/** `writeJson` into a file (created or truncated), as writeFileSync would write the whole text. */
export function writeJsonFile(path: string, value: unknown): void {
  const fd = openSync(path, 'w');
  try {
    writeJson(value, (piece) => {
      const bytes = Buffer.from(piece);
      for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at);
    });
  } finally {
    closeSync(fd);
  }
}
