// The compact entries (model/entry-table.ts): every field reads back exactly what went in — whatever column
// form the values needed (one shared value, 1/2/4 bytes, float64 for fractions, negatives, -0 and 2^53) — whether
// the rows arrive one batch at a time (the worker path) or as plain objects (the one-thread read), and the two
// give structurally equal tables. The expected values are the inputs themselves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Entry } from '../../src/model/entry.js';
import { EntryTable, PackedEntry, packEntries, revivePackedEntries } from '../../src/model/entry-table.js';
import { appendEntries, entryColumns } from '../../src/io/layer-columns.js';

const fields = (e: Entry) => [e.path, e.kind, e.size, e.mode, e.uid, e.gid, e.mtime, e.linkTarget, e.facts];

const odd: Entry[] = [
  { path: 'a', kind: 'file', size: 5, mode: 0o100644, uid: 0, gid: 0, mtime: 1_700_000_000 },
  { path: 'a/b', kind: 'dir', size: 0, mode: 0o40755, uid: 0, gid: 0, mtime: 1_700_000_000 },
  { path: 'l', kind: 'symlink', size: 0, mode: 0o120777, uid: 65534, gid: 70000, mtime: -1, linkTarget: 'a' },
  { path: 'h', kind: 'hardlink', size: 0, mode: 0o644, uid: 2 ** 32, gid: 1, mtime: 1.5, linkTarget: 'a' },
  { path: 'big', kind: 'file', size: 2 ** 53 - 1, mode: 0o644, uid: 0, gid: 0, mtime: -0, facts: { sha256: 'ab' } },
  { path: 'w', kind: 'whiteout', size: 0, mode: 0, uid: 255, gid: 256, mtime: 0 },
  { path: 'o', kind: 'opaque', size: 0, mode: 0, uid: 0, gid: 0, mtime: 0 },
  { path: 'dev', kind: 'other', size: 65535, mode: 0o20666, uid: 0, gid: 0, mtime: 0 },
];

test('packed entries read back every field exactly, in any column form', () => {
  const packed = packEntries(odd);
  assert.deepEqual(packed.map(fields), odd.map(fields));
  assert.ok(Object.is(packed[4]!.mtime, -0), '-0 stays -0');
  assert.ok(packed.every((e) => e instanceof PackedEntry));
  const t = (packed[0] as PackedEntry).table;
  assert.ok(t.sizes instanceof Float64Array, '2^53 - 1 needs a float64');
  assert.ok(t.kinds instanceof Uint8Array);
  assert.ok(t.modes instanceof Uint16Array, 'modes below 65536');
  assert.ok(t.linkOf instanceof Uint8Array);
});

test('a column whose values are all the same is one number; it widens when one differs', () => {
  const same = Array.from({ length: 3000 }, (_, i): Entry => ({
    path: `f${i}`,
    kind: 'file',
    size: i,
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtime: 42,
  }));
  const t = (packEntries(same)[0] as PackedEntry).table;
  assert.equal(t.uids, 0);
  assert.equal(t.mtimes, 42);
  assert.equal(t.linkOf, 0, 'no links: no column');
  assert.ok(t.sizes instanceof Uint16Array, 'sizes below 65536');
  const more: Entry[] = [...same, { ...same[0]!, path: 'x', uid: 7, size: 70_000 }];
  const packed = packEntries(more);
  const u = (packed[0] as PackedEntry).table;
  assert.ok(u.uids instanceof Uint8Array);
  assert.ok(u.sizes instanceof Uint32Array);
  assert.deepEqual(packed.map(fields), more.map(fields));
});

test('batches from a worker and plain entries give the same table; facts set later land on their entry', () => {
  const out: Entry[] = [];
  // Batches of 3: the columns widen between batches (uid 2^32 in the second, a fraction in the second).
  for (let i = 0; i < odd.length; i += 3) appendEntries(structuredClone(entryColumns(odd.slice(i, i + 3))), out);
  assert.equal(out.length, odd.length);
  // Until assembleImage makes the views, the rows are stand-ins that refuse to be read.
  assert.throws(() => out[2]!.path, /read before assembleImage/);
  assert.throws(() => out[0]!.size, /read before assembleImage/);
  const viaBatches = packEntries(out);
  assert.equal(viaBatches, out, 'one table: the views are made in the same array');
  const viaPlain = packEntries(odd);
  assert.deepEqual(viaBatches, viaPlain);
  assert.deepEqual(viaBatches.map(fields), odd.map(fields));
  viaBatches[1]!.facts = { sha256: 'cd' };
  assert.deepEqual(viaBatches[1]!.facts, { sha256: 'cd' });
  assert.equal(viaBatches[0]!.facts, undefined);
  assert.notDeepEqual(viaBatches, viaPlain, 'the facts are part of what is compared');
});

test('a layer read in pieces (spans, each its own array) and concatenated packs into one table', () => {
  const pieces = [odd.slice(0, 3), odd.slice(3, 4), odd.slice(4)].map((list) => {
    const out: Entry[] = [];
    for (let i = 0; i < list.length; i += 2) appendEntries(structuredClone(entryColumns(list.slice(i, i + 2))), out);
    return out;
  });
  const joined = pieces[0]!.concat(...pieces.slice(1));
  const packed = packEntries(joined);
  assert.equal(packed, joined, 'the views are made in the joined array');
  assert.deepEqual(packed.map(fields), odd.map(fields));
  assert.deepEqual(packed, packEntries(odd), 'the same table as from plain entries');
  // Stand-ins that are not whole tables in order are refused (read: throws), not packed wrongly.
  const a: Entry[] = [];
  appendEntries(structuredClone(entryColumns(odd.slice(0, 3))), a);
  assert.throws(() => packEntries(a.slice(1)), /read before assembleImage/);
});

test('a repeated layer gets its own entries and its own copies of the facts', () => {
  const first = packEntries(odd);
  const again = packEntries(first, true);
  assert.notEqual(again[4], first[4]);
  assert.deepEqual(again[4]!.facts, { sha256: 'ab' });
  assert.notEqual(again[4]!.facts, first[4]!.facts);
  assert.deepEqual(again.map(fields), odd.map(fields));
});

test('entries that crossed a thread by structured clone are views again', () => {
  const layers = [{ index: 0, entries: packEntries(odd) }];
  const copy = structuredClone(layers);
  assert.equal(copy[0]!.entries[0]!.kind, undefined, 'the clone lost the class');
  const revived = revivePackedEntries(copy);
  assert.ok(revived[0]!.entries[0] instanceof PackedEntry);
  assert.ok((revived[0]!.entries[0] as PackedEntry).table instanceof EntryTable);
  assert.deepEqual(revived[0]!.entries.map(fields), odd.map(fields));
});
