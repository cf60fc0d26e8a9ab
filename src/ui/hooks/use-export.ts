import { useCallback, useRef, useState } from 'react';
import type { Analysis } from '../../model/analysis.js';
import type { PlanAction, WasteReport } from '../../model/plan/index.js';
import type { PlanProjector } from '../../state/plan-projector.js';
import { EXPORT_NAMES, exportTexts } from '../../state/plan-view.js';
import type { WriteExport } from '../../model/ports.js';

export interface ExportState {
  readonly message: string;
  /** The message as of now (key handling runs outside render). */
  readonly messageNow: () => string;
  readonly clearMessage: () => void;
  /** E: the fix list (markdown) and the plan file, by name, in the working directory. */
  readonly run: (actions: readonly PlanAction[]) => Promise<void>;
}

export interface ExportInput {
  readonly analysis: Analysis;
  readonly projector: PlanProjector;
  readonly waste: () => WasteReport;
  readonly recommended: () => readonly PlanAction[];
  readonly writeExport: WriteExport | undefined;
  /** Resolves when the analysis is complete (the content pass in): the export waits for it. */
  readonly ready?: () => Promise<void>;
}

export function useExport(p: ExportInput): ExportState {
  const [message, setMessage] = useState('');
  const ref = useRef(message);
  ref.current = message;
  const input = useRef(p);
  input.current = p;
  const run = useCallback(async (actions: readonly PlanAction[]): Promise<void> => {
    if (!input.current.writeExport) return setMessage('export is not available here');
    setMessage('exporting…');
    try {
      await input.current.ready?.();
      // Read after the wait: the analysis (and its projector) may have been completed meanwhile.
      const { analysis, projector, writeExport } = input.current;
      if (!writeExport) return setMessage('export is not available here');
      const recommendedUsed = actions.length === 0;
      const list = recommendedUsed ? input.current.recommended() : actions;
      const texts = exportTexts(
        analysis,
        projector.forExport(list, input.current.waste()),
        list,
        projector.codec,
        recommendedUsed,
      );
      const mdPath = await writeExport(EXPORT_NAMES.fixList, texts.markdown);
      await writeExport(EXPORT_NAMES.plan, texts.planFile);
      setMessage(`fix list written to ${mdPath}${recommendedUsed ? ' (recommended plan)' : ''} + ${EXPORT_NAMES.plan}`);
    } catch (e) {
      setMessage(`export failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }, []);
  const clearMessage = useCallback(() => setMessage(''), []);
  const messageNow = useCallback(() => ref.current, []);
  return { message, messageNow, clearMessage, run };
}
