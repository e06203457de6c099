// How much impact scanning a webhook does in all, across reviews. One scan
// (module-impact.ts) stops at its own budget (1.5 s), but it runs on the
// webhook's one event loop: every other review waits while it does. Without a
// shared bound, a few PolicyModule writes in a row (dry runs included) hold
// up every team's route reviews past the webhook's timeout, and failurePolicy
// Fail then denies them. So the webhook spends at most `totalMs` of scanning
// per rolling `windowMs`; a PolicyModule write that finds it spent is still
// admitted (the warning is advice), and says the impact was not computed now.
import { performance } from "node:perf_hooks";

/** Scanning time a webhook may still spend now, shared by every review it answers. */
export interface ImpactBudget {
  /** Milliseconds of scanning that may be spent now (0 or less: none). */
  available(): number;
  /** Records a scan that took `ms`, ending now. */
  spend(ms: number): void;
}

/** At most one scan's own budget (DEFAULT_IMPACT_BUDGET_MS) per window: a second scan within 10 s gets what the first left. */
export const DEFAULT_SHARED_IMPACT_MS = 1500;
export const DEFAULT_IMPACT_WINDOW_MS = 10_000;

export interface RollingImpactBudgetOptions {
  /** Scanning allowed per window; default DEFAULT_SHARED_IMPACT_MS. */
  totalMs?: number;
  /** The window's length; default DEFAULT_IMPACT_WINDOW_MS. */
  windowMs?: number;
  /** A monotonic clock in ms; default performance.now (tests inject one). */
  now?: () => number;
}

/** At most `totalMs` of scanning in any `windowMs`: scans are remembered until they leave the window. */
export class RollingImpactBudget implements ImpactBudget {
  readonly #totalMs: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  /** Scans still in the window, oldest first: when each ended and what it took. */
  readonly #spent: { at: number; ms: number }[] = [];

  constructor(options: RollingImpactBudgetOptions = {}) {
    this.#totalMs = options.totalMs ?? DEFAULT_SHARED_IMPACT_MS;
    this.#windowMs = options.windowMs ?? DEFAULT_IMPACT_WINDOW_MS;
    this.#now = options.now ?? (() => performance.now());
    if (!(this.#totalMs > 0 && this.#windowMs > 0)) {
      throw new RangeError(`impact budget: totalMs and windowMs must be positive (got ${this.#totalMs} and ${this.#windowMs})`);
    }
  }

  available(): number {
    const now = this.#now();
    while (this.#spent.length > 0 && this.#spent[0]!.at <= now - this.#windowMs) this.#spent.shift();
    return this.#totalMs - this.#spent.reduce((sum, scan) => sum + scan.ms, 0);
  }

  spend(ms: number): void {
    if (ms > 0) this.#spent.push({ at: this.#now(), ms });
  }
}
