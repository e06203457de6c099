// Runs a reconcile function over the keys of a work queue, as
// controller-runtime does: a fixed number of workers (bounded concurrency),
// never the same key twice at once (the queue sees to that), a failed key
// retried with backoff, a succeeded key's backoff forgotten, and a key
// re-examined later when the reconcile asks for it.
import type { Clock, TimerHandle } from "../../core/clock.ts";
import { systemClock } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";
import { silentLogger } from "../../core/logger.ts";
import { WorkQueue } from "./work-queue.ts";

export interface ReconcileResult {
  /** Reconcile the key again after this long even if nothing changes (0: as soon as a worker is free). */
  requeueAfterMs?: number;
}

/**
 * Brings the world in line with the object behind `key`. Throwing means
 * "retry with backoff". `signal` aborts when the controller gives up
 * waiting for it during stop(). A reconcile with nothing to ask returns
 * nothing (Promise<void>).
 */
export type Reconcile = (key: string, signal: AbortSignal) => Promise<ReconcileResult | undefined> | Promise<void>;

export interface ControllerOptions {
  /** Names the controller in logs and metrics. */
  name: string;
  /** The controller owns it (stop() shuts it down); default a WorkQueue on `clock`. */
  queue?: WorkQueue;
  reconcile: Reconcile;
  /** Reconciles running at once; default 2. */
  workers?: number;
  logger?: Logger;
  clock?: Clock;
}

export interface ControllerStats {
  /** Reconciles started. */
  reconciles: number;
  /** Reconciles that threw. */
  errors: number;
  /** Keys the controller put back: after an error, or because the reconcile asked to. */
  requeues: number;
  /** Reconciles running now. */
  inFlight: number;
  /** Keys ready for a worker. */
  queued: number;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  readonly #reconcile: Reconcile;
  readonly #workers: number;
  readonly #logger: Logger;
  readonly #clock: Clock;
  /** Aborted when stop() stops waiting politely. */
  readonly #abort = new AbortController();
  #running: Promise<void>[] = [];
  #started = false;
  #stopping: Promise<void> | undefined;
  #counts = { reconciles: 0, errors: 0, requeues: 0 };
  #inFlight = 0;

  constructor(options: ControllerOptions) {
    const workers = options.workers ?? 2;
    if (!(Number.isInteger(workers) && workers >= 1)) throw new RangeError(`controller ${options.name}: workers must be an integer >= 1 (got ${workers})`);
    this.name = options.name;
    this.#clock = options.clock ?? systemClock;
    this.queue = options.queue ?? new WorkQueue({ clock: this.#clock });
    this.#reconcile = options.reconcile;
    this.#workers = workers;
    this.#logger = options.logger ?? silentLogger;
  }

  /** Asks for the key to be reconciled; duplicates collapse while it waits. */
  enqueue(key: string): void {
    this.queue.add(key);
  }

  /** Starts the workers. Keys enqueued before start() wait for it. */
  start(): void {
    if (this.#started) throw new Error(`controller ${this.name} was already started; build a new one`);
    this.#started = true;
    if (this.#stopping !== undefined) return;
    for (let i = 0; i < this.#workers; i++) this.#running.push(this.#work());
    this.#logger.info({ controller: this.name, workers: this.#workers }, `controller ${this.name} started with ${this.#workers} workers`);
  }

  /**
   * Takes no more keys, lets the reconciles in flight finish, and aborts
   * their signal if they have not after `timeoutMs`. Resolves once every
   * reconcile has returned; a reconcile that ignores its signal delays that.
   */
  stop(timeoutMs: number): Promise<void> {
    this.#stopping ??= this.#stop(timeoutMs);
    return this.#stopping;
  }

  stats(): ControllerStats {
    return { ...this.#counts, inFlight: this.#inFlight, queued: this.queue.len() };
  }

  async #stop(timeoutMs: number): Promise<void> {
    this.queue.shutDown();
    let timer: TimerHandle | undefined;
    if (this.#inFlight > 0) {
      timer = this.#clock.setTimeout(() => {
        this.#logger.warn(
          { controller: this.name, inFlight: this.#inFlight, timeoutMs },
          `controller ${this.name}: ${this.#inFlight} reconcile(s) still running ${timeoutMs} ms after stop; aborting them`,
        );
        this.#abort.abort(new Error(`controller ${this.name} is stopping`));
      }, timeoutMs);
    }
    await Promise.all(this.#running);
    if (timer !== undefined) this.#clock.clearTimeout(timer);
    this.#logger.info({ controller: this.name, ...this.#counts }, `controller ${this.name} stopped`);
  }

  async #work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      // Keys still queued at shutdown are handed out; a stopping controller leaves them.
      if (this.#stopping !== undefined) {
        this.queue.done(key);
        return;
      }
      await this.#reconcileOne(key);
    }
  }

  async #reconcileOne(key: string): Promise<void> {
    this.#inFlight++;
    this.#counts.reconciles++;
    const started = this.#clock.now();
    try {
      const result = await this.#reconcile(key, this.#abort.signal);
      this.queue.forget(key);
      this.#requeueIfAsked(key, result ?? undefined);
      this.#logger.debug({ controller: this.name, key, durationMs: this.#clock.now() - started }, `${this.name}: reconciled ${key}`);
    } catch (error) {
      this.#failed(key, error);
    } finally {
      this.queue.done(key);
      this.#inFlight--;
    }
  }

  #requeueIfAsked(key: string, result: ReconcileResult | undefined): void {
    const after = result?.requeueAfterMs;
    if (after === undefined) return;
    if (!(typeof after === "number" && Number.isFinite(after) && after >= 0)) {
      this.#logger.warn(
        { controller: this.name, key, requeueAfterMs: String(after) },
        `${this.name}: reconcile of ${key} asked for requeueAfterMs ${String(after)}, which is not a duration; ignored`,
      );
      return;
    }
    if (this.queue.isShuttingDown()) return;
    this.queue.addAfter(key, after);
    this.#counts.requeues++;
  }

  /** One log line per failure: the key and the message, no stack (it reaches operators, not debuggers). */
  #failed(key: string, error: unknown): void {
    this.#counts.errors++;
    const message = error instanceof Error ? error.message : String(error);
    if (this.queue.isShuttingDown()) {
      this.#logger.error(
        { controller: this.name, key, error: message },
        `${this.name}: reconciling ${key} failed: ${message}; not retried, the controller is stopping`,
      );
      return;
    }
    const retryInMs = this.queue.addRateLimited(key);
    this.#counts.requeues++;
    this.#logger.error(
      { controller: this.name, key, error: message, retryInMs, failures: this.queue.numRequeues(key) },
      `${this.name}: reconciling ${key} failed: ${message}; retrying in ${retryInMs} ms`,
    );
  }
}
