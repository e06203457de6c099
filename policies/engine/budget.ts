// Evaluation bounds. @bufbuild/cel has no cost budget, and JavaScript cannot
// pre-empt a synchronous evaluation, so we bound it from the inside:
//
// - every comprehension's loop condition is rewritten at compile time to pass
//   through `__hg_tick` (see prepareForPlanning in ast.ts), which charges one
//   iteration to the budget of the evaluation now running;
// - every call whose work grows with the size of its inputs (split, join,
//   replace, `+` on strings, `==` on lists, `in`, matches...) charges cost
//   units before it does the work (see cost.ts), on both engines.
//
// Past the iteration limit, a cost limit or the deadline the budget is spent:
// the tick or the call fails, and the caller treats the whole expression as
// failed (the result is discarded even if CEL's error absorption, e.g.
// `true || err`, produced a value), so an exhausted budget can never turn
// into a pass.

export interface EvaluationLimits {
  /** Comprehension iterations one policy may spend on one request, across all its expressions. */
  maxIterations: number;
  /** Wall-clock milliseconds one request may spend evaluating policies. */
  timeoutMs: number;
  /** Cost units (cost.ts) one evaluation of one expression may spend; default DEFAULT_MAX_EXPRESSION_COST. */
  maxExpressionCost?: number;
  /** Cost units all policies of one request may spend together; default DEFAULT_MAX_REQUEST_COST. */
  maxRequestCost?: number;
}

/** Kubernetes' per-expression limit (PerCallLimit) for CRD validation rules. */
export const DEFAULT_MAX_EXPRESSION_COST = 1_000_000;
/** Kubernetes' runtime budget (RuntimeCELCostBudget) for one ValidatingAdmissionPolicy evaluation. */
export const DEFAULT_MAX_REQUEST_COST = 10_000_000;

export const DEFAULT_LIMITS: EvaluationLimits = {
  maxIterations: 1_000_000,
  timeoutMs: 250,
  maxExpressionCost: DEFAULT_MAX_EXPRESSION_COST,
  maxRequestCost: DEFAULT_MAX_REQUEST_COST,
};

/**
 * How often (in iterations) the deadline is read: reading a clock (about
 * 50 ns) per iteration would dominate. A loop body may hold 8,192 characters
 * of free operations: 360 list literals compared (`[x, x, x, x] != []`) took
 * 0.2 ms an iteration, so reading every 1,024 iterations let a loop run
 * 210 ms past the deadline; every 128, 26 ms.
 */
const CLOCK_EVERY = 128;
/** How often (in cost units, about 160 KiB of string traversal) the deadline is read. */
const CLOCK_EVERY_COST = 16_384;

/** What a cost limit's message adds, so a policy author knows where the cost comes from. */
const COST_HINT = `(calls are charged by the size of their inputs and output; see "Bounds" in the README)`;

/** The cost units one request has spent, shared by the budgets of all its policies and phases. */
export class RequestCost {
  spent = 0;
}

export class EvaluationBudget {
  readonly maxIterations: number;
  readonly deadline: number;
  readonly #now: () => number;
  iterations = 0;
  /** Why the budget is spent, or undefined while it is not. */
  exhausted: string | undefined;

  readonly timeoutMs: number;
  readonly maxExpressionCost: number;
  readonly maxRequestCost: number;
  /** Cost units the expression now evaluating has spent (its variables, evaluated inside it, count for themselves). */
  expressionCost = 0;
  /** Cost units this budget has charged, over all its expressions. */
  cost = 0;
  readonly #request: RequestCost;
  #costSinceClock = 0;

  /**
   * @param deadline absolute time (on `now`'s clock) shared by every budget of
   *   one request; defaults to now + limits.timeoutMs.
   * @param request the request's cost, shared by every budget of one request; defaults to this budget's own.
   */
  constructor(limits: EvaluationLimits, now: () => number = performance.now.bind(performance), deadline?: number, request?: RequestCost) {
    this.maxIterations = limits.maxIterations;
    this.timeoutMs = limits.timeoutMs;
    this.maxExpressionCost = limits.maxExpressionCost ?? DEFAULT_MAX_EXPRESSION_COST;
    this.maxRequestCost = limits.maxRequestCost ?? DEFAULT_MAX_REQUEST_COST;
    this.#now = now;
    this.deadline = deadline ?? now() + limits.timeoutMs;
    this.#request = request ?? new RequestCost();
  }

  /**
   * Charges cost units for work about to be done; returns false (and marks
   * the budget spent) when they do not fit the expression's or the request's
   * limit, or the deadline has passed. The caller must then not do the work.
   */
  charge(units: number): boolean {
    if (this.exhausted !== undefined) return false;
    this.expressionCost += units;
    this.cost += units;
    const request = this.#request;
    request.spent += units;
    if (this.expressionCost > this.maxExpressionCost) {
      this.exhausted = `evaluation exceeded its cost limit of ${this.maxExpressionCost} units per expression ${COST_HINT}`;
      return false;
    }
    if (request.spent > this.maxRequestCost) {
      this.exhausted = `evaluation exceeded the request's cost limit of ${this.maxRequestCost} units for all policies ${COST_HINT}`;
      return false;
    }
    this.#costSinceClock += units;
    if (this.#costSinceClock >= CLOCK_EVERY_COST) {
      this.#costSinceClock = 0;
      return this.checkDeadline();
    }
    return true;
  }

  /** Units left before a cost limit: bounds how far a size measurement needs to look (cost.ts). */
  remainingCost(): number {
    if (this.exhausted !== undefined) return 0;
    return Math.max(0, Math.min(this.maxExpressionCost - this.expressionCost, this.maxRequestCost - this.#request.spent));
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

/**
 * Charges cost units to the active budget, for both engines (cost.ts says how
 * many a call costs). Throws an Error carrying the budget's reason when they
 * do not fit, before the caller does the work: the planner turns it into an
 * error at the call, the fast path throws it as one (see compiled/costs.ts).
 * Without an active budget (evaluation outside runWithBudget) nothing is charged.
 */
export function chargeCost(units: number): void {
  const budget = active;
  if (budget === undefined || units === 0) return;
  if (!budget.charge(units)) throw new Error(budget.exhausted);
}
