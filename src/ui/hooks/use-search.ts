import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { FileTree } from '../../model/file-tree.js';
import { searchIndex, SearchJob, type SearchHit, type SearchResult } from '../../state/search.js';

const EMPTY_SEARCH: SearchResult = { hits: [], total: 0 };
/** Paths looked at per slice between visits to the event loop, and the most time a slice takes (ms): a key
 * typed while a slice runs waits for it. */
const SLICE_NODES = 20_000;
const SLICE_MS = 2;
/**
 * The least time between two frames of a running search's progress (ms). A frame of the whole explorer costs a
 * few ms; drawn after every slice, a key typed meanwhile waited for a slice and a frame before its own (measured
 * on the bench's 83k-path image: search keystrokes a median 20 ms, p95 35–55 ms, with 5 ms slices each drawn).
 */
const PROGRESS_FRAME_MS = 40;
/** The slice that runs inside the keystroke's own render: small, so the typed character shows at once; the hits
 * fill in from the slices after it (measured on the bench's 83k-path image, the first search after the analyses:
 * 20,000 paths there made the keystroke's frame a median 37 ms; 3,000 paths / 3 ms, 13–18 ms, p95 26–32 ms;
 * 1,000 / 1 ms with the time checked every 64 paths, 7–9 ms, p95 12–25 ms). */
const FIRST_SLICE_NODES = 1_000;
const FIRST_SLICE_MS = 1;

export interface Search {
  readonly result: SearchResult;
  /** The hits for `query` as far as known now (keys can outrun frames: Enter on a query typed this turn). */
  readonly hitsFor: (query: string) => readonly SearchHit[];
}

/**
 * The `/` finder while it is open: each query is a job over every path, run in slices (the first at once,
 * the rest between keys), results shown as they come; a new query drops the old job.
 */
export function useSearch(tree: FileTree, open: boolean, query: string): Search {
  const job = useRef<SearchJob | undefined>(undefined);
  const [, setTick] = useState(0);
  const jobFor = useCallback(
    (q: string): SearchJob => {
      if (!job.current || job.current.query !== q || job.current.index !== searchIndex(tree)) {
        job.current = new SearchJob(searchIndex(tree), q);
        job.current.step(FIRST_SLICE_NODES, performance.now() + FIRST_SLICE_MS);
      }
      return job.current;
    },
    [tree],
  );
  const current = open ? jobFor(query) : undefined;
  useEffect(() => {
    if (!current || current.done) return;
    let drawn = performance.now();
    let timer: NodeJS.Immediate | undefined = setImmediate(function slice() {
      timer = undefined;
      if (job.current !== current) return;
      const now = performance.now();
      const done = current.step(SLICE_NODES, now + SLICE_MS);
      if (done || now - drawn >= PROGRESS_FRAME_MS) {
        drawn = now;
        setTick((n) => n + 1);
      }
      if (!done) timer = setImmediate(slice);
    });
    return () => {
      if (timer) clearImmediate(timer);
    };
  }, [current]);
  const result = current ? current.result() : EMPTY_SEARCH;
  // A key on the list (Enter, ↑/↓) acts on every hit, not on the slices run so far: the rest runs now.
  const hitsFor = useCallback(
    (q: string) => {
      const j = jobFor(q);
      while (!j.step(65_536));
      return j.result().hits;
    },
    [jobFor],
  );
  return useMemo(() => ({ result, hitsFor }), [result, hitsFor]);
}
