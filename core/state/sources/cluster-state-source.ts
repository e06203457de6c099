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
import type { Clock } from "../../clock.ts";
import type { BackoffOptions } from "../../backoff.ts";
import type { ListWatchClient } from "../../kube/list-watch-client.ts";
import type { KubeObject } from "../../kube/object-key.ts";
import { tombstone } from "../../kube/object-key.ts";
import { Reflector } from "../../kube/reflector.ts";
import type { ReflectorBatch, ReflectorStatus } from "../../kube/reflector-types.ts";
import type { ResourceRef } from "../../kube/resource.ts";
import type { Logger } from "../../logger.ts";
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
}

export class ClusterStateSource implements StateSource {
  readonly #index = new ClusterStateIndex();
  readonly #reflectors: Reflector<KubeObject>[];
  readonly #listeners: Listeners;
  readonly #logger: Logger;
  readonly #description: string;
  #announcedSync = false;

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
  }

  async start(): Promise<void> {
    this.#logger.info({ server: this.#description, resources: this.#reflectors.map((r) => r.status().resource) }, `cluster state: listing and watching ${this.#description}`);
    for (const reflector of this.#reflectors) reflector.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.#reflectors.map((r) => r.stop()));
  }

  synced(): boolean {
    return this.#reflectors.every((r) => r.hasSynced());
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
    const waiting = this.#reflectors.filter((r) => !r.hasSynced()).map((r) => r.status());
    if (waiting.length === 0) return undefined;
    return waiting.map(describeWait).join("; ");
  }

  onChange(listener: () => void): () => void {
    return this.#listeners.add(listener);
  }

  status(): ClusterSourceStatus {
    return { mode: "cluster", synced: this.synced(), resources: this.#reflectors.map((r) => r.status()) };
  }

  #apply(batch: ReflectorBatch<KubeObject>): void {
    for (const change of batch.changes) {
      if (change.type === "deleted") this.#index.remove(change.object ?? tombstone(batch.resource, change.key));
      else this.#index.upsert(change.object);
    }
    if (!this.#announcedSync && this.synced()) {
      this.#announcedSync = true;
      this.#logger.info({ server: this.#description, ...this.#index.counts() }, "cluster state synced: every resource listed; ready");
    }
    this.#listeners.notify();
  }
}

function describeWait(status: ReflectorStatus): string {
  const error = status.lastError === undefined ? "" : ` (last error: ${status.lastError.message})`;
  return `waiting for the first complete list of ${status.resource}${error}`;
}
