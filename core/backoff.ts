// Capped exponential backoff for retries against the API server, with
// optional jitter. Jitter spreads the reconnects of many webhook replicas
// after an API server restart, so they do not all arrive in the same instant;
// the certificate manager uses none (replicas already check on independent
// schedules, and a fixed sequence keeps its logs predictable).

export interface BackoffOptions {
  /** First delay, in ms. */
  initialMs: number;
  /** No delay exceeds this, in ms. */
  maxMs: number;
  /** Growth per consecutive failure. */
  factor: number;
  /** 0..1: a delay d is drawn from [d × (1 − jitter), d]. */
  jitter: number;
}

/** Close to client-go's reflector backoff (800 ms initial, 30 s cap, factor 2). */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 30_000, factor: 2, jitter: 0.5 };

export class Backoff {
  readonly #options: BackoffOptions;
  readonly #random: () => number;
  #failures = 0;

  /** @param random a uniform number in [0, 1), Math.random in production */
  constructor(options: BackoffOptions, random: () => number) {
    const problems = backoffProblems(options);
    if (problems.length > 0) throw new RangeError(`invalid backoff options: ${problems.join("; ")}`);
    this.#options = options;
    this.#random = random;
  }

  /** Consecutive failures since the last reset. */
  get failures(): number {
    return this.#failures;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    this.#failures++;
    return Math.round(backoffDelay(this.#failures, this.#options) * (1 - this.#options.jitter * this.#random()));
  }

  /** After a success: the next failure starts from the initial delay again. */
  reset(): void {
    this.#failures = 0;
  }
}

/**
 * The delay before attempt `failures + 1`, after `failures` (>= 1)
 * consecutive failures, before jitter: `initialMs`, growing by `factor`,
 * capped at `maxMs`.
 */
export function backoffDelay(failures: number, options: Pick<BackoffOptions, "initialMs" | "maxMs" | "factor">): number {
  return Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(failures - 1, 0));
}

function backoffProblems(o: BackoffOptions): string[] {
  const problems: string[] = [];
  if (!(o.initialMs > 0)) problems.push(`initialMs must be > 0 (got ${o.initialMs})`);
  if (!(o.maxMs >= o.initialMs)) problems.push(`maxMs must be >= initialMs (got ${o.maxMs})`);
  if (!(o.factor >= 1)) problems.push(`factor must be >= 1 (got ${o.factor})`);
  if (!(o.jitter >= 0 && o.jitter <= 1)) problems.push(`jitter must be within 0..1 (got ${o.jitter})`);
  return problems;
}
