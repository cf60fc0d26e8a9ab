import { useCallback, useRef, useState } from 'react';
import type { Analysis } from '../../model/analysis.js';
import type { Entry } from '../../model/entry.js';
import type { PlanResult } from '../../state/plan-projector.js';
import { addUpxAnswers, NO_UPX_ANSWERS, upxTargetsToAsk, type UpxAnswers } from '../../state/upx-answers.js';
import type { UpxModel } from '../../model/ports.js';

export interface UpxModelState {
  /** The model's answers so far: an input of the projection (new answers, new predictors). */
  readonly answers: UpxAnswers;
  /** Requests in flight. */
  readonly busy: number;
  readonly message: string;
  /** Hands the files of a projected plan the model was not asked about yet to the model (each file once). */
  readonly ask: (r: PlanResult) => void;
}

/**
 * The real UPX model (re-reads the packed files from the source): UPX actions are shown with the rough guess
 * at once; the answers land in this hook's state and flow into the projection from there.
 */
export function useUpxModel(analysis: Analysis, model: UpxModel | undefined): UpxModelState {
  const [answers, setAnswers] = useState<UpxAnswers>(NO_UPX_ANSWERS);
  const [busy, setBusy] = useState(0);
  const [message, setMessage] = useState('');
  // Entries handed to the model already (answered, failed or in flight): never asked twice.
  const asked = useRef(new Set<Entry>());
  const ask = useCallback(
    (r: PlanResult): void => {
      if (!model) return;
      const targets = upxTargetsToAsk(analysis, r, asked.current);
      if (targets.length === 0) return;
      for (const t of targets) asked.current.add(t.entry);
      setBusy((n) => n + 1);
      Promise.resolve()
        .then(() => model(targets))
        .then(
          (res) => {
            setMessage(res.note ? `UPX: ${res.note}` : '');
            setAnswers((a) => addUpxAnswers(a, res));
          },
          (e: unknown) =>
            setMessage(
              `UPX model failed, rough guess kept: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
            ),
        )
        .finally(() => setBusy((n) => n - 1));
    },
    [analysis, model],
  );
  return { answers, busy, message, ask };
}
