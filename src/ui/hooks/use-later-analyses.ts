import { useCallback, useEffect, useRef, useState } from 'react';
import type { Analysis } from '../../model/analysis.js';
import { classifyWasteSteps, type WasteReport } from '../../model/plan/index.js';
import type { BinaryOptions } from '../../model/libc/binaries.js';
import { PENDING_BINARIES, withBinaries, type LaterAnalysis } from '../../state/later-analyses.js';
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
}

/**
 * The analyses that finish after the first frame: the binaries report (libc resolution, verdicts, findings)
 * when the CLI left it pending, then the waste classes, classified in slices so keys stay answered. Each
 * starts after the frame before it is drawn (a timer after the commit).
 */
/** Runs `run` after the current frame; returns a cancel function. */
export type Scheduler = (run: () => void) => () => void;

export const afterFrame: Scheduler = (run) => {
  const t = setTimeout(run, 0);
  return () => clearTimeout(t);
};

export function useLaterAnalyses(
  first: Analysis,
  schedule: Scheduler = afterFrame,
  binaryOptions: BinaryOptions = {},
): LaterAnalyses {
  const [analysis, setAnalysis] = useState(first);
  const [waste, setWaste] = useState<WasteReport | undefined>(() => wasteReportIfReady(first));
  const binariesPending = analysis.binaries === PENDING_BINARIES;
  const job = useRef<SliceJob<WasteReport> | undefined>(undefined);
  // The latest scheduler (a new function each render is fine: the effects below do not re-run for it).
  const scheduleRef = useRef(schedule);
  // The options of the libc pass (the CPU level for glibc-hwcaps) are fixed for the run.
  const optionsRef = useRef(binaryOptions);
  scheduleRef.current = schedule;
  useEffect(() => setAnalysis(first), [first]);
  useEffect(() => {
    if (!binariesPending) return;
    return scheduleRef.current(() =>
      setAnalysis((a) => (a.binaries === PENDING_BINARIES ? withBinaries(a, optionsRef.current) : a)),
    );
  }, [binariesPending]);
  const classify = useCallback((): SliceJob<WasteReport> => {
    job.current ??= new SliceJob(classifyWasteSteps(first), (r) => {
      keepWasteReport(first, r);
      // Called from `finish` inside key handling too: the state follows in a microtask.
      queueMicrotask(() => setWaste(r));
    });
    return job.current;
  }, [first]);
  useEffect(() => {
    if (waste || binariesPending) return;
    return scheduleRef.current(() => classify().start());
  }, [waste, binariesPending, classify]);
  useEffect(() => () => job.current?.cancel(), []);
  const ensureWaste = useCallback(
    (): WasteReport => wasteReportIfReady(first) ?? classify().finish(),
    [first, classify],
  );
  const pending: LaterAnalysis[] = [
    ...(binariesPending ? (['ELF/libc'] as const) : []),
    ...(waste ? [] : (['waste classes'] as const)),
  ];
  return { analysis, waste, pending, ensureWaste };
}
