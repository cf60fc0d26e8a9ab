/** A replacement of whole lines: old lines [from, to) (0-based) become `lines`. `from === to` inserts. */
export interface LineEdit {
  readonly from: number;
  readonly to: number;
  readonly lines: readonly string[];
}

const CONTEXT = 3;

const range = (start: number, count: number): string => (count === 1 ? `${start}` : `${start},${count}`);

/**
 * A unified diff (`--- a/NAME`, `+++ b/NAME`, 3 lines of context) turning `oldText` into the text with the
 * edits applied. Edits must not overlap; they are applied in line order. Applies with `patch -p1`.
 */
export function unifiedDiff(name: string, oldText: string, edits: readonly LineEdit[]): string {
  const endsWithNewline = oldText.endsWith('\n');
  const old = (endsWithNewline ? oldText.slice(0, -1) : oldText).split('\n');
  const sorted = [...edits].sort((a, b) => a.from - b.from || a.to - b.to);
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.from < sorted[i - 1]!.to) throw new Error('overlapping edits');
  if (sorted.length === 0) return '';
  // Group edits whose contexts touch into hunks.
  const groups: LineEdit[][] = [];
  for (const e of sorted) {
    const g = groups[groups.length - 1];
    if (g && e.from - g[g.length - 1]!.to <= 2 * CONTEXT) g.push(e);
    else groups.push([e]);
  }
  const out = [`--- a/${name}`, `+++ b/${name}`];
  let shift = 0; // new line numbers minus old ones, before the current hunk
  for (const g of groups) {
    const start = Math.max(0, g[0]!.from - CONTEXT);
    const end = Math.min(old.length, g[g.length - 1]!.to + CONTEXT);
    const body: string[] = [];
    let oldCount = 0;
    let newCount = 0;
    let at = start;
    for (const e of g) {
      for (; at < e.from; at++, oldCount++, newCount++) body.push(` ${old[at]}`);
      for (; at < e.to; at++, oldCount++) body.push(`-${old[at]}`);
      for (const l of e.lines) {
        body.push(`+${l}`);
        newCount++;
      }
    }
    for (; at < end; at++, oldCount++, newCount++) body.push(` ${old[at]}`);
    const oldStart = oldCount === 0 ? start : start + 1;
    const newStart = newCount === 0 ? start + shift : start + shift + 1;
    out.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@`, ...body);
    if (!endsWithNewline && end === old.length) out.push('\\ No newline at end of file');
    shift += newCount - oldCount;
  }
  return `${out.join('\n')}\n`;
}

/** The text with the edits applied (what `patch` makes of the diff). */
export function applyEdits(oldText: string, edits: readonly LineEdit[]): string {
  const endsWithNewline = oldText.endsWith('\n');
  const old = (endsWithNewline ? oldText.slice(0, -1) : oldText).split('\n');
  const out: string[] = [];
  let at = 0;
  for (const e of [...edits].sort((a, b) => a.from - b.from)) {
    out.push(...old.slice(at, e.from), ...e.lines);
    at = e.to;
  }
  out.push(...old.slice(at));
  return `${out.join('\n')}${endsWithNewline ? '\n' : ''}`;
}
