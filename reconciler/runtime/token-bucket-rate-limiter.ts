// An overall limit on retries, whatever the key: a token bucket holding up
// to `burst` tokens, refilled at `perSecond`. Like golang.org/x/time/rate's
// Reserve (behind client-go's BucketRateLimiter) it never refuses: a retry
// that finds the bucket empty takes a token it does not have yet, and waits
// until that token would have arrived. The bucket then goes negative, so
// the retries behind it queue up at the refill rate.
import type { Clock } from "../../core/clock.ts";
import type { RateLimiter } from "./rate-limiter.ts";

export interface TokenBucketOptions {
  /** Tokens added per second. */
  perSecond: number;
  /** Bucket size: retries allowed at once after a quiet spell. */
  burst: number;
}

export class TokenBucketRateLimiter implements RateLimiter {
  readonly #perSecond: number;
  readonly #burst: number;
  readonly #clock: Clock;
  /** Thousandths of a token: with whole milliseconds and a whole rate, refills stay exact. */
  #milliTokens: number;
  #updated: number;

  constructor(options: TokenBucketOptions, clock: Clock) {
    if (!(options.perSecond > 0)) throw new RangeError(`perSecond must be > 0 (got ${options.perSecond})`);
    if (!(Number.isInteger(options.burst) && options.burst >= 1)) throw new RangeError(`burst must be an integer >= 1 (got ${options.burst})`);
    this.#perSecond = options.perSecond;
    this.#burst = options.burst;
    this.#clock = clock;
    this.#milliTokens = options.burst * 1000;
    this.#updated = clock.now();
  }

  when(_key: string): number {
    const now = this.#clock.now();
    // A clock stepped backwards refills nothing (and takes nothing back).
    const elapsed = Math.max(0, now - this.#updated);
    this.#milliTokens = Math.min(this.#burst * 1000, this.#milliTokens + elapsed * this.#perSecond);
    this.#updated = now;
    this.#milliTokens -= 1000;
    return this.#milliTokens >= 0 ? 0 : Math.ceil(-this.#milliTokens / this.#perSecond);
  }

  /** The bucket is shared by every key: nothing per key to forget. */
  forget(_key: string): void {}

  numRequeues(_key: string): number {
    return 0;
  }
}
