// prometheus-operator's kinds a route produces (PrometheusRule, Probe:
// monitoring.coreos.com/v1), watched only while the cluster serves them. Their
// CRDs may be missing at start, installed at any time and uninstalled again, so
// unlike the caches built at start (caches.ts) these are looked up first
// (served-version.ts, a one-item list per kind) and, while either is not
// served, looked up again every `recheckMs` (default 5 minutes): never a watch
// on a kind that is not served, so no 404 loop. Once both are served, one
// informer each (hostgate-labelled objects only, indexed by route uid) joins
// the shared reader, and once both have synced the state turns "served" and
// every listener hears of it (the routes look again and write their objects).
// When either informer then gets a 404 (the CRDs uninstalled), both are
// stopped and the lookups start over: the state turns "missing" again.
// A failed lookup (403: the reconciler-prometheus-operator component not
// installed; the API server unreachable) is retried with backoff, the state
// "unknown" with the reason. With alerting off the kinds are still looked up,
// so the routes prune the objects an earlier config had them write; the
// component need not be installed then, so a 403 is only logged at debug and
// looked up again every `recheckMs`, the state left as it is.
// On every replica, like the caches: a standby is warm.
import type { Clock, TimerHandle } from "../../core/clock.ts";
import { systemClock } from "../../core/clock.ts";
import { Backoff, DEFAULT_BACKOFF } from "../../core/backoff.ts";
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { BackoffOptions } from "../../core/backoff.ts";
import type { Logger } from "../../core/logger.ts";
import type { ListWatchClient } from "../../core/kube/list-watch-client.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { resourceName } from "../../core/kube/resource.ts";
import { firstServedVersion } from "../../core/kube/served-version.ts";
import type { InformerReader } from "../cluster/informer-reader.ts";
import { LABEL_ROUTE_UID } from "../domainroute/render/metadata.ts";
import { MONITORING_RESOURCES } from "../domainroute/render/produced-resources.ts";
import type { MonitoringState } from "../domainroute/observability-plan.ts";
import { MANAGED_SELECTOR } from "../resources.ts";
import type { InformerHandler } from "../runtime/informer-handler.ts";
import { SharedInformer } from "../runtime/informer.ts";
import { withManagersOnly } from "./caches.ts";

/** How often kinds whose CRDs are not installed are looked for again, by default. */
export const DEFAULT_MONITORING_RECHECK_MS = 5 * 60_000;

export interface MonitoringKindsOptions {
  client: ListWatchClient;
  /** The shared reader the route controller reads through: the informers join it once the kinds are served. */
  reader: InformerReader;
  logger: Logger;
  clock?: Clock;
  random?: () => number;
  resyncMs: number;
  /** default DEFAULT_MONITORING_RECHECK_MS */
  recheckMs?: number;
  /** Whether the platform config has observability.alerting (default true); without it only what routes wrote earlier is of interest (pruned). */
  alerting?: boolean;
  backoff?: BackoffOptions;
}

export class MonitoringKinds {
  readonly #options: MonitoringKindsOptions;
  readonly #clock: Clock;
  readonly #recheckMs: number;
  readonly #alerting: boolean;
  readonly #backoff: Backoff;
  readonly #stop = new AbortController();
  #state: MonitoringState = { kind: "unknown" };
  #timer: TimerHandle | undefined;
  #informers: SharedInformer<KubeObject>[] = [];
  /** Informers stopped because their kind stopped being served, until they have. */
  readonly #stopping: Promise<void>[] = [];
  /** Each handler given, with what unregisters it from the informers made so far. */
  readonly #handlers = new Map<InformerHandler<KubeObject>, (() => void)[]>();
  #listeners: (() => void)[] = [];

  constructor(options: MonitoringKindsOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#recheckMs = options.recheckMs ?? DEFAULT_MONITORING_RECHECK_MS;
    this.#alerting = options.alerting ?? true;
    this.#backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF, options.random ?? Math.random);
  }

  state(): MonitoringState {
    return this.#state;
  }

  start(): void {
    this.#lookUp();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    await Promise.all([...this.#informers.map((informer) => informer.stop()), ...this.#stopping]);
  }

  /** Called whenever the state changes (e.g. the CRDs were installed and their objects are cached); returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** `handler` on both kinds' informers, now or once they exist; returns the unsubscribe. */
  addEventHandler(handler: InformerHandler<KubeObject>): () => void {
    this.#handlers.set(
      handler,
      this.#informers.map((informer) => informer.addEventHandler(handler)),
    );
    return () => {
      for (const remove of this.#handlers.get(handler) ?? []) remove();
      this.#handlers.delete(handler);
    };
  }

  #set(state: MonitoringState): void {
    const changed = JSON.stringify(state) !== JSON.stringify(this.#state);
    this.#state = state;
    if (changed) for (const listener of this.#listeners) listener();
  }

  #schedule(ms: number): void {
    if (this.#stop.signal.aborted) return;
    this.#timer = this.#clock.setTimeout(() => this.#lookUp(), ms);
  }

  #lookUp(): void {
    this.#timer = undefined;
    const { client, logger } = this.#options;
    const signal = this.#stop.signal;
    void Promise.all(
      MONITORING_RESOURCES.map(async ({ version, scope: _scope, ...resource }) => ({
        name: resourceName(resource),
        served: (await firstServedVersion(client, resource, [version], signal)) !== undefined,
      })),
    ).then(
      (kinds) => {
        if (signal.aborted) return;
        this.#backoff.reset();
        const missing = kinds.filter((k) => !k.served).map((k) => k.name);
        if (missing.length === 0) return void this.#watch();
        if (this.#state.kind !== "missing")
          logger[this.#alerting ? "info" : "debug"](
            { missing, recheckMs: this.#recheckMs },
            `prometheus-operator's CRDs are not served (${missing.join(", ")}): routes get no alerts until they are`,
          );
        this.#set({ kind: "missing", missing, recheckMs: this.#recheckMs });
        this.#schedule(this.#recheckMs);
      },
      (error: unknown) => {
        if (signal.aborted) return;
        const reason = error instanceof Error ? error.message : String(error);
        if (!this.#alerting && error instanceof KubeApiError && error.status === 403) {
          // Alerting off: the component granting these kinds is optional, so a refusal is expected and touches no route.
          logger.debug({ reason, recheckMs: this.#recheckMs }, "alerting is off and the reconciler may not list prometheus-operator's kinds: nothing to prune");
          return this.#schedule(this.#recheckMs);
        }
        const delay = this.#backoff.next();
        logger.warn({ reason, retryInMs: delay }, "cannot look up whether prometheus-operator's CRDs are served (retrying)");
        this.#set({ kind: "unknown", reason });
        this.#schedule(delay);
      },
    );
  }

  /** Both kinds served: an informer each, in the shared reader; "served" once both have synced. */
  #watch(): void {
    const { client, reader, logger, random, resyncMs } = this.#options;
    const informers: SharedInformer<KubeObject>[] = [];
    // A 404 from either means the CRDs went: stop both and look up again (a watch that is not served must not retry forever).
    const watched = reportingNotFound(client, () => this.#notServed(informers));
    for (const { scope: _scope, ...resource } of MONITORING_RESOURCES) {
      const ref = { ...resource, labelSelector: MANAGED_SELECTOR };
      const informer = new SharedInformer<KubeObject>({
        resource: ref,
        client: watched,
        transform: withManagersOnly,
        logger,
        resyncMs,
        clock: this.#clock,
        ...(random ? { random } : {}),
      });
      reader.remove(ref); // the informer of an earlier time the kind was served, stopped when it went
      reader.add(ref, informer, [LABEL_ROUTE_UID]);
      for (const [handler, removers] of this.#handlers) removers.push(informer.addEventHandler(handler));
      informers.push(informer);
    }
    this.#informers = informers;
    for (const informer of informers) informer.start();
    logger.info({}, "prometheus-operator's CRDs are served: watching hostgate's PrometheusRules and Probes");
    void Promise.all(informers.map((informer) => informer.whenSynced())).then((synced) => {
      if (synced.every(Boolean) && this.#informers === informers && !this.#stop.signal.aborted) this.#set({ kind: "served" });
    });
  }

  /** `informers`' kind answered 404: stopped (their handlers with them), the state unknown until the lookup says what is served. */
  #notServed(informers: SharedInformer<KubeObject>[]): void {
    if (this.#informers !== informers || this.#stop.signal.aborted) return; // already handled: the other kind's 404, a retry's
    this.#informers = [];
    for (const removers of this.#handlers.values()) for (const remove of removers.splice(0)) remove();
    this.#stopping.push(...informers.map((informer) => informer.stop()));
    // Out of the reader unless both had synced: never read then (the state was not "served"), and an informer that
    // never syncs must not hold readiness back. Synced ones stay until the next ones replace them (#watch): a
    // reconcile under way may still read them, stale and harmless, where a removed kind would throw.
    if (!informers.every((informer) => informer.synced()))
      for (const { scope: _scope, ...resource } of MONITORING_RESOURCES) this.#options.reader.remove(resource);
    const reason = "prometheus-operator's CRDs stopped being served (404) while watched";
    this.#options.logger[this.#alerting ? "warn" : "debug"]({}, `${reason}: stopped watching them; looking them up again`);
    this.#set({ kind: "unknown", reason });
    this.#lookUp();
  }
}

/** `client`, calling `notFound` (after the failure is delivered) whenever a list or watch through it is answered 404. */
function reportingNotFound(client: ListWatchClient, notFound: () => void): ListWatchClient {
  const check = (error: unknown) => {
    if (error instanceof KubeApiError && error.status === 404) queueMicrotask(notFound);
  };
  return {
    describe: () => client.describe(),
    list: (resource, request) =>
      client.list(resource, request).catch((error: unknown) => {
        check(error);
        throw error;
      }),
    watch: (resource, request, callbacks) =>
      client.watch(resource, request, {
        onEvent: (event) => callbacks.onEvent(event),
        onEnd: (error) => {
          callbacks.onEnd(error);
          check(error);
        },
      }),
  };
}
