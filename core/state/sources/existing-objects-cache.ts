// The existing objects of every audited kind (AUDITED_RESOURCES), whole but
// trimmed (trim-for-audit.ts), kept by one reflector per kind: what the
// webhook weighs a PolicyModule change against (the impact warning) and the
// reconciler's background audit judges.
//
// Separate from ClusterStateSource on purpose: that index gates admission (a
// webhook whose index is not synced refuses reviews), while this cache only
// feeds advice, so its readiness must never gate anything. A kind that cannot
// be listed (RBAC, a CRD not installed) is reported per kind in snapshot(),
// and the reader says the answer is partial.
//
// Per kind: the first served version of its candidates is looked up
// (served-version.ts); none served means its CRD is not installed: the kind is
// `not-served` and looked up again every few minutes, so installing Gateway
// API later is picked up without a restart. A version read that stops being
// served (404 on relist) is noticed at the same pace and looked up again. A lookup that fails (403, the API
// server unreachable) is retried with backoff and the kind is `pending` with
// the reason.
//
// Bounded memory: more than `maxObjects` objects in all (counted per list page
// as well, so a huge first list is cut short) drops everything and stops every
// reflector for good, each kind `dropped` with a reason naming the limit and
// the setting that raises it. So does a heap guard tripping (when one is
// given): the webhook passes one set lower than its admission cache's, so
// this cache goes first and never pushes the admission cache out. Dropping
// loses only the advice, never admission.
import type { Clock, TimerHandle } from "../../clock.ts";
import { systemClock } from "../../clock.ts";
import { Backoff, DEFAULT_BACKOFF } from "../../backoff.ts";
import type { BackoffOptions } from "../../backoff.ts";
import { KubeApiError } from "../../kube/api-error.ts";
import type { ListWatchClient } from "../../kube/list-watch-client.ts";
import type { KubeObject } from "../../kube/object-key.ts";
import { formatKey } from "../../kube/object-key.ts";
import { Reflector } from "../../kube/reflector.ts";
import type { ReflectorBatch } from "../../kube/reflector-types.ts";
import { resourceName } from "../../kube/resource.ts";
import { firstServedVersion } from "../../kube/served-version.ts";
import type { Logger } from "../../logger.ts";
import { silentLogger } from "../../logger.ts";
import { describeHeap } from "../../memory/heap-guard.ts";
import type { HeapGuard, HeapReading } from "../../memory/heap-guard.ts";
import { AUDITED_RESOURCES, auditedResourceRef } from "../audited-resources.ts";
import type { AuditedResource } from "../audited-resources.ts";
import type { AuditedKindState, ExistingObjectsHolder, ExistingObjectsSnapshot } from "../existing-objects.ts";
import { trimForAudit } from "../trim-for-audit.ts";
import { Listeners } from "./listeners.ts";

/** Objects held at most, by default: a trimmed DomainRoute as kubectl and the reconciler leave it takes about 1.6 kB of heap (npm run bench:impact), so about 80 MB. */
export const DEFAULT_MAX_EXISTING_OBJECTS = 50_000;
/** How often a kind whose CRD is not installed is looked for again, by default. */
export const DEFAULT_NOT_SERVED_RECHECK_MS = 5 * 60_000;

export interface ExistingObjectsCacheOptions {
  client: ListWatchClient;
  logger?: Logger;
  clock?: Clock;
  /** Uniform in [0, 1): backoff jitter and watch timeouts. */
  random?: () => number;
  pageSize?: number;
  backoff?: BackoffOptions;
  /** Most objects held across every kind (a positive integer; default DEFAULT_MAX_EXISTING_OBJECTS); above it all are dropped. */
  maxObjects?: number;
  /** The setting that raises maxObjects, named in the dropped reason; default `--impact-objects-max`. */
  maxObjectsSetting?: string;
  /** How often a kind with no served version is looked up again (ms); default DEFAULT_NOT_SERVED_RECHECK_MS. */
  notServedRecheckMs?: number;
  /** Default AUDITED_RESOURCES; tests narrow it. */
  resources?: readonly AuditedResource[];
  /**
   * A started guard whose trip (live heap over its fraction after a full
   * collection) drops the cache like maxObjects does. Its creator starts and
   * stops it; give it a lower fraction than any cache that must outlive this one.
   */
  heapGuard?: HeapGuard;
}

interface HeldKind {
  readonly resource: AuditedResource;
  /** `httproutes.gateway.networking.k8s.io`, as RBAC names it. */
  readonly name: string;
  stage: "resolving" | "not-served" | "reflecting" | "dropped";
  /** The last failed version lookup, while resolving. */
  resolveError?: KubeApiError;
  version?: string;
  reflector?: Reflector<KubeObject>;
  /** `namespace/name` → trimmed object. */
  objects: Map<string, KubeObject>;
  /** Items received so far by the list in progress (its pages). */
  listing: number;
  timer?: TimerHandle;
  readonly backoff: Backoff;
}

export class ExistingObjectsCache implements ExistingObjectsHolder {
  readonly #client: ListWatchClient;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #pageSize: number | undefined;
  readonly #backoffOptions: BackoffOptions | undefined;
  readonly #maxObjects: number;
  readonly #maxObjectsSetting: string;
  readonly #recheckMs: number;
  readonly #kinds: HeldKind[];
  readonly #listeners: Listeners;
  readonly #stop = new AbortController();
  readonly #heapGuard: HeapGuard | undefined;
  #unsubscribeHeap: (() => void) | undefined;
  #started = false;
  #stopped = false;
  #droppedReason: string | undefined;
  /** Objects held in all kinds. */
  #held = 0;
  /** The objects array snapshot() hands out; rebuilt only after a change. */
  #objects: readonly KubeObject[] = Object.freeze([]);
  #dirty = false;

  constructor(options: ExistingObjectsCacheOptions) {
    const max = options.maxObjects ?? DEFAULT_MAX_EXISTING_OBJECTS;
    if (!(Number.isInteger(max) && max > 0)) throw new RangeError(`existing objects cache: maxObjects must be a positive integer (got ${max})`);
    const recheck = options.notServedRecheckMs ?? DEFAULT_NOT_SERVED_RECHECK_MS;
    if (!(recheck > 0)) throw new RangeError(`existing objects cache: notServedRecheckMs must be > 0 (got ${recheck})`);
    this.#client = options.client;
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#pageSize = options.pageSize;
    this.#backoffOptions = options.backoff;
    this.#maxObjects = max;
    this.#maxObjectsSetting = options.maxObjectsSetting ?? "--impact-objects-max";
    this.#recheckMs = recheck;
    this.#heapGuard = options.heapGuard;
    this.#listeners = new Listeners(this.#logger);
    this.#kinds = (options.resources ?? AUDITED_RESOURCES).map((resource) => ({
      resource,
      name: resourceName(resource),
      stage: "resolving",
      objects: new Map(),
      listing: 0,
      backoff: new Backoff(options.backoff ?? DEFAULT_BACKOFF, this.#random),
    }));
  }

  /** Starts looking up, listing and watching every kind in the background; failures are retried and reported per kind, never thrown. */
  start(): void {
    if (this.#started) throw new Error("existing objects cache was already started; build a new one");
    this.#started = true;
    this.#logger.info(
      { kinds: this.#kinds.map((k) => k.name), maxObjects: this.#maxObjects },
      "existing objects cache: listing and watching the audited kinds",
    );
    // The guard is its creator's to start and stop; the cache only listens.
    this.#unsubscribeHeap = this.#heapGuard?.onExceeded((reading) => this.#dropForHeap(reading));
    for (const kind of this.#kinds) this.#resolve(kind);
  }

  /** Stops every lookup, reflector and timer; resolves once all have stopped. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribeHeap?.();
    this.#stop.abort();
    for (const kind of this.#kinds) this.#clearTimer(kind);
    await Promise.all(this.#kinds.map((kind) => kind.reflector?.stop()));
  }

  snapshot(): ExistingObjectsSnapshot {
    if (this.#dirty) {
      const objects: KubeObject[] = [];
      for (const kind of this.#kinds) for (const object of kind.objects.values()) objects.push(object);
      this.#objects = Object.freeze(objects);
      this.#dirty = false;
    }
    return { objects: this.#objects, kinds: this.#kinds.map((kind) => ({ resource: kind.resource, state: this.#stateOf(kind) })) };
  }

  /** Called after objects change and when a kind is found served, not served, synced or dropped (not on every retried failure). */
  onChange(listener: () => void): () => void {
    return this.#listeners.add(listener);
  }

  /** Objects held now, across every kind. */
  size(): number {
    return this.#held;
  }

  #stateOf(kind: HeldKind): AuditedKindState {
    switch (kind.stage) {
      case "dropped":
        return { kind: "dropped", reason: this.#droppedReason ?? "dropped" };
      case "not-served":
        return { kind: "not-served" };
      case "resolving":
        return {
          kind: "pending",
          reason: kind.resolveError === undefined ? `looking up the served version of ${kind.name}` : failureReason(kind.resolveError, kind.name),
        };
      case "reflecting": {
        const reflector = kind.reflector!;
        if (reflector.hasSynced()) return { kind: "synced", version: kind.version! };
        const error = reflector.status().lastError;
        return { kind: "pending", reason: error === undefined ? `listing ${kind.name} for the first time` : failureReason(error, kind.name) };
      }
    }
  }

  #resolve(kind: HeldKind): void {
    kind.timer = undefined;
    if (this.#stopped || this.#droppedReason !== undefined) return;
    const { versions, ...resource } = kind.resource;
    firstServedVersion(this.#client, resource, versions, this.#stop.signal).then(
      (version) => {
        if (this.#stopped || this.#droppedReason !== undefined) return;
        kind.backoff.reset();
        kind.resolveError = undefined;
        if (version === undefined) {
          if (kind.stage !== "not-served") {
            this.#logger.info(
              { resource: kind.name, versions, recheckMs: this.#recheckMs },
              `existing objects cache: ${kind.name} is not served (its CRD is not installed); there are none; looking again every ${this.#recheckMs / 1000} s`,
            );
            kind.stage = "not-served";
            this.#listeners.notify();
          }
          this.#schedule(kind, this.#recheckMs);
          return;
        }
        this.#reflect(kind, version);
      },
      (error: unknown) => {
        if (this.#stopped || this.#droppedReason !== undefined) return;
        const failure = asKubeError(error);
        const delay = kind.backoff.next();
        const wasNotServed = kind.stage === "not-served";
        kind.stage = "resolving";
        kind.resolveError = failure;
        this.#logger.warn(
          { resource: kind.name, status: failure.status, reason: failure.reason, retryInMs: delay },
          `existing objects cache: cannot look up the served version of ${kind.name}: ${failureReason(failure, kind.name)} (retrying)`,
        );
        if (wasNotServed) this.#listeners.notify();
        this.#schedule(kind, delay);
      },
    );
  }

  #reflect(kind: HeldKind, version: string): void {
    kind.stage = "reflecting";
    kind.version = version;
    const ref = auditedResourceRef(kind.resource, version);
    const reflector = new Reflector<KubeObject>({
      resource: ref,
      client: this.#countingClient(kind),
      transform: trimForAudit,
      logger: this.#logger,
      clock: this.#clock,
      random: this.#random,
      ...(this.#pageSize === undefined ? {} : { pageSize: this.#pageSize }),
      ...(this.#backoffOptions === undefined ? {} : { backoff: this.#backoffOptions }),
    });
    reflector.addHandler((batch) => this.#apply(kind, batch));
    kind.reflector = reflector;
    reflector.start();
    this.#logger.info({ resource: kind.name, version }, `existing objects cache: reading ${kind.name} at ${version}`);
    this.#schedule(kind, this.#recheckMs, () => this.#checkStillServed(kind));
    this.#listeners.notify();
  }

  /**
   * A version can stop being served (a CRD upgrade drops v1alpha2, the CRD is
   * deleted): its reflector would retry 404 forever while the kind looked
   * synced with what it last saw. Then the kind's objects go, and the lookup
   * starts again: another version, or not served.
   */
  #checkStillServed(kind: HeldKind): void {
    kind.timer = undefined;
    if (this.#stopped || this.#droppedReason !== undefined || kind.stage !== "reflecting") return;
    const status = kind.reflector!.status();
    if (status.lastError?.status !== 404 || status.phase !== "waiting") {
      this.#schedule(kind, this.#recheckMs, () => this.#checkStillServed(kind));
      return;
    }
    this.#logger.info(
      { resource: kind.name, version: kind.version },
      `existing objects cache: ${kind.version} of ${kind.name} is no longer served; looking up again`,
    );
    void kind.reflector!.stop();
    kind.reflector = undefined;
    this.#held -= kind.objects.size;
    kind.objects = new Map();
    kind.listing = 0;
    kind.stage = "resolving";
    this.#dirty = true;
    this.#listeners.notify();
    this.#resolve(kind);
  }

  /** The client as the kind's reflector sees it: every list page is counted against maxObjects before the reflector keeps it. */
  #countingClient(kind: HeldKind): ListWatchClient {
    const client = this.#client;
    return {
      describe: () => client.describe(),
      watch: (resource, request, callbacks) => client.watch(resource, request, callbacks),
      list: async (resource, request) => {
        if (request.continue === undefined) kind.listing = 0;
        const page = await client.list(resource, request);
        kind.listing += page.items.length;
        // A list replaces what the kind holds: count the larger of the two.
        const wouldHold = this.#held - kind.objects.size + Math.max(kind.objects.size, kind.listing);
        if (wouldHold > this.#maxObjects) this.#drop(`listing ${kind.name} reached ${kind.listing.toLocaleString("en-US")}`);
        else this.#checkHeap();
        if (this.#droppedReason !== undefined) throw new KubeApiError(`list of ${kind.name} stopped: the existing objects cache was dropped`, 0, "Stopped");
        return page;
      },
    };
  }

  /** Applies one reflector batch at once, so a snapshot never holds half a relist. */
  #apply(kind: HeldKind, batch: ReflectorBatch<KubeObject>): void {
    if (this.#droppedReason !== undefined) return;
    if (batch.cause !== "watch") kind.listing = 0;
    const before = kind.objects.size;
    // A reflector's first list is everything there is (a kind read again after its version went away starts empty anyway).
    if (batch.cause === "list") kind.objects = new Map();
    for (const change of batch.changes) {
      const id = formatKey(change.key);
      if (change.type === "deleted") kind.objects.delete(id);
      else kind.objects.set(id, change.object);
    }
    this.#held += kind.objects.size - before;
    if (this.#held > this.#maxObjects) this.#drop(`${kind.name} brought the total to ${this.#held.toLocaleString("en-US")}`);
    else this.#checkHeap();
    if (this.#droppedReason !== undefined) return;
    if (batch.cause === "list") this.#logger.info({ resource: kind.name, objects: kind.objects.size }, `existing objects cache: ${kind.name} synced`);
    if (batch.changes.length > 0 || batch.cause === "list") {
      this.#dirty = true;
      this.#listeners.notify();
    }
  }

  /** Between full collections, the guard's last reading (a list applied in one go gets no collection callback in time). */
  #checkHeap(): void {
    const over = this.#heapGuard?.exceeded();
    if (over !== undefined) this.#dropForHeap(over);
  }

  #dropForHeap(reading: HeapReading): void {
    const share = Math.round(this.#heapGuard!.fraction * 100);
    this.#drop(
      `the heap passed ${share}% of its limit (${describeHeap(reading)})`,
      `the heap passed ${share}% of its limit, so none are kept; raise the memory limit or lower ${this.#maxObjectsSetting}`,
    );
  }

  #drop(detail: string, reason?: string): void {
    if (this.#droppedReason !== undefined) return;
    const max = this.#maxObjects.toLocaleString("en-US");
    this.#droppedReason =
      reason ?? `over the limit of ${max} existing objects (${this.#maxObjectsSetting}), so none are kept; raise ${this.#maxObjectsSetting} to keep them`;
    this.#logger.error(
      { maxObjects: this.#maxObjects, held: this.#held, detail },
      `existing objects cache dropped: ${detail}; ${this.#droppedReason}. ` +
        "Until a restart its readers (the impact warning, the background audit) see every kind as dropped; admission is unaffected",
    );
    this.#unsubscribeHeap?.();
    for (const kind of this.#kinds) {
      this.#clearTimer(kind);
      kind.stage = "dropped";
      kind.objects = new Map();
      kind.listing = 0;
      void kind.reflector?.stop();
    }
    this.#held = 0;
    this.#dirty = true;
    this.#listeners.notify();
  }

  #schedule(kind: HeldKind, ms: number, then: () => void = () => this.#resolve(kind)): void {
    this.#clearTimer(kind);
    kind.timer = this.#clock.setTimeout(then, ms);
  }

  #clearTimer(kind: HeldKind): void {
    if (kind.timer === undefined) return;
    this.#clock.clearTimeout(kind.timer);
    kind.timer = undefined;
  }
}

/** Why a kind cannot be listed, in one line that says what to do. */
function failureReason(error: { status: number; message: string }, name: string): string {
  switch (error.status) {
    case 403:
      return `RBAC must allow list/watch on ${name}`;
    case 401:
      return `the API server refused the credentials listing ${name}`;
    case 0:
      return `the API server did not answer listing ${name}: ${error.message}`;
    default:
      return `listing ${name} failed: ${error.message}`;
  }
}

function asKubeError(error: unknown): KubeApiError {
  if (error instanceof KubeApiError) return error;
  return new KubeApiError(error instanceof Error ? error.message : String(error), 0, "Unknown", { cause: error });
}
