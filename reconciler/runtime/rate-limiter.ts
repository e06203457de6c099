// How long a key waits before it is retried, as client-go's workqueue rate
// limiters decide it: per key, a backoff that doubles with each failure of
// that key; overall, a token bucket so that a burst of failures across many
// keys cannot hammer the API server; and the two combined by taking the
// longer delay (client-go's MaxOfRateLimiter, DefaultControllerRateLimiter).
import { backoffDelay } from "../../core/backoff.ts";
import type { Clock } from "../../core/clock.ts";
import { TokenBucketRateLimiter } from "./token-bucket-rate-limiter.ts";

export interface RateLimiter {
  /** The delay before the key's next attempt; each call counts one more retry of it. */
  when(key: string): number;
  /** The key succeeded: its next failure starts from the shortest delay again. */
  forget(key: string): void;
  /** Retries counted for the key since it was last forgotten. */
  numRequeues(key: string): number;
}

export interface ItemExponentialOptions {
  /** The first retry's delay; default 5 ms, as client-go. */
  baseMs?: number;
  /** No delay exceeds this; default 5 minutes (client-go's 1000 s is longer than any operator waits). */
  maxMs?: number;
}

/** Per key: baseMs, 2 × baseMs, 4 × baseMs, ... capped at maxMs. */
export class ItemExponentialRateLimiter implements RateLimiter {
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #failures = new Map<string, number>();

  constructor(options: ItemExponentialOptions = {}) {
    const baseMs = options.baseMs ?? 5;
    const maxMs = options.maxMs ?? 5 * 60_000;
    if (!(baseMs > 0)) throw new RangeError(`baseMs must be > 0 (got ${baseMs})`);
    if (!(maxMs >= baseMs)) throw new RangeError(`maxMs must be >= baseMs (got ${maxMs})`);
    this.#baseMs = baseMs;
    this.#maxMs = maxMs;
  }

  when(key: string): number {
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    return backoffDelay(failures, { initialMs: this.#baseMs, maxMs: this.#maxMs, factor: 2 });
  }

  forget(key: string): void {
    // Deleted, not zeroed: a controller sees every key it ever reconciled.
    this.#failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.#failures.get(key) ?? 0;
  }
}

/** Asks every limiter (so each keeps counting) and waits for the longest. */
export class MaxOfRateLimiter implements RateLimiter {
  readonly #limiters: readonly RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    if (limiters.length === 0) throw new RangeError("MaxOfRateLimiter needs at least one limiter");
    this.#limiters = limiters;
  }

  when(key: string): number {
    return Math.max(...this.#limiters.map((l) => l.when(key)));
  }

  forget(key: string): void {
    for (const limiter of this.#limiters) limiter.forget(key);
  }

  numRequeues(key: string): number {
    return Math.max(...this.#limiters.map((l) => l.numRequeues(key)));
  }
}

/** client-go's DefaultControllerRateLimiter: 5 ms doubling to 5 minutes per key, and 10 retries/s (burst 100) overall. */
export function defaultControllerRateLimiter(clock: Clock): RateLimiter {
  return new MaxOfRateLimiter(new ItemExponentialRateLimiter(), new TokenBucketRateLimiter({ perSecond: 10, burst: 100 }, clock));
}
