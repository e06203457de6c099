// Evaluation bounds. @bufbuild/cel has no cost budget, and JavaScript cannot
// pre-empt a synchronous evaluation, so we bound it from the inside: every
// comprehension's loop condition is rewritten at compile time to pass through
// `__hg_tick` (see prepareForPlanning in ast.ts), which charges the budget of the evaluation
// now running. Past the iteration limit or the deadline the budget is spent:
// the tick fails, and the caller treats the whole expression as failed (the
// result is discarded even if CEL's error absorption, e.g. `true || err`,
// produced a value), so an exhausted budget can never turn into a pass.

export interface EvaluationLimits {
  /** Comprehension iterations one policy may spend on one request, across all its expressions. */
  maxIterations: number;
  /** Wall-clock milliseconds one request may spend evaluating policies. */
  timeoutMs: number;
}

export const DEFAULT_LIMITS: EvaluationLimits = { maxIterations: 1_000_000, timeoutMs: 250 };

/** How often (in iterations) the deadline is read: reading a clock per iteration would dominate. */
const CLOCK_EVERY = 1024;

export class EvaluationBudget {
  readonly maxIterations: number;
  readonly deadline: number;
  readonly #now: () => number;
  iterations = 0;
  /** Why the budget is spent, or undefined while it is not. */
  exhausted: string | undefined;

  readonly timeoutMs: number;

  /**
   * @param deadline absolute time (on `now`'s clock) shared by every budget of
   *   one request; defaults to now + limits.timeoutMs.
   */
  constructor(limits: EvaluationLimits, now: () => number = performance.now.bind(performance), deadline?: number) {
    this.maxIterations = limits.maxIterations;
    this.timeoutMs = limits.timeoutMs;
    this.#now = now;
    this.deadline = deadline ?? now() + limits.timeoutMs;
  }

  /** Charges one iteration; returns false once the budget is spent. */
  tick(): boolean {
    if (this.exhausted !== undefined) return false;
    this.iterations++;
    if (this.iterations > this.maxIterations) {
      this.exhausted = `evaluation exceeded its budget of ${this.maxIterations} iterations`;
      return false;
    }
    if (this.iterations % CLOCK_EVERY === 0) return this.checkDeadline();
    return true;
  }

  /** Reads the clock; returns false (and marks the budget spent) once the deadline has passed. */
  checkDeadline(): boolean {
    if (this.exhausted !== undefined) return false;
    if (this.#now() > this.deadline) {
      this.exhausted = `evaluation exceeded its deadline of ${this.timeoutMs} ms`;
      return false;
    }
    return true;
  }
}

// The budget charged by `__hg_tick`. Evaluation is synchronous and
// single-threaded, so one slot suffices; runWithBudget restores the previous
// value so nested use (a test inside a test) stays correct.
let active: EvaluationBudget | undefined;

export function activeBudget(): EvaluationBudget | undefined {
  return active;
}

export function runWithBudget<T>(budget: EvaluationBudget, fn: () => T): T {
  const previous = enterBudget(budget);
  try {
    return fn();
  } finally {
    leaveBudget(previous);
  }
}

/**
 * Makes `budget` the active one and returns the one it replaces, which the
 * caller must hand to leaveBudget in a `finally`. The closure-free form of
 * runWithBudget, for the per-expression hot path.
 */
export function enterBudget(budget: EvaluationBudget): EvaluationBudget | undefined {
  const previous = active;
  active = budget;
  return previous;
}

export function leaveBudget(previous: EvaluationBudget | undefined): void {
  active = previous;
}

/**
 * What `__hg_tick(condition)` does, for both engines: charges one iteration
 * to the active budget and lets the loop go on only while the condition
 * holds and the budget lasts. The condition's own value is kept when no
 * budget is active (evaluation outside runWithBudget).
 */
export function chargeTick(condition: boolean): boolean {
  const budget = active;
  if (budget === undefined) return condition;
  return budget.tick() && condition;
}
