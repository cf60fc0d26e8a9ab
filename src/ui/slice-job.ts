import type { Steps } from '../model/steps.js';
import { quietWait } from './input-quiet.js';

/**
 * Runs a sliced computation (model/steps.ts) on the main thread in slices of `budgetMs`, handing the event
 * loop back between slices (setImmediate: pending keys are read and drawn first), and waiting while keys come
 * (input-quiet.ts). `finish` runs the rest at once, for a key that needs the value now.
 */
export class SliceJob<T> {
  private timer: NodeJS.Immediate | undefined;
  private wait: NodeJS.Timeout | undefined;
  private value: { v: T } | undefined;
  private cancelled = false;

  constructor(
    private readonly steps: Steps<T>,
    private readonly onDone: (value: T) => void,
    private readonly budgetMs = 6,
  ) {}

  start(): this {
    if (this.timer || this.wait || this.value || this.cancelled) return this;
    this.timer = setImmediate(() => this.slice());
    return this;
  }

  private slice(): void {
    this.timer = undefined;
    this.wait = undefined;
    if (this.cancelled || this.value) return;
    const quiet = quietWait();
    if (quiet > 0) {
      this.wait = setTimeout(() => this.slice(), quiet);
      return;
    }
    let now = performance.now();
    const end = now + this.budgetMs;
    for (;;) {
      const r = this.steps.next();
      if (r.done) return this.done(r.value);
      // Stop when the next step, if it takes as long as the last one, would end past the budget: checking only
      // for "past the end" let every slice overrun by up to a step (8 ms median, 30 ms p95 on the 1M-file image).
      const t = performance.now();
      const step = t - now;
      now = t;
      if (now + step >= end) break;
    }
    this.timer = setImmediate(() => this.slice());
  }

  private done(v: T): void {
    this.value = { v };
    this.onDone(v);
  }

  /** The value now: the remaining steps run at once. */
  finish(): T {
    if (this.value) return this.value.v;
    if (this.timer) clearImmediate(this.timer);
    if (this.wait) clearTimeout(this.wait);
    this.timer = undefined;
    this.wait = undefined;
    for (;;) {
      const r = this.steps.next();
      if (r.done) {
        this.done(r.value);
        return r.value;
      }
    }
  }

  cancel(): void {
    this.cancelled = true;
    if (this.timer) clearImmediate(this.timer);
    if (this.wait) clearTimeout(this.wait);
  }
}
