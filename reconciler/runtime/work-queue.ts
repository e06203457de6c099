// A rate-limiting work queue of object keys, with client-go's guarantees:
//
// - A key waiting is queued once, however often it is added: ten changes to
//   an object before a worker gets to it cost one reconcile, which reads the
//   latest state anyway.
// - A key is never handed to two workers at once. Added while a worker
//   holds it, it is marked dirty and queued again only when that worker
//   calls done(key), so the change is not lost and not processed in parallel.
// - Keys can come back later (addAfter) or after a per-key backoff plus an
//   overall limit (addRateLimited), through the injected Clock.
import type { Clock, TimerHandle } from "../../core/clock.ts";
import { systemClock } from "../../core/clock.ts";
import type { RateLimiter } from "./rate-limiter.ts";
import { defaultControllerRateLimiter } from "./rate-limiter.ts";

export interface WorkQueueOptions {
  clock?: Clock;
  /** Default: 5 ms doubling to 5 minutes per key, at most 10 retries/s (burst 100) overall. */
  rateLimiter?: RateLimiter;
}

interface Delayed {
  due: number;
  timer: TimerHandle;
}

export class WorkQueue {
  readonly #clock: Clock;
  readonly #limiter: RateLimiter;
  /** Keys ready for a worker, in arrival order; each at most once (a Set keeps insertion order). */
  readonly #queue = new Set<string>();
  /** Keys that need processing: those queued, and those re-added while being processed. */
  readonly #dirty = new Set<string>();
  /** Keys handed to a worker and not yet done. */
  readonly #processing = new Set<string>();
  /** Keys waiting out a delay before they are added. */
  readonly #delayed = new Map<string, Delayed>();
  /** Workers blocked in get(), first come first served. */
  #waiters: ((key: string | undefined) => void)[] = [];
  #drainWaiters: (() => void)[] = [];
  #shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#limiter = options.rateLimiter ?? defaultControllerRateLimiter(this.#clock);
  }

  /** Queues the key unless it is already waiting; ignored after shutDown. */
  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    // done(key) queues it: processing it now would race the worker holding it.
    if (this.#processing.has(key)) return;
    this.#queue.add(key);
    this.#handOut();
  }

  /**
   * The next key, once there is one; the caller must call done(key) after
   * processing it. Resolves undefined once shut down with nothing left queued.
   */
  get(): Promise<string | undefined> {
    const key = this.#take();
    if (key !== undefined) return Promise.resolve(key);
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** The worker has finished with the key; if it was added meanwhile, it is queued again now. */
  done(key: string): void {
    // Not held (a double done, a stranger's key): nothing to finish.
    if (!this.#processing.delete(key)) return;
    if (this.#dirty.has(key)) {
      this.#queue.add(key);
      this.#handOut();
    }
    if (this.#processing.size === 0) {
      for (const resolve of this.#drainWaiters.splice(0)) resolve();
    }
  }

  /**
   * Adds the key after `ms`. A key already waiting keeps the earlier of its
   * two times, as client-go's delaying queue does: one retry, at the sooner.
   */
  addAfter(key: string, ms: number): void {
    if (this.#shuttingDown) return;
    if (!(ms > 0)) {
      this.add(key);
      return;
    }
    const due = this.#clock.now() + ms;
    const waiting = this.#delayed.get(key);
    if (waiting !== undefined) {
      if (waiting.due <= due) return;
      this.#clock.clearTimeout(waiting.timer);
    }
    const timer = this.#clock.setTimeout(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, ms);
    this.#delayed.set(key, { due, timer });
  }

  /** Adds the key after the rate limiter's delay for it (which counts one more retry); returns that delay. */
  addRateLimited(key: string): number {
    const delay = this.#limiter.when(key);
    this.addAfter(key, delay);
    return delay;
  }

  /** The key succeeded: its backoff starts from the shortest delay again. Does not unqueue it. */
  forget(key: string): void {
    this.#limiter.forget(key);
  }

  /** Rate-limited retries of the key since it was last forgotten. */
  numRequeues(key: string): number {
    return this.#limiter.numRequeues(key);
  }

  /** Keys ready for a worker (not those being processed or waiting out a delay). */
  len(): number {
    return this.#queue.size;
  }

  /** Keys waiting out a delay (addAfter, addRateLimited). */
  delayedLen(): number {
    return this.#delayed.size;
  }

  isShuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /**
   * Takes no more keys: adds are ignored and delayed keys dropped. Keys
   * already queued are still handed out; after them get() resolves undefined.
   */
  shutDown(): void {
    this.#shuttingDown = true;
    for (const waiting of this.#delayed.values()) this.#clock.clearTimeout(waiting.timer);
    this.#delayed.clear();
    // Waiters exist only while nothing is queued: each is told there is no more.
    for (const resolve of this.#waiters.splice(0)) resolve(undefined);
  }

  /** shutDown(), then resolves once every key handed out is done. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #take(): string | undefined {
    const first = this.#queue.values().next();
    if (first.done === true) return undefined;
    const key = first.value;
    this.#queue.delete(key);
    this.#dirty.delete(key);
    this.#processing.add(key);
    return key;
  }

  #handOut(): void {
    while (this.#waiters.length > 0 && this.#queue.size > 0) {
      this.#waiters.shift()!(this.#take());
    }
  }
}
