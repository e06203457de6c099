// Cluster mode: one reflector per indexed resource (every namespace) feeding
// one ClusterStateIndex. The index holds only what policies read; the
// reflectors hold only keys and resourceVersions; objects are projected to
// the indexed fields as they arrive. Each reflector batch (a watch event, or
// a whole relist) is applied synchronously, so a request reading current()
// never sees half of a relist.
//
// Ready means every resource was listed completely once. If the API server
// is unreachable the source stays unready and keeps retrying: it never falls
// back to local files, which would give verdicts on state that is not the
// cluster's.
//
// With a heap guard, a cache that outgrows the heap is dropped rather than
// left to kill the process: the reflectors stop, the index empties, and the
// source stays unready for good with a message naming the limit to raise
// (every review is then denied with it, and /readyz says it). An incomplete
// cache would give verdicts that miss objects, so there is no half way.
import type { Clock } from "../../clock.ts";
import type { BackoffOptions } from "../../backoff.ts";
import type { ListWatchClient } from "../../kube/list-watch-client.ts";
import type { KubeObject } from "../../kube/object-key.ts";
import { tombstone } from "../../kube/object-key.ts";
import { Reflector } from "../../kube/reflector.ts";
import type { ReflectorBatch, ReflectorStatus } from "../../kube/reflector-types.ts";
import type { ResourceRef } from "../../kube/resource.ts";
import type { Logger } from "../../logger.ts";
import { describeHeap } from "../../memory/heap-guard.ts";
import type { HeapGuard, HeapReading } from "../../memory/heap-guard.ts";
import { silentLogger } from "../../logger.ts";
import { ClusterStateIndex } from "../cluster-state-index.ts";
import type { ClusterCelValue, ClusterStateCounts } from "../cluster-state-index.ts";
import { projectForIndex } from "./index-projection.ts";
import { INDEXED_RESOURCES } from "./indexed-resources.ts";
import { Listeners } from "./listeners.ts";
import type { ClusterSourceStatus, StateSource } from "./state-source.ts";

export interface ClusterStateSourceOptions {
  client: ListWatchClient;
  /** For logs and describe(); default the client's own description. */
  description?: string;
  logger?: Logger;
  clock?: Clock;
  random?: () => number;
  pageSize?: number;
  backoff?: BackoffOptions;
  /** Default INDEXED_RESOURCES; only tests narrow it. */
  resources?: readonly ResourceRef[];
  /** Drops the cache and reports when live data outgrows the heap: a started guard (serve passes one; without it nothing watches). */
  heapGuard?: HeapGuard;
}

/** Why the cache was dropped: the heap reading and what the index held then (part of a list, if it was being applied). */
export interface HeapLimitReached {
  reading: HeapReading;
  counts: ClusterStateCounts;
  message: string;
}

/** Changes applied between two synchronous heap checks (a check costs about a microsecond; 1,000 objects about 2 MB). */
const HEAP_CHECK_EVERY = 1000;

export class ClusterStateSource implements StateSource {
  #index = new ClusterStateIndex();
  readonly #reflectors: Reflector<KubeObject>[];
  readonly #listeners: Listeners;
  readonly #logger: Logger;
  readonly #description: string;
  #announcedSync = false;
  readonly #heapGuard: HeapGuard | undefined;
  #unsubscribeHeap: (() => void) | undefined;
  #heapLimitReached: HeapLimitReached | undefined;

  constructor(options: ClusterStateSourceOptions) {
    this.#logger = options.logger ?? silentLogger;
    this.#listeners = new Listeners(this.#logger);
    this.#description = options.description ?? options.client.describe();
    this.#reflectors = (options.resources ?? INDEXED_RESOURCES).map((resource) => {
      const reflector = new Reflector<KubeObject>({
        resource,
        client: options.client,
        transform: projectForIndex,
        logger: this.#logger,
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        ...(options.random === undefined ? {} : { random: options.random }),
        ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
        ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
      });
      reflector.addHandler((batch) => this.#apply(batch));
      return reflector;
    });
    this.#heapGuard = options.heapGuard;
  }

  async start(): Promise<void> {
    this.#logger.info(
      { server: this.#description, resources: this.#reflectors.map((r) => r.status().resource) },
      `cluster state: listing and watching ${this.#description}`,
    );
    // The guard is its creator's to start and stop (serve runs it for /metrics too); the source only listens.
    this.#unsubscribeHeap = this.#heapGuard?.onExceeded((reading) => this.#dropCache(reading));
    for (const reflector of this.#reflectors) reflector.start();
  }

  async stop(): Promise<void> {
    this.#unsubscribeHeap?.();
    await Promise.all(this.#reflectors.map((r) => r.stop()));
  }

  synced(): boolean {
    return this.#heapLimitReached === undefined && this.#reflectors.every((r) => r.hasSynced());
  }

  /** Set once the heap guard made the source drop its cache; it stays set. */
  heapLimitReached(): HeapLimitReached | undefined {
    return this.#heapLimitReached;
  }

  current(): ClusterCelValue {
    return this.#index.celValue();
  }

  counts(): ClusterStateCounts {
    return this.#index.counts();
  }

  describe(): string {
    return `cluster ${this.#description}`;
  }

  notReadyReason(): string | undefined {
    if (this.#heapLimitReached !== undefined) return this.#heapLimitReached.message;
    const waiting = this.#reflectors.filter((r) => !r.hasSynced()).map((r) => r.status());
    if (waiting.length === 0) return undefined;
    return waiting.map(describeWait).join("; ");
  }

  onChange(listener: () => void): () => void {
    return this.#listeners.add(listener);
  }

  status(): ClusterSourceStatus {
    return {
      mode: "cluster",
      synced: this.synced(),
      resources: this.#reflectors.map((r) => r.status()),
      ...(this.#heapLimitReached === undefined ? {} : { heapLimitReached: this.#heapLimitReached.message }),
    };
  }

  #apply(batch: ReflectorBatch<KubeObject>): void {
    // A batch already on its way when the cache was dropped is not applied.
    if (this.#heapLimitReached !== undefined) return;
    let applied = 0;
    for (const change of batch.changes) {
      // A first list of 100,000 objects is applied in one go: no collection callback runs meanwhile, so ask.
      if (++applied % HEAP_CHECK_EVERY === 0 && this.#heapGuard !== undefined) {
        const over = this.#heapGuard.overNow();
        if (over !== undefined) {
          this.#dropCache(over);
          return;
        }
      }
      if (change.type === "deleted") this.#index.remove(change.object ?? tombstone(batch.resource, change.key));
      else this.#index.upsert(change.object);
    }
    if (!this.#announcedSync && this.synced()) {
      this.#announcedSync = true;
      this.#logger.info({ server: this.#description, ...this.#index.counts() }, "cluster state synced: every resource listed; ready");
    }
    this.#listeners.notify();
  }

  #dropCache(reading: HeapReading): void {
    if (this.#heapLimitReached !== undefined) return;
    const counts = this.#index.counts();
    this.#heapLimitReached = {
      reading,
      counts,
      message: heapLimitMessage(
        reading,
        this.#reflectors.map((r) => r.status()),
      ),
    };
    this.#logger.error(
      { server: this.#description, heapUsedBytes: reading.usedBytes, heapLimitBytes: reading.limitBytes, ...counts },
      this.#heapLimitReached.message,
    );
    // Stopping the reflectors ends their lists and watches; a fresh index lets the collector take the old one.
    for (const reflector of this.#reflectors) void reflector.stop();
    this.#index = new ClusterStateIndex();
    this.#unsubscribeHeap?.();
    this.#listeners.notify();
  }
}

function heapLimitMessage(reading: HeapReading, resources: readonly ReflectorStatus[]): string {
  // The first 200 characters say what and how to fix: denials and /readyz clip long reasons there.
  const held = resources.map((r) => (r.synced ? `${r.objects} ${r.resource}` : `${r.resource} still listing`)).join(", ");
  return (
    `the cluster cache outgrew the heap and was dropped (${describeHeap(reading)} in use): raise the webhook's resources.limits.memory and roll the Deployment. ` +
    `Until then every review is refused. Listed: ${held}; the heap is sized from the memory limit (see "Memory and scale" in deploy/README.md)`
  );
}

function describeWait(status: ReflectorStatus): string {
  const error = status.lastError === undefined ? "" : ` (last error: ${status.lastError.message})`;
  return `waiting for the first complete list of ${status.resource}${error}`;
}
