// A client-go style reflector for one resource: list it completely, then
// watch from the list's resourceVersion, and keep consumers' stores equal to
// the server's collection whatever the network does.
//
// - A watch that ends (the server's timeout, an idle or broken connection)
//   resumes from the last resourceVersion seen, after a jittered backoff
//   that resets once a watch proves healthy. No relist: nothing was lost.
// - A 410 Gone (as an ERROR event or as the watch's HTTP status) means the
//   server no longer has the history since that version: relist, and hand
//   consumers the difference between what they hold and the new list
//   (deletions included) as one synchronous batch.
// - It keeps no objects: only each object's key and resourceVersion, which
//   is what computing that difference needs. Objects pass through
//   `transform` (keep only what the consumer reads) as soon as they arrive.
import type { Clock } from "../clock.ts";
import { systemClock } from "../clock.ts";
import type { Logger } from "../logger.ts";
import { silentLogger } from "../logger.ts";
import { errorFromStatus, isExpired, KubeApiError, remedyFor } from "./api-error.ts";
import { Backoff, DEFAULT_BACKOFF } from "../backoff.ts";
import type { BackoffOptions } from "../backoff.ts";
import { listAllPages } from "./list-pages.ts";
import type { ListWatchClient, WatchEvent, WatchHandle } from "./list-watch-client.ts";
import type { KubeObject, ObjectKey } from "./object-key.ts";
import { formatKey, keyOf, resourceVersionOf } from "./object-key.ts";
import type { ResourceRef } from "./resource.ts";
import { apiVersionOf, describeResource, resourceProblems } from "./resource.ts";
import type { ReflectorBatch, ReflectorChange, ReflectorError, ReflectorHandler, ReflectorPhase, ReflectorStatus } from "./reflector-types.ts";

export interface ReflectorOptions<T> {
  resource: ResourceRef;
  client: ListWatchClient;
  /** Shrinks each object to what consumers need; runs once per object received. */
  transform: (object: KubeObject) => T;
  logger?: Logger;
  clock?: Clock;
  /** Uniform in [0, 1): backoff jitter and watch timeouts. */
  random?: () => number;
  /** List page size; default 500 (client-go's pager default). */
  pageSize?: number;
  backoff?: BackoffOptions;
  /** Watch timeouts are drawn from [min, 2 × min) seconds; default 300, as client-go. */
  minWatchTimeoutSeconds?: number;
  /** A watch closed sooner than this without any event counts as a failure; default 1000 ms. */
  minHealthyWatchMs?: number;
}

type WatchOutcome =
  | { kind: "closed"; healthy: boolean }
  | { kind: "expired"; error: KubeApiError }
  | { kind: "error"; error: KubeApiError }
  | { kind: "stopped" };

interface Received<T> {
  key: ObjectKey;
  id: string;
  resourceVersion: string;
  object: T;
}

/** Continue-token restarts within one list before it counts as a failure. */
const MAX_LIST_RESTARTS = 3;

export class Reflector<T> {
  readonly resource: ResourceRef;
  readonly #name: string;
  readonly #client: ListWatchClient;
  readonly #transform: (object: KubeObject) => T;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #pageSize: number;
  readonly #backoff: Backoff;
  /** Between relists forced by watches that expire before delivering anything. */
  readonly #relistBackoff: Backoff;
  readonly #minWatchTimeoutSeconds: number;
  readonly #minHealthyWatchMs: number;

  #handlers: ReflectorHandler<T>[] = [];
  /** Key (`namespace/name`) → resourceVersion of every object consumers hold. */
  #versions = new Map<string, string>();
  #resourceVersion = "";
  #synced = false;
  #phase: ReflectorPhase = "idle";
  #started = false;
  #stopped = false;
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #endWatch: (() => void) | undefined;
  #watch: WatchHandle | undefined;
  #counters = { lists: 0, relists: 0, listRestarts: 0, watches: 0, events: 0, bookmarks: 0, errors: 0 };
  #lastSyncTime: number | undefined;
  #lastEventTime: number | undefined;
  #lastError: ReflectorError | undefined;
  #nextAttemptTime: number | undefined;

  constructor(options: ReflectorOptions<T>) {
    const problems = resourceProblems(options.resource);
    if (options.pageSize !== undefined && !(Number.isInteger(options.pageSize) && options.pageSize > 0))
      problems.push(`pageSize must be a positive integer (got ${options.pageSize})`);
    if (problems.length > 0) throw new RangeError(`cannot build a reflector: ${problems.join("; ")}`);
    this.resource = options.resource;
    this.#name = describeResource(options.resource);
    this.#client = options.client;
    this.#transform = options.transform;
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#pageSize = options.pageSize ?? 500;
    this.#backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF, this.#random);
    this.#relistBackoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF, this.#random);
    this.#minWatchTimeoutSeconds = options.minWatchTimeoutSeconds ?? 300;
    this.#minHealthyWatchMs = options.minHealthyWatchMs ?? 1000;
  }

  /**
   * Registers a consumer; returns a function that unregisters it. Only
   * before start(): the reflector keeps no objects to replay to a late one.
   */
  addHandler(handler: ReflectorHandler<T>): () => void {
    if (this.#started) throw new Error(`reflector for ${this.#name}: add handlers before start(); it keeps no objects to replay to a late handler`);
    this.#handlers.push(handler);
    return () => {
      this.#handlers = this.#handlers.filter((h) => h !== handler);
    };
  }

  /** Starts listing and watching in the background; failures are retried, never thrown. */
  start(): void {
    if (this.#started) throw new Error(`reflector for ${this.#name} was already started; build a new one`);
    this.#started = true;
    if (this.#stopped) return;
    this.#running = this.#run().catch((error: unknown) => {
      // Every expected failure is handled inside; this is a bug, said loudly.
      this.#phase = "stopped";
      this.#logger.error({ resource: this.#name, err: error }, `reflector for ${this.#name} crashed and stopped`);
    });
  }

  /** Aborts the list or watch in flight and cancels pending retries; resolves once fully stopped. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#phase = "stopped";
    this.#stop.abort();
    this.#wake?.();
    this.#watch?.abort();
    this.#endWatch?.();
    await this.#running;
  }

  /** True once the first complete list is delivered (already during the handlers' call for it). */
  hasSynced(): boolean {
    return this.#synced;
  }

  status(): ReflectorStatus {
    return {
      resource: this.#name,
      phase: this.#phase,
      synced: this.#synced,
      objects: this.#versions.size,
      resourceVersion: this.#resourceVersion,
      ...(this.#lastSyncTime === undefined ? {} : { lastSyncTime: this.#lastSyncTime }),
      ...(this.#lastEventTime === undefined ? {} : { lastEventTime: this.#lastEventTime }),
      ...(this.#lastError === undefined ? {} : { lastError: { ...this.#lastError } }),
      ...(this.#phase === "waiting" && this.#nextAttemptTime !== undefined ? { nextAttemptTime: this.#nextAttemptTime } : {}),
      ...this.#counters,
      consecutiveFailures: this.#backoff.failures,
    };
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.#list();
      } catch (error) {
        if (this.#stopped) return;
        await this.#sleep(this.#failed("list", error));
        continue;
      }
      if (this.#stopped) return;
      this.#backoff.reset();
      await this.#watchUntilExpired();
    }
  }

  /** Lists everything, then delivers the difference from what consumers hold as one batch. */
  async #list(): Promise<void> {
    this.#phase = "listing";
    const started = this.#clock.now();
    let received: Received<T>[] = [];
    const result = await listAllPages(this.#client, this.resource, {
      limit: this.#pageSize,
      signal: this.#stop.signal,
      maxRestarts: MAX_LIST_RESTARTS,
      onPage: (items) => {
        for (const item of items) {
          const r = this.#receive(item, "list item");
          if (r !== undefined) received.push(r);
        }
      },
      onRestart: (error) => {
        received = [];
        this.#counters.listRestarts++;
        this.#logger.info(
          { resource: this.#name, reason: error.reason },
          `list of ${this.#name}: the continue token expired; listing again from the start for a consistent snapshot`,
        );
      },
    });
    if (this.#stopped) return;
    const cause = this.#synced ? "relist" : "list";
    this.#replace(received, result.resourceVersion, cause);
    this.#logger.info(
      {
        resource: this.#name,
        objects: this.#versions.size,
        pages: result.pages,
        resourceVersion: result.resourceVersion,
        durationMs: this.#clock.now() - started,
        cause,
      },
      `listed ${this.#versions.size} ${this.#name}`,
    );
  }

  #replace(received: readonly Received<T>[], resourceVersion: string, cause: "list" | "relist"): void {
    const next = new Map<string, string>();
    const changes: ReflectorChange<T>[] = [];
    for (const r of received) {
      next.set(r.id, r.resourceVersion);
      const held = this.#versions.get(r.id);
      // An unchanged resourceVersion means an unchanged object: skip it.
      if (held === undefined) changes.push({ type: "added", key: r.key, object: r.object });
      else if (held !== r.resourceVersion || held === "") changes.push({ type: "modified", key: r.key, object: r.object });
    }
    for (const id of this.#versions.keys()) {
      if (!next.has(id)) changes.push({ type: "deleted", key: parseKey(id), object: undefined });
    }
    this.#versions = next;
    this.#resourceVersion = resourceVersion;
    // Already synced while handlers run, so a handler can tell the list completed the set.
    this.#synced = true;
    this.#counters.lists++;
    this.#lastSyncTime = this.#clock.now();
    this.#dispatch({ resource: this.resource, cause, changes });
  }

  async #watchUntilExpired(): Promise<void> {
    while (!this.#stopped) {
      const outcome = await this.#watchOnce();
      let delay: number;
      switch (outcome.kind) {
        case "stopped":
          return;
        case "expired": {
          this.#counters.relists++;
          // The first relist is immediate. Watches that keep expiring before
          // delivering anything (a confused server) get a growing pause
          // between relists, as client-go's backoff gives, so full lists do
          // not hammer the API server.
          const first = this.#relistBackoff.failures === 0;
          const pause = this.#relistBackoff.next();
          delay = first ? 0 : pause;
          this.#logger.info(
            { resource: this.#name, resourceVersion: this.#resourceVersion, reason: outcome.error.reason, relistInMs: delay },
            `watch of ${this.#name}: resourceVersion ${this.#resourceVersion} is gone; relisting`,
          );
          if (delay > 0) await this.#sleep(delay);
          return;
        }
        case "closed":
          if (outcome.healthy) this.#backoff.reset();
          delay = this.#backoff.next();
          this.#logger.debug({ resource: this.#name, resourceVersion: this.#resourceVersion, retryInMs: delay }, `watch of ${this.#name} ended; resuming`);
          break;
        case "error":
          delay = this.#failed("watch", outcome.error);
          break;
      }
      await this.#sleep(delay);
    }
  }

  #watchOnce(): Promise<WatchOutcome> {
    if (this.#stopped) return Promise.resolve({ kind: "stopped" });
    return new Promise((resolve) => {
      const opened = this.#clock.now();
      let events = 0;
      let settled = false;
      const finish = (outcome: WatchOutcome): void => {
        if (settled) return;
        settled = true;
        this.#watch = undefined;
        this.#endWatch = undefined;
        resolve(outcome);
      };
      this.#endWatch = () => finish({ kind: "stopped" });
      this.#phase = "watching";
      this.#counters.watches++;
      let handle: WatchHandle | undefined;
      try {
        handle = this.#client.watch(
          this.resource,
          {
            resourceVersion: this.#resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: Math.floor(this.#minWatchTimeoutSeconds * (1 + this.#random())),
          },
          {
            onEvent: (event) => {
              if (settled) return;
              events++;
              const end = this.#apply(event);
              if (end === undefined) return;
              handle?.abort();
              finish(end);
            },
            onEnd: (error) => {
              if (error === undefined) finish({ kind: "closed", healthy: events > 0 || this.#clock.now() - opened >= this.#minHealthyWatchMs });
              else finish(isExpired(error) ? { kind: "expired", error } : { kind: "error", error: asKubeError(error) });
            },
          },
        );
      } catch (error) {
        finish({ kind: "error", error: asKubeError(error) });
        return;
      }
      if (settled) handle.abort();
      else this.#watch = handle;
    });
  }

  /** Applies one watch event; returns how the watch ends when the event ends it (ERROR). */
  #apply(event: WatchEvent): WatchOutcome | undefined {
    switch (event.type) {
      case "ADDED":
      case "MODIFIED":
      case "DELETED": {
        const r = this.#receive(event.object, `${event.type} event`);
        if (r === undefined) return undefined;
        let change: ReflectorChange<T> | undefined;
        if (event.type === "DELETED") {
          if (this.#versions.delete(r.id)) change = { type: "deleted", key: r.key, object: r.object };
        } else {
          change = { type: this.#versions.has(r.id) ? "modified" : "added", key: r.key, object: r.object };
          this.#versions.set(r.id, r.resourceVersion);
        }
        if (r.resourceVersion !== "") this.#resourceVersion = r.resourceVersion;
        this.#relistBackoff.reset();
        this.#counters.events++;
        this.#lastEventTime = this.#clock.now();
        if (change !== undefined) this.#dispatch({ resource: this.resource, cause: "watch", changes: [change] });
        return undefined;
      }
      case "BOOKMARK": {
        // A bookmark carries only a resourceVersion: the point to resume from.
        const rv = resourceVersionOf(event.object);
        if (rv === "") this.#logger.warn({ resource: this.#name }, `watch of ${this.#name}: a BOOKMARK without metadata.resourceVersion was ignored`);
        else {
          this.#resourceVersion = rv;
          this.#relistBackoff.reset();
          this.#counters.bookmarks++;
        }
        return undefined;
      }
      case "ERROR": {
        const error = errorFromStatus(event.object);
        return isExpired(error) ? { kind: "expired", error } : { kind: "error", error };
      }
      default:
        this.#logger.warn(
          { resource: this.#name, type: String(event.type) },
          `watch of ${this.#name}: an event of unknown type ${JSON.stringify(event.type)} was ignored`,
        );
        return undefined;
    }
  }

  /** Keys, versions and transforms one received object; undefined (logged) when unusable. */
  #receive(raw: unknown, what: string): Received<T> | undefined {
    const key = keyOf(raw);
    if (key === undefined) {
      this.#logger.warn({ resource: this.#name }, `${this.#name}: a ${what} without metadata.name was ignored`);
      return undefined;
    }
    const object = raw as KubeObject;
    // List items of built-in types come without apiVersion and kind; stores need both.
    if (typeof object.apiVersion !== "string" || object.apiVersion === "") object.apiVersion = apiVersionOf(this.resource);
    if (typeof object.kind !== "string" || object.kind === "") object.kind = this.resource.kind;
    try {
      return { key, id: formatKey(key), resourceVersion: resourceVersionOf(raw), object: this.#transform(object) };
    } catch (error) {
      this.#logger.error(
        { resource: this.#name, key: formatKey(key), err: error },
        `${this.#name} ${formatKey(key)}: the transform threw; the object was ignored`,
      );
      return undefined;
    }
  }

  #dispatch(batch: ReflectorBatch<T>): void {
    for (const handler of this.#handlers) {
      try {
        handler(batch);
      } catch (error) {
        this.#logger.error(
          { resource: this.#name, cause: batch.cause, err: error },
          `${this.#name}: a handler threw; it may have missed ${batch.changes.length} change(s)`,
        );
      }
    }
  }

  /** Records and logs a failed attempt; returns the delay before the next one. */
  #failed(operation: "list" | "watch", cause: unknown): number {
    const error = asKubeError(cause);
    const delay = this.#backoff.next();
    this.#counters.errors++;
    this.#lastError = { time: this.#clock.now(), operation, status: error.status, reason: error.reason, message: error.message };
    this.#logger.warn(
      { resource: this.#name, operation, status: error.status, reason: error.reason, retryInMs: delay, failures: this.#backoff.failures },
      `${operation} of ${this.#name} failed: ${error.message}; ${remedyFor(error, this.resource)}`,
    );
    return delay;
  }

  #sleep(ms: number): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#phase = "waiting";
    this.#nextAttemptTime = this.#clock.now() + ms;
    return new Promise((resolve) => {
      const wake = (): void => {
        this.#wake = undefined;
        this.#nextAttemptTime = undefined;
        resolve();
      };
      const timer = this.#clock.setTimeout(wake, ms);
      this.#wake = () => {
        this.#clock.clearTimeout(timer);
        wake();
      };
    });
  }
}

/** Inverse of formatKey: names and namespaces never contain "/". */
function parseKey(id: string): ObjectKey {
  const slash = id.indexOf("/");
  return slash < 0 ? { name: id } : { namespace: id.slice(0, slash), name: id.slice(slash + 1) };
}

function asKubeError(error: unknown): KubeApiError {
  if (error instanceof KubeApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new KubeApiError(message, 0, "Unknown", { cause: error });
}
