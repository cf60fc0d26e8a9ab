/** Scrolling a cursor through `count` rows in a window of `height` rows, like ink-ui's visibleFromIndex. */

export const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/** The first visible row so that `cursor` is in view, moving `top` as little as possible. */
export function windowTop(top: number, cursor: number, count: number, height: number): number {
  const h = Math.max(1, height);
  let t = top;
  if (cursor < t) t = cursor;
  if (cursor >= t + h) t = cursor - h + 1;
  return clamp(t, 0, Math.max(0, count - h));
}

export type Move = 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end';

/** The cursor after a move; page moves keep the cursor's place in the window, like dive. */
export function moveCursor(cursor: number, move: Move, count: number, height: number): number {
  if (count <= 0) return 0;
  const page = Math.max(1, height - 1);
  switch (move) {
    case 'up':
      return clamp(cursor - 1, 0, count - 1);
    case 'down':
      return clamp(cursor + 1, 0, count - 1);
    case 'pageUp':
      return clamp(cursor - page, 0, count - 1);
    case 'pageDown':
      return clamp(cursor + page, 0, count - 1);
    case 'home':
      return 0;
    case 'end':
      return count - 1;
  }
}
