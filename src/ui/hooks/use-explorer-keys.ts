import { useInput } from 'ink';
import { noteKey } from '../input-quiet.js';
import type { Dispatch, SetStateAction } from 'react';
import {
  deleteChar,
  reduce,
  scopeOf,
  typeText,
  type ExplorerState,
  type FrameContext,
} from '../../state/explorer-state.js';
import { matchCommand } from '../../state/keymap.js';

export interface KeyHandlers {
  readonly setState: Dispatch<SetStateAction<ExplorerState>>;
  /** The frame the keys act on (read when the key arrives). */
  readonly ctx: () => FrameContext;
  readonly quit: () => void;
  readonly exportPlan: (s: ExplorerState) => void;
  /** A message left by the last key that should go at the next one (e.g. "fix list written"). */
  readonly pendingMessage: () => boolean;
  readonly clearMessage: () => void;
}

/** The key loop: each key is a command of the keymap for the current scope, applied by `reduce`. */
export function useExplorerKeys(h: KeyHandlers): void {
  useInput((input, key) => {
    noteKey();
    if (key.ctrl && input === 'c') return h.quit();
    h.setState((s0) => {
      // Keys typed faster than the terminal reads arrive as one string ("jjj"): outside the text fields,
      // each character is its own key.
      const split = input.length > 1 && !key.ctrl && !key.meta && scopeOf(s0) !== 'search' && scopeOf(s0) !== 'filter';
      let s = s0;
      for (const ch of split ? [...input] : [input]) {
        const scope = scopeOf(s);
        const cmd = matchCommand(scope, ch, split ? {} : key);
        if (cmd === 'quit') {
          queueMicrotask(h.quit);
          return s;
        }
        if (cmd === 'export') {
          const snapshot = s;
          queueMicrotask(() => h.exportPlan(snapshot));
          continue;
        }
        if (h.pendingMessage()) queueMicrotask(h.clearMessage);
        if (cmd) s = reduce(s, cmd, h.ctx());
        else if (scope === 'search' || scope === 'filter') {
          if (key.backspace || key.delete) s = deleteChar(s);
          else if (
            ch !== '' &&
            !key.ctrl &&
            !key.meta &&
            !key.tab &&
            !key.return &&
            !key.escape &&
            !key.upArrow &&
            !key.downArrow
          )
            s = typeText(s, ch);
        }
      }
      return s;
    });
  });
}
