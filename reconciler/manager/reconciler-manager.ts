// The running reconciler: the shared caches (on every replica, so a standby
// is warm), leader election on a Lease (only the leader reconciles), and the
// leader's controllers. start() returns at once; failures to reach the API
// server are retried by the informers and the elector, never thrown.
//
//   start ─► caches list+watch ─► DomainRoutes synced ─► data-plane gate ─► all synced ─► elector ─ leading ─► ControllerSet.start
//                                                          refused ─► logged (error), refused() resolves, nothing starts
//                                                    stopped ─► ControllerSet.stop (writes refused
//                                                               at once; reconciles drain)
//   stop  ─► elector.stop (ends the term, then releases the Lease) ─► caches stop
import type { Clock } from "../../core/clock.ts";
import { systemClock } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";
import type { KubeApi } from "../../core/kube/object-api.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { EventRecorder } from "../cluster/event-recorder.ts";
import type { ControllerStats } from "../runtime/controller.ts";
import { LeaderElector } from "../runtime/leader-election.ts";
import type { LeaderElectorOptions } from "../runtime/leader-election.ts";
import { objectApiLeaseClient } from "../runtime/object-api-lease-client.ts";
import { resourceName } from "../../core/kube/resource.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { DOMAIN_ROUTES } from "../resources.ts";
import { reconcilerCaches } from "./caches.ts";
import { dataPlaneMismatch } from "./data-plane-gate.ts";
import type { ReconcilerCaches } from "./caches.ts";
import type { AwsPorts } from "./aws-ports.ts";
import { ControllerSet } from "./controller-set.ts";
import { GatewayTelemetryState } from "../observability/reconcile-gateway-telemetry.ts";
import type { GatewayTelemetrySituation } from "../observability/reconcile-gateway-telemetry.ts";
import { MonitoringKinds } from "./monitoring-kinds.ts";
import { AuditViolations } from "../audit/audit-metrics.ts";
import type { BackgroundAuditSettings } from "../audit/background-audit.ts";
import { ExistingObjectsCache } from "../../core/state/sources/existing-objects-cache.ts";
import { HeapGuard } from "../../core/memory/heap-guard.ts";

/**
 * The heap share past which the audit's held objects are dropped (the audit
 * publishes nothing and says so): below the webhook's default guard, as the
 * webhook's impact cache is (IMPACT_HEAP_FRACTION), so a cache that only
 * feeds reports can never take the reconciler's routes down with it.
 */
export const AUDIT_HEAP_FRACTION = 0.6;
/** Named in the audit cache's dropped reason: the one setting that raises (or lowers) its bound. */
export const AUDIT_MAX_OBJECTS_SETTING = "audit.maxObjects in the platform config";

/** Where the Lease is, who this replica is, and the timings (LeaderElector's defaults when absent). */
export type LeaderElectionSettings = Pick<LeaderElectorOptions, "namespace" | "name" | "holderId" | "leaseDurationMs" | "renewDeadlineMs" | "retryPeriodMs">;

export interface ReconcilerManagerOptions {
  api: KubeApi;
  config: PlatformConfig;
  logger: Logger;
  clock?: Clock;
  random?: () => number;
  /** undefined: this process leads from the start (one replica only, or tests). */
  leaderElection?: LeaderElectionSettings;
  /** Default 10 minutes, as controller-runtime's SyncPeriod is order of. */
  resyncMs?: number;
  /** Default 1 s. */
  appIdTableDebounceMs?: number;
  /** Default 5 s. */
  sweepDebounceMs?: number;
  /** DomainRoutes reconciled at once; default 4. */
  routeWorkers?: number;
  /** How long a stopping term waits for reconciles in flight before aborting them; default 20 s. */
  stopTimeoutMs?: number;
  events?: EventRecorder;
  /** The AWS ports for DNS and certificates (sdk-aws-ports.ts in production, fakes in tests); needed when the config asks for them. */
  aws?: AwsPorts;
  /** Default 1 s (controller-set.ts DEFAULT_EDGE_DEBOUNCE_MS). */
  edgeDebounceMs?: number;
  /**
   * The background audit (OpenReports of every audited object, leader only;
   * audit/background-audit.ts). Absent: off, and nothing of it is watched.
   */
  audit?: BackgroundAuditSettings;
  /** How often prometheus-operator's CRDs are looked for again while not served or (alerting off) not listable (default 5 minutes). */
  monitoringRecheckMs?: number;
}

type Counts = { reconciles: number; errors: number };

/** Adds a term's reconciles and failures, per controller, to the running totals (new entries, never mutated ones). */
function addCounts(totals: Map<string, Counts>, stats: Record<string, ControllerStats>): void {
  for (const [name, { reconciles, errors }] of Object.entries(stats)) {
    const before = totals.get(name) ?? { reconciles: 0, errors: 0 };
    totals.set(name, { reconciles: before.reconciles + reconciles, errors: before.errors + errors });
  }
}

export const DEFAULT_RESYNC_MS = 10 * 60_000;

export class ReconcilerManager {
  readonly #options: ReconcilerManagerOptions;
  readonly #clock: Clock;
  readonly #caches: ReconcilerCaches;
  readonly #elector: LeaderElector | undefined;
  #term: ControllerSet | undefined;
  /** The term being stopped: its reconciles still count until it has. */
  #ending: ControllerSet | undefined;
  #terms = 0;
  /** Counts of the terms that ended: a metric's counter must not drop when a term does. */
  readonly #ended = new Map<string, Counts>();
  #started = false;
  #stopping: Promise<void> | undefined;
  /** The term without election: aborted by stop(). */
  readonly #soleTerm = new AbortController();
  /** Why the reconciler refused to start (data-plane-gate.ts), once it has. */
  #refusal: string | undefined;
  readonly #refused = Promise.withResolvers<string>();
  /** The last audit pass's violations, kept across terms for /metrics; present when the audit is on. */
  readonly #violations: AuditViolations | undefined;
  /** Drops the audit's held objects past its share of the heap; present when the audit is on. Started by start() when made here. */
  readonly #auditHeapGuard: HeapGuard | undefined;
  readonly #ownsAuditHeapGuard: boolean;
  /** What the gateway Telemetry controller last found, across terms (metrics.ts). */
  readonly #gatewayTelemetry = new GatewayTelemetryState();
  /** prometheus-operator's kinds, watched while served (monitoring-kinds.ts). */
  readonly #monitoring: MonitoringKinds;

  constructor(options: ReconcilerManagerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#caches = reconcilerCaches({
      client: options.api,
      config: options.config,
      ...(options.audit === undefined ? {} : { audit: options.audit }),
      logger: options.logger,
      resyncMs: options.resyncMs ?? DEFAULT_RESYNC_MS,
      clock: this.#clock,
      ...(options.random ? { random: options.random } : {}),
    });
    // Also with alerting off: the routes then prune what an earlier config had them write (where the kinds may be listed).
    this.#monitoring = new MonitoringKinds({
      client: options.api,
      reader: this.#caches.reader,
      logger: options.logger,
      clock: this.#clock,
      resyncMs: options.resyncMs ?? DEFAULT_RESYNC_MS,
      alerting: options.config.observability?.alerting !== undefined,
      ...(options.random ? { random: options.random } : {}),
      ...(options.monitoringRecheckMs === undefined ? {} : { recheckMs: options.monitoringRecheckMs }),
    });
    this.#violations = options.audit === undefined ? undefined : new AuditViolations();
    this.#ownsAuditHeapGuard = options.audit !== undefined && options.audit.heapGuard === undefined;
    this.#auditHeapGuard = options.audit === undefined ? undefined : (options.audit.heapGuard ?? new HeapGuard({ fraction: AUDIT_HEAP_FRACTION }));
    const election = options.leaderElection;
    this.#elector =
      election === undefined
        ? undefined
        : new LeaderElector({
            client: objectApiLeaseClient(options.api),
            ...election,
            clock: this.#clock,
            logger: options.logger,
            ...(options.random ? { random: options.random } : {}),
            onStartedLeading: (signal) => this.#lead(signal),
            onStoppedLeading: () => this.#endTerm(),
          });
  }

  start(): void {
    if (this.#started) throw new Error("the reconciler was already started; build a new one");
    this.#started = true;
    if (this.#ownsAuditHeapGuard) this.#auditHeapGuard!.start();
    this.#caches.start();
    this.#monitoring.start();
    const passed = this.#dataPlaneGate();
    // Stand for leader only once warm: a cold replica (or one whose caches
    // cannot sync at all) must not take the Lease from a warm standby.
    const elector = this.#elector;
    void passed.then(async (ok) => {
      if (!ok) return;
      if (elector === undefined) await this.#lead(this.#soleTerm.signal);
      else if ((await this.#caches.whenSynced()) && this.#stopping === undefined) elector.start();
    });
  }

  /**
   * Resolves with the message when the reconciler refuses to start (a route
   * served by another data plane than gateway.provider: data-plane-gate.ts).
   * It then starts no controller and never leads; the process must exit
   * non-zero with that message. Never resolves otherwise.
   */
  refused(): Promise<string> {
    return this.#refused.promise;
  }

  /**
   * The mode-switch gate, once the DomainRoutes are cached (not every cache:
   * those of the new data plane's kinds may never sync, e.g. its CRDs not
   * installed yet, and the refusal must still be told): true when every
   * placed route is served by the configured data plane.
   */
  async #dataPlaneGate(): Promise<boolean> {
    const routes = this.#caches.informers.find(({ cached }) => cached.role === "routes")?.informer;
    if (routes === undefined || !(await routes.whenSynced())) return false;
    const refusal = dataPlaneMismatch(this.#caches.reader.list(DOMAIN_ROUTES) as unknown as DomainRoute[], this.#options.config);
    if (refusal === undefined) return true;
    this.#refusal = refusal;
    this.#options.logger.error({}, refusal);
    this.#refused.resolve(refusal);
    return false;
  }

  /** Ends the term (reconciles in flight finish or are aborted), releases the Lease, stops the watches. Safe to call twice. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      if (this.#elector !== undefined) await this.#elector.stop();
      else {
        this.#soleTerm.abort();
        await this.#endTerm();
      }
      await this.#caches.stop();
      await this.#monitoring.stop();
      if (this.#ownsAuditHeapGuard) this.#auditHeapGuard!.stop();
    })();
    return this.#stopping;
  }

  /** undefined when the caches have synced (a standby is ready too: it serves nothing, but is fit to take over). */
  notReadyReason(): string | undefined {
    if (this.#refusal !== undefined) return `reconciler refused to start: ${this.#refusal}`;
    const unsynced = this.#caches.reader.unsynced();
    return unsynced.length === 0 ? undefined : `reconciler caches not synced yet: ${unsynced.join(", ")}`;
  }

  /** The background audit's violation counts, when the audit is on (metrics.ts). */
  auditViolations(): AuditViolations | undefined {
    return this.#violations;
  }

  /** The gateway Telemetry controller's last outcome (undefined before its first pass, or where it does not run). */
  gatewayTelemetrySituation(): GatewayTelemetrySituation | undefined {
    return this.#gatewayTelemetry.situation;
  }

  isLeader(): boolean {
    return this.#term !== undefined;
  }

  /** Terms led so far (for metrics and tests). */
  terms(): number {
    return this.#terms;
  }

  /** The current term's controllers (empty while not leading). */
  stats(): Record<string, ControllerStats> {
    return this.#term?.stats() ?? {};
  }

  /** Reconciles and failures per controller since the process started, across terms. */
  totals(): Record<string, Counts> {
    const totals = new Map(this.#ended);
    addCounts(totals, this.stats());
    addCounts(totals, this.#ending?.stats() ?? {});
    return Object.fromEntries(totals);
  }

  /** The caches' resources and whether each has synced. */
  caches(): { resource: string; synced: boolean; objects: number }[] {
    return this.#caches.informers.map(({ cached, informer }) => ({
      resource: resourceName(cached.resource),
      synced: informer.synced(),
      objects: informer.keys().length,
    }));
  }

  async #lead(signal: AbortSignal): Promise<void> {
    const { logger } = this.#options;
    logger.info({}, "leading: waiting for the caches to sync before reconciling");
    const synced = await this.#caches.whenSynced();
    // Leadership may have ended while waiting; starting now would outlive the term.
    if (!synced || signal.aborted) return;
    const term = new ControllerSet({
      api: this.#options.api,
      client: this.#options.api,
      gatewayTelemetryState: this.#gatewayTelemetry,
      reader: this.#caches.reader,
      caches: this.#caches,
      config: this.#options.config,
      ...(this.#options.events ? { events: this.#options.events } : {}),
      clock: this.#clock,
      logger,
      routeWorkers: this.#options.routeWorkers ?? 4,
      appIdTableDebounceMs: this.#options.appIdTableDebounceMs ?? 1000,
      sweepDebounceMs: this.#options.sweepDebounceMs ?? 5000,
      ...(this.#options.edgeDebounceMs === undefined ? {} : { edgeDebounceMs: this.#options.edgeDebounceMs }),
      ...(this.#options.aws === undefined ? {} : { aws: this.#options.aws }),
      monitoring: this.#monitoring,
      ...(this.#options.audit === undefined
        ? {}
        : { audit: { settings: this.#options.audit, violations: this.#violations!, objects: () => this.#existingObjects() } }),
    });
    this.#term = term;
    this.#terms++;
    term.start();
    logger.info({ term: this.#terms }, "reconciling: controllers started");
  }

  /** The background audit's holder for one term: every kind the webhooks intercept, listed and watched while the term lasts. */
  #existingObjects(): ExistingObjectsCache {
    const { api, logger, random, audit } = this.#options;
    return new ExistingObjectsCache({
      client: api,
      logger,
      clock: this.#clock,
      ...(random ? { random } : {}),
      ...(audit?.maxObjects === undefined ? {} : { maxObjects: audit.maxObjects }),
      // The reconciler's bound, not the webhook's --impact-objects-max.
      maxObjectsSetting: audit?.maxObjectsSetting ?? AUDIT_MAX_OBJECTS_SETTING,
      ...(this.#auditHeapGuard === undefined ? {} : { heapGuard: this.#auditHeapGuard }),
    });
  }

  async #endTerm(): Promise<void> {
    const term = this.#term;
    this.#term = undefined;
    if (term === undefined) return;
    this.#ending = term;
    await term.stop(this.#options.stopTimeoutMs ?? 20_000);
    addCounts(this.#ended, term.stats());
    this.#ending = undefined;
    this.#options.logger.info({ term: this.#terms }, "stopped reconciling: controllers stopped");
  }
}
