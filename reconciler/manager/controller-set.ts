// One leadership term's controllers: DomainRoutes (one key per route), the
// identity table (one key for all) and the orphan sweep (one key), fed by the
// shared informers' events. Built when the replica starts leading and thrown
// away when it stops (controllers and queues are not restartable), so a
// second term starts from a fresh queue that the informers' replay fills
// with every key: nothing depends on events seen in an earlier term.
import type { Clock } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";
import type { ObjectApi } from "../../core/kube/object-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { parseKey } from "../../core/kube/object-key.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import type { EventRecorder } from "../cluster/event-recorder.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { reconcileRoute } from "../domainroute/reconcile-route.ts";
import { IDENTITY_KEY, reconcileIdentity } from "../identity/reconcile-identity.ts";
import { SWEEP_KEY, sweepOrphans } from "../orphans/sweep-orphans.ts";
import { Controller } from "../runtime/controller.ts";
import type { ControllerStats } from "../runtime/controller.ts";
import type { InformerHandler } from "../runtime/informer-handler.ts";
import type { ReconcilerCaches } from "./caches.ts";
import { producingRouteKey, RoutesByDomain } from "./event-routing.ts";

export interface ControllerSetOptions {
  api: ObjectApi;
  reader: ObjectReader;
  caches: ReconcilerCaches;
  config: PlatformConfig;
  events: EventRecorder;
  clock: Clock;
  logger: Logger;
  routeWorkers: number;
  /** Bursts of route changes become one identity-table write: every EnvoyFilter change re-pushes gateway listeners. */
  identityDebounceMs: number;
  sweepDebounceMs: number;
}

export class ControllerSet {
  readonly routes: Controller;
  readonly identity: Controller;
  readonly sweep: Controller;
  readonly #options: ControllerSetOptions;
  #unsubscribe: (() => void)[] = [];

  constructor(options: ControllerSetOptions) {
    this.#options = options;
    const { api, reader, config, clock, logger, events } = options;
    this.routes = new Controller({ name: "domainroute", workers: options.routeWorkers, clock, logger, reconcile: (key) => reconcileRoute({ api, reader, config, clock, logger, events }, parseKey(key)) });
    this.identity = new Controller({ name: "identity-table", workers: 1, clock, logger, reconcile: async () => void (await reconcileIdentity({ api, reader, config, clock, logger })) });
    this.sweep = new Controller({ name: "orphan-sweep", workers: 1, clock, logger, reconcile: async () => void (await sweepOrphans({ api, reader, logger })) });
  }

  /** Subscribes to the informers (which replay every cached object) and starts the workers. */
  start(): void {
    const byDomain = new RoutesByDomain();
    const route = (key: string) => this.routes.enqueue(key);
    const identity = () => this.identity.queue.addAfter(IDENTITY_KEY, this.#options.identityDebounceMs);
    const sweep = () => this.sweep.queue.addAfter(SWEEP_KEY, this.#options.sweepDebounceMs);
    const handlers: Record<string, InformerHandler<KubeObject>> = {
      routes: {
        onAdd: (object, key) => (byDomain.set(key, object as unknown as DomainRoute), route(key), identity()),
        onUpdate: (old, object, key) => (byDomain.set(key, object as unknown as DomainRoute, old as unknown as DomainRoute), route(key), identity()),
        // A route gone without its finalizer leaves objects behind.
        onDelete: (object, key) => (byDomain.delete(key, object as unknown as DomainRoute), route(key), identity(), sweep()),
        onResync: (_object, key) => (route(key), identity()),
      },
      // A claim's change concerns every route declaring its domain: the next in line takes a released one.
      claims: eachEvent((object) => byDomain.keysFor(object as unknown as DomainClaim).forEach(route), sweep),
      // A produced object edited or deleted by hand: its route re-applies it.
      produced: eachEvent((object) => {
        const key = producingRouteKey(object);
        if (key !== undefined) route(key);
      }, sweep),
      identity: eachEvent(identity),
    };
    for (const { cached, informer } of this.#options.caches.informers) this.#unsubscribe.push(informer.addEventHandler(handlers[cached.role]!));
    for (const controller of [this.routes, this.identity, this.sweep]) controller.start();
    // Once per term even with no route at all: a stale table or an orphan from before is still fixed.
    identity();
    sweep();
  }

  /** Unsubscribes, lets reconciles in flight finish (aborting them after `timeoutMs`), and resolves when all have. */
  async stop(timeoutMs: number): Promise<void> {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    await Promise.all([this.routes, this.identity, this.sweep].map((c) => c.stop(timeoutMs)));
  }

  stats(): Record<string, ControllerStats> {
    return Object.fromEntries([this.routes, this.identity, this.sweep].map((c) => [c.name, c.stats()]));
  }
}

/** The same reaction to every event; `onAddOrResync` too when an object appears or is replayed. */
function eachEvent(react: (object: KubeObject) => void, onAddOrResync?: () => void): InformerHandler<KubeObject> {
  return {
    onAdd: (object) => (react(object), onAddOrResync?.()),
    onUpdate: (_old, object) => react(object),
    onDelete: (object) => react(object),
    onResync: (object) => (react(object), onAddOrResync?.()),
  };
}
