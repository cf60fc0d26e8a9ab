// The explorer mounted on an analysis at 160×40 without colour, with helpers to press keys until a frame
// shows something, read the status line and the row under the cursor, and jump to a file through search.
import { createElement } from 'react';
import { render } from 'ink-testing-library';
import { App, type AppProps } from '../../src/ui/app.js';
import type { Analysis } from '../../src/model/analysis.js';
import { modelPredictors } from '../../src/model/plan/model-predictors.js';
import { KEY, stripAnsi, waitFor } from './ink.js';

export const W = 160;
export const LEFT = Math.min(60, Math.floor(W * 0.4));

export function mountApp(analysis: Analysis, extra: Partial<AppProps> = {}) {
  const r = render(
    createElement(App, {
      analysis,
      width: W,
      height: 40,
      color: false,
      predictors: modelPredictors(analysis.image),
      ...extra,
    }),
  );
  const frame = (): string => stripAnsi(r.lastFrame() ?? '');
  const press = async (keys: string, until: (f: string) => boolean, what: string): Promise<string> => {
    if (keys.startsWith('\x1b') || keys.length === 1) r.stdin.write(keys);
    else
      for (const k of keys) {
        r.stdin.write(k);
        await new Promise((res) => setImmediate(res));
      }
    await waitFor(() => until(frame()), what).catch((e: Error) => {
      throw new Error(`${e.message}\n${frame()}`);
    });
    return frame();
  };
  return { ...r, frame, press };
}

export type MountedApp = ReturnType<typeof mountApp>;

export const status = (f: string): string => f.split('\n').at(-1) ?? '';
export const cursorRowText = (f: string): string =>
  f
    .split('\n')
    .map((l) => l.slice(LEFT))
    .find((l) => /^│>/.test(l)) ?? '';

/** `/` search for `query`, Enter, and wait until the cursor row shows `name`. */
export async function jump(ui: MountedApp, query: string, name: string): Promise<string> {
  await ui.press('/', (f) => f.includes('Search:'), 'search');
  await ui.press(query, (f) => f.includes(query), 'hits');
  return ui.press(KEY.enter, (f) => !f.includes('Search:') && cursorRowText(f).includes(name), `jump to ${name}`);
}
