import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Analysis } from '../../model/analysis.js';
import { classifyWasteSteps, type WasteReport } from '../../model/plan/index.js';
import type { BinaryOptions } from '../../model/libc/binaries.js';
import {
  PENDING_BINARIES,
  metricsPending,
  metricsSteps,
  withBinaries,
  withKnownMetrics,
  type LaterAnalysis,
} from '../../state/later-analyses.js';
import { keepWasteReport, wasteReportIfReady } from '../../state/waste-classes.js';
import { SliceJob } from '../slice-job.js';

export interface LaterAnalyses {
  /** The analysis as far as it has got (a new object when the binaries report lands). */
  readonly analysis: Analysis;
  /** The waste classes once classified. */
  readonly waste: WasteReport | undefined;
  /** What is still running, for the status line and the views that show partial data. */
  readonly pending: readonly LaterAnalysis[];
  /** The waste classes now (the rest of the classification runs at once: the recommended plan and export need them). */
  readonly ensureWaste: () => WasteReport;
  /** Resolves when the content pass's analysis is rendered (at once when the image was read in full). */
  readonly ready: () => Promise<void>;
}

/**
 * The analyses that finish after the first frame: dive's metrics and the reclaimable bytes (in slices), the
 * binaries report (libc resolution, verdicts, findings) when the CLI left it pending, then the waste classes,
 * classified in slices so keys stay answered. Each starts after the frame before it is drawn (a timer after
 * the commit).
 */
/** Runs `run` after the current frame; returns a cancel function. */
export type Scheduler = (run: () => void) => () => void;

/**
 * The metrics' slices are short: they run right after the first frame, when keys start coming, and a key that
 * arrives during a slice waits for it.
 */
const METRICS_SLICE_MS = 2;

export const afterFrame: Scheduler = (run) => {
  const t = setTimeout(run, 0);
  return () => clearTimeout(t);
};

export function useLaterAnalyses(
  first: Analysis,
  schedule: Scheduler = afterFrame,
  binaryOptions: BinaryOptions = {},
  /** When the first frame came from the headers: starts the content pass (after this frame) and gives its analysis. */
  content?: () => Promise<Analysis>,
  /** A content pass that fails (a layer that turns out corrupt) ends the explorer with its error. */
  onContentError?: (e: Error) => void,
): LaterAnalyses {
  // The analysis the later ones start from: `first`, or — when the first frame came from the layers' headers —
  // the analysis once the content pass has put its facts in (digests, ELF, pull-size estimate).
  const [base, setBase] = useState(first);
  const [contentPending, setContentPending] = useState(content !== undefined);
  const [latest, setAnalysis] = useState(first);
  // Bumped when the metrics of the tree land: they are cached by the tree (later-analyses.ts) and filled in.
  const [metricsLanded, setMetricsLanded] = useState(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- metricsLanded: the cache behind withKnownMetrics changed
  const analysis = useMemo(() => withKnownMetrics(latest), [latest, metricsLanded]);
  const metricsReady = !metricsPending(analysis);
  const [waste, setWaste] = useState<WasteReport | undefined>(() => wasteReportIfReady(first));
  const binariesPending = analysis.binaries === PENDING_BINARIES;
  const job = useRef<{ base: Analysis; job: SliceJob<WasteReport> } | undefined>(undefined);
  const metricsJob = useRef<{ tree: Analysis['tree']; job: SliceJob<Analysis> } | undefined>(undefined);
  // The latest scheduler (a new function each render is fine: the effects below do not re-run for it).
  const scheduleRef = useRef(schedule);
  // The options of the libc pass (the CPU level for glibc-hwcaps) are fixed for the run.
  const optionsRef = useRef(binaryOptions);
  scheduleRef.current = schedule;
  const onErrorRef = useRef(onContentError);
  onErrorRef.current = onContentError;
  // Resolved once the content pass's analysis is the one rendered (an export waits for it).
  const settled = useRef<{ promise: Promise<void>; resolve: () => void } | undefined>(undefined);
  if (!settled.current) {
    let resolve = (): void => undefined;
    const promise = new Promise<void>((r) => (resolve = r));
    settled.current = { promise, resolve };
  }
  useEffect(() => setBase(first), [first]);
  useEffect(() => {
    if (!content) return;
    let live = true;
    // After the first frame: the content pass must not take the cores from the tree and the frame.
    const cancel = scheduleRef.current(() =>
      content().then(
        (a) => {
          if (!live) return;
          setBase(a);
          setContentPending(false);
        },
        (e: unknown) => {
          if (!live) return;
          setContentPending(false);
          onErrorRef.current?.(e instanceof Error ? e : new Error(String(e)));
        },
      ),
    );
    return () => {
      live = false;
      cancel();
    };
  }, [content]);
  useEffect(() => {
    setAnalysis(base);
    setWaste(wasteReportIfReady(base));
  }, [base]);
  useEffect(() => {
    if (!contentPending) settled.current!.resolve();
  }, [contentPending]);
  // dive's metrics and the reclaimable bytes of the tree (the same tree once the contents are in: not again).
  const metrics = useCallback((): SliceJob<Analysis> => {
    if (metricsJob.current?.tree !== base.tree) {
      metricsJob.current?.job.cancel();
      metricsJob.current = {
        tree: base.tree,
        // Called from `finish` inside key handling too: the state follows in a microtask.
        job: new SliceJob(
          metricsSteps(base),
          () => queueMicrotask(() => setMetricsLanded((n) => n + 1)),
          METRICS_SLICE_MS,
        ),
      };
    }
    return metricsJob.current.job;
  }, [base]);
  const baseMetricsPending = metricsPending(withKnownMetrics(base));
  useEffect(() => {
    if (!baseMetricsPending) return;
    return scheduleRef.current(() => metrics().start());
  }, [baseMetricsPending, metrics]);
  useEffect(() => {
    if (!binariesPending || contentPending || !metricsReady) return;
    return scheduleRef.current(() =>
      setAnalysis((a) => (a.binaries === PENDING_BINARIES ? withBinaries(a, optionsRef.current) : a)),
    );
  }, [binariesPending, contentPending, metricsReady]);
  const baseRef = useRef(base);
  baseRef.current = base;
  const classify = useCallback((): SliceJob<WasteReport> => {
    if (job.current?.base !== base) {
      job.current?.job.cancel();
      // The classes read the reclaimable bytes: those first (at once, when a key needs the classes now).
      let from = withKnownMetrics(base);
      if (metricsPending(from)) {
        metrics().finish();
        from = withKnownMetrics(base);
      }
      const key = base;
      job.current = {
        base: key,
        job: new SliceJob(classifyWasteSteps(from), (r) => {
          keepWasteReport(from, r);
          // Called from `finish` inside key handling too: the state follows in a microtask.
          queueMicrotask(() => setWaste((w) => (key === baseRef.current ? r : w)));
        }),
      };
    }
    return job.current.job;
  }, [base, metrics]);
  useEffect(() => {
    if (waste || binariesPending || contentPending || !metricsReady) return;
    return scheduleRef.current(() => classify().start());
  }, [waste, binariesPending, contentPending, metricsReady, classify]);
  useEffect(
    () => () => {
      job.current?.job.cancel();
      metricsJob.current?.job.cancel();
    },
    [],
  );
  // Before the contents are in, the classes are classified from what the headers say (no digests, so no
  // duplicates): shown as pending, and classified again when the contents land.
  const ensureWaste = useCallback((): WasteReport => wasteReportIfReady(base) ?? classify().finish(), [base, classify]);
  const pending: LaterAnalysis[] = [
    ...(contentPending ? (['contents'] as const) : []),
    ...(metricsReady ? [] : (['wasted bytes'] as const)),
    ...(binariesPending ? (['ELF/libc'] as const) : []),
    ...(waste ? [] : (['waste classes'] as const)),
  ];
  const ready = useCallback((): Promise<void> => settled.current!.promise, []);
  if (!content) settled.current.resolve();
  return { analysis, waste, pending, ensureWaste, ready };
}
