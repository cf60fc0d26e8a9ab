import { useCallback, useEffect, useState } from 'react';
import type { Analysis } from '../../model/analysis.js';
import type { WasteReport } from '../../model/plan/index.js';
import { wasteReportIfReady, wasteReportOf } from '../../state/waste-classes.js';

export interface WasteClasses {
  /** The waste classes once classified (undefined while they are). */
  readonly report: WasteReport | undefined;
  /** The waste classes now (classifies at once when not ready: the recommended plan and export need them). */
  readonly ensure: () => WasteReport;
}

/** The waste classes, classified after the frame that first wants them (`wanted`), then kept. */
export function useWasteClasses(analysis: Analysis, wanted: boolean): WasteClasses {
  const [report, setReport] = useState<WasteReport | undefined>(() => wasteReportIfReady(analysis));
  const ensure = useCallback((): WasteReport => {
    const r = wasteReportOf(analysis);
    // Called from key handling (inside a state update): the state follows in a microtask.
    queueMicrotask(() => setReport(r));
    return r;
  }, [analysis]);
  useEffect(() => {
    if (!wanted || report) return;
    const t = setTimeout(() => setReport(wasteReportOf(analysis)), 0);
    return () => clearTimeout(t);
  }, [wanted, report, analysis]);
  return { report, ensure };
}
