// A per-person bound on dry runs and on real writes: each costs the API
// server an admission round trip (the webhook's policies included), and the
// form asks for a dry run a few hundred milliseconds after each keystroke.
// A token bucket per identity (`burst` at once, refilled at `perSecond`)
// refuses what is over the rate (the page answers 429; the next keystroke
// asks again), unlike the reconciler's bucket, which delays instead. Buckets
// that are full again hold nothing worth keeping and are forgotten, so the
// map stays as small as the number of people typing right now.
import type { Clock } from "../core/clock.ts";

export interface RateOptions {
  perSecond: number;
  burst: number;
}

export const DEFAULT_DRY_RUN_RATE: Readonly<RateOptions> = { perSecond: 5, burst: 10 };

/**
 * Real writes (create, replace, delete) per person: each is a click, so a
 * person deleting rows one after another stays well inside it, while a script
 * looping on the API is held to the API server's pace for one person.
 */
export const DEFAULT_WRITE_RATE: Readonly<RateOptions> = { perSecond: 2, burst: 10 };

interface Bucket {
  /** Thousandths of a token: refills in whole milliseconds stay exact. */
  milliTokens: number;
  updated: number;
}

export class IdentityRateLimit {
  readonly #perSecond: number;
  readonly #burst: number;
  readonly #clock: Clock;
  readonly #buckets = new Map<string, Bucket>();
  #swept = Number.NEGATIVE_INFINITY;

  constructor(options: RateOptions, clock: Clock) {
    if (!(options.perSecond > 0)) throw new RangeError(`perSecond must be > 0 (got ${options.perSecond})`);
    if (!(Number.isInteger(options.burst) && options.burst >= 1)) throw new RangeError(`burst must be an integer >= 1 (got ${options.burst})`);
    this.#perSecond = options.perSecond;
    this.#burst = options.burst;
    this.#clock = clock;
  }

  /** Takes a token for `key` if one is there; false when the person is over the rate. */
  take(key: string): boolean {
    const now = this.#clock.now();
    this.#forgetFull(now);
    const bucket = this.#buckets.get(key) ?? { milliTokens: this.#burst * 1000, updated: now };
    this.#refill(bucket, now);
    if (bucket.milliTokens < 1000) {
      this.#buckets.set(key, bucket);
      return false;
    }
    bucket.milliTokens -= 1000;
    this.#buckets.set(key, bucket);
    return true;
  }

  /** People with a bucket that is not full (tests). */
  size(): number {
    return this.#buckets.size;
  }

  #refill(bucket: Bucket, now: number): void {
    // A clock stepped backwards refills nothing.
    const elapsed = Math.max(0, now - bucket.updated);
    bucket.milliTokens = Math.min(this.#burst * 1000, bucket.milliTokens + elapsed * this.#perSecond);
    bucket.updated = now;
  }

  /** At most once a second, so a take costs O(1) amortised. */
  #forgetFull(now: number): void {
    if (now - this.#swept < 1000) return;
    this.#swept = now;
    for (const [key, bucket] of this.#buckets) {
      this.#refill(bucket, now);
      if (bucket.milliTokens >= this.#burst * 1000) this.#buckets.delete(key);
    }
  }
}
