// `hostgate serve`: loads the policies and platform config, picks the mode
// (cluster or local) and what runs (the webhook, the reconciler, the
// self-service page, or several), starts them, and on SIGTERM/SIGINT stops
// them gracefully together. The sources, the reconciler and the page are made
// by injected factories, so tests run the real command with fakes, and this
// room never imports the reconciler or the page: bin/cli.ts hands their
// factories in. This file hosts the process because the
// webhook is its main tenant; the reconciler-only mode borrows its health
// server.
import { resolve } from "node:path";
import type { Command } from "../core/cli/main.ts";
import type { CommandResult } from "../core/errors.ts";
import { isReportable, ProblemCollector, UsageError } from "../core/errors.ts";
import { configToCel, loadPlatformConfig } from "../core/config/index.ts";
import type { PlatformConfig } from "../core/config/index.ts";
import { BUILTIN_POLICIES, DEFAULT_CONFIG } from "../core/cli/paths.ts";
import type { Logger, LogLevel, ProcessLogger } from "../core/logger.ts";
import { loadPolicySet } from "../policies/engine/module-loader.ts";
import type { PolicySet } from "../policies/engine/module-loader.ts";
import { registerCertificateMetrics } from "../certs/metrics.ts";
import { HeapGuard } from "../core/memory/heap-guard.ts";
import { registerHeapMetrics } from "../core/memory/heap-metrics.ts";
import type { CertificateMetricsSource } from "../certs/metrics.ts";
import { localBanner } from "./local-banner.ts";
import { realServeDependencies } from "./serve-dependencies.ts";
import { IMPACT_CACHE_FAILED, IMPACT_DISABLED, parseServeOptions, SERVE_USAGE } from "./serve-options.ts";
import type { ServeOptions } from "./serve-options.ts";
import { startWebhook } from "./webhook.ts";
import type { WebhookOptions } from "./webhook.ts";
import type { ExistingObjectsHolder } from "../core/state/existing-objects.ts";
import { closeHealthServer, createHealthServer } from "./health-server.ts";
import { listen } from "./https-server.ts";
import type { BackgroundComponent, ReconcilerFactory } from "../core/cli/serve-component.ts";
import { collectDefaultMetrics, Registry } from "prom-client";
import type { AddressInfo } from "node:net";
import type { PolicyStateSource, RunningWebhook, ServingCertificate } from "./webhook.ts";
import type { ClusterPolicyModules } from "./policy-set/cluster-policy-modules.ts";
import { registerPolicySetMetrics } from "./policy-set/policy-set-metrics.ts";
import { portalBanner, portalSettings } from "./serve-portal-part.ts";
import type { PortalFactory, PortalSettings, PortalTarget } from "./serve-portal-part.ts";

export interface StateSourceHandle extends PolicyStateSource {
  start(): Promise<void>;
  stop(): Promise<void> | void;
  /** For the banner and logs, e.g. "examples/state (3 grants, 4 routes), watched". */
  describe(): string;
  /** Set once the cache outgrew the heap and dropped itself (the cluster cache, with a heap guard). */
  heapLimitReached?(): unknown;
  /** The audited kinds' objects whole, when the source reads them anyway (local files): the impact warning weighs them. */
  existingObjects?(): ExistingObjectsHolder;
}

/** What bounds the cache of existing objects: a count (--impact-objects-max) and a heap guard set below the admission cache's. */
export interface ExistingObjectsBounds {
  maxObjects: number;
  /** Started and stopped by serve; trips at IMPACT_HEAP_FRACTION of the heap limit. */
  heapGuard: HeapGuard;
}

/**
 * The heap share past which the cache of existing objects drops itself:
 * below the admission cache's (DEFAULT_HEAP_FRACTION, 0.8), so advice is
 * given up long before admission is.
 */
export const IMPACT_HEAP_FRACTION = 0.6;

/** The cluster's existing objects of the audited kinds, kept for the impact warning (ExistingObjectsCache). */
export interface ExistingObjectsHandle extends ExistingObjectsHolder {
  /** Lists and watches in the background; never throws for the cluster's failures. */
  start(): void;
  stop(): Promise<void> | void;
}

export interface CertificateHandle extends ServingCertificate, Omit<CertificateMetricsSource, "current"> {
  current(): ReturnType<CertificateMetricsSource["current"]>;
  start(): Promise<void>;
  stop(): Promise<void> | void;
}

/** A cluster to talk to, as the Kubernetes plumbing found it. */
export interface ClusterTarget {
  /** Where the configuration came from, for logs ("in-cluster", "/home/me/.kube/config (context x)"). */
  description: string;
  /** Opaque to the webhook; the factories below know what it is. */
  config: unknown;
}

export interface ServeDependencies {
  /** undefined when no cluster is configured (local mode); throws a UsageError for a broken --kubeconfig. */
  findCluster(kubeconfig: string | undefined): Promise<ClusterTarget | undefined> | ClusterTarget | undefined;
  localState(dir: string, logger: Logger): StateSourceHandle;
  /** The cluster cache; `heapGuard` makes it drop itself and report, rather than crash, when it outgrows the heap. */
  clusterState(cluster: ClusterTarget, logger: Logger, heapGuard: HeapGuard): Promise<StateSourceHandle> | StateSourceHandle;
  localCertificate(dir: string, logger: Logger): CertificateHandle;
  clusterCertificate(cluster: ClusterTarget, names: { namespace: string; service: string }, logger: Logger): Promise<CertificateHandle> | CertificateHandle;
  fileCertificate(certFile: string, keyFile: string, logger: Logger): CertificateHandle;
  /**
   * Cluster mode: the cache of existing objects the impact warning weighs a
   * PolicyModule change against, holding at most `maxObjects` (absent: this
   * build keeps none, and the warning says the impact was not computed).
   */
  existingObjects?(cluster: ClusterTarget, logger: Logger, bounds: ExistingObjectsBounds): Promise<ExistingObjectsHandle> | ExistingObjectsHandle;
  /** `--policies-from cluster`: the cluster's PolicyModules, watched (absent: this build cannot read them). */
  clusterPolicies?(cluster: ClusterTarget, logger: Logger): Promise<ClusterPolicyModules> | ClusterPolicyModules;
  /** The reconciler, when the build has one (bin/cli.ts adds it; the webhook's room does not know it). */
  reconciler?: ReconcilerFactory;
  /** The self-service page (`--portal-listen`), when the build has one (bin/cli.ts adds it; this room does not import portal/). */
  portal?: PortalFactory;
  /** `name` says which components run: hostgate-webhook, hostgate-reconciler, or hostgate for both. */
  logger(level: LogLevel, name: string): ProcessLogger;
  /** Calls `stop` on SIGTERM/SIGINT; returns the function that removes the handlers. */
  onStopSignal(stop: (signal: string) => void): () => void;
  print(text: string): void;
}

/** Where `serve` looks for state in local mode when --state is not given. */
export const DEFAULT_LOCAL_STATE = "examples/state";

export function serveCommand(deps: () => ServeDependencies): Command {
  return { summary: "run the admission webhook and, on a cluster, the reconciler", usage: SERVE_USAGE, run: (args) => runServe(args, deps()) };
}

/** What this process will run, decided from the flags and whether a cluster is configured. */
interface Plan {
  cluster: ClusterTarget | undefined;
  local: boolean;
  webhook: boolean;
  reconciler: boolean;
  /** The self-service page (`--portal-listen`). */
  portal: boolean;
}

async function planServe(options: ServeOptions, deps: ServeDependencies): Promise<Plan> {
  const cluster = options.state === undefined ? await deps.findCluster(options.kubeconfig) : undefined;
  const local = cluster === undefined;
  if (options.only === "reconciler" && local)
    throw new UsageError(
      "--only reconciler needs a cluster (--kubeconfig FILE, the in-cluster service account, KUBECONFIG or ~/.kube/config), and none is configured",
    );
  // The bundled example config names example.com zones: fine on a laptop,
  // wrong on a real cluster, where it would judge against made-up zones.
  if (!local && options.config === undefined)
    throw new UsageError(
      `cluster mode (${cluster.description}) needs --config FILE, the platform config (deploy/ mounts it from a ConfigMap); the bundled example config is only used locally`,
    );
  if (options.policiesFrom === "cluster" && local && options.only !== "reconciler")
    throw new UsageError(
      "--policies-from cluster needs a cluster (--kubeconfig FILE, the in-cluster service account, KUBECONFIG or ~/.kube/config), and none is configured; " +
        "use --policies DIR locally",
    );
  if (options.policiesFrom === "cluster" && deps.clusterPolicies === undefined) throw new UsageError("this build of hostgate cannot watch PolicyModules");
  const reconciler = !local && (options.only === undefined || options.only === "reconciler");
  if (reconciler && deps.reconciler === undefined) throw new UsageError("this build of hostgate has no reconciler; run with --only webhook");
  const portal = options.portal !== undefined;
  if (portal) checkPortalPlan(options, cluster, deps);
  return { cluster, local, webhook: options.only === undefined || options.only === "webhook", reconciler, portal };
}

/** What only the mode can tell about the page's flags (parseServeOptions checked the rest). */
function checkPortalPlan(options: ServeOptions, cluster: ClusterTarget | undefined, deps: ServeDependencies): void {
  if (deps.portal === undefined) throw new UsageError("this build of hostgate has no self-service page; drop --portal-listen");
  if (cluster !== undefined && options.portal!.identity.kind === "fixed")
    throw new UsageError(
      `--portal-as is for local mode only: in cluster mode (${cluster.description}) every request would run as that one person. ` +
        "Put the page behind the platform's login proxy and give --portal-trusted-proxy CIDR, or --portal-proxy-client-ca FILE with --portal-proxy-name CN",
    );
}

/** The process's name in its logs: the one component it runs, or hostgate for several. */
function processName(plan: Plan): string {
  const parts = [plan.webhook ? "webhook" : "", plan.reconciler ? "reconciler" : "", plan.portal ? "portal" : ""].filter((p) => p !== "");
  return parts.length === 1 ? `hostgate-${parts[0]}` : "hostgate";
}

export async function runServe(args: readonly string[], deps: ServeDependencies): Promise<CommandResult> {
  const options = parseServeOptions(args);
  const plan = await planServe(options, deps);
  // The page in local mode judges routes by the same policies as the webhook.
  const { policies, config } = loadInputs(options, plan.webhook || (plan.portal && plan.local));
  const logger = deps.logger(options.logLevel, processName(plan));
  // The page's certificate files are read now: a missing one is exit 2 before anything listens.
  const portalSetup = options.portal === undefined ? undefined : portalSettings(options.portal, config);

  let stopRequested: ((signal: string) => void) | undefined;
  const stopped = new Promise<string>((resolve) => (stopRequested = resolve));
  const removeSignals = deps.onStopSignal((signal) => stopRequested?.(signal));
  const running: { stop(): Promise<unknown> }[] = [];
  const cleanups: (() => Promise<unknown> | unknown)[] = [];

  try {
    let registry: Registry | undefined;
    let reconciler: BackgroundComponent | undefined;
    let localState: StateSourceHandle | undefined;
    if (plan.webhook) {
      const started = await startWebhookPart(options, plan, deps, logger, policies, config, stopped, cleanups);
      if (started === "stopped") return { output: "", exitCode: 0 };
      running.push(started.webhook);
      registry = started.webhook.metrics.registry;
      if (plan.local) localState = started.state;
    }
    if (plan.reconciler) {
      reconciler = await deps.reconciler!(
        plan.cluster!.config,
        { config, leaseNamespace: options.namespace, leaseName: options.leaseName, holderId: options.holderId, ...auditPolicies(options, config, policies) },
        logger,
      );
      running.unshift(reconciler);
      if (registry !== undefined) reconciler.registerMetrics(registry);
      else running.push(await startHealthOnly(options, reconciler, logger));
      logger.info(
        { lease: `${options.namespace}/${options.leaseName}`, holderId: options.holderId, cluster: plan.cluster!.description },
        "reconciler started: standing for leader",
      );
    } else if (plan.local && options.only === undefined) {
      logger.info({}, "reconciler not started: local mode has no cluster to reconcile");
    }
    if (portalSetup !== undefined) running.push(await startPortalPart(options, plan, deps, logger, portalSetup, policies, localState, cleanups));

    // A reconciler that refuses to start (a data plane switch under served routes) ends the process with its message.
    const refused = reconciler?.refused?.().then((message) => ({ message }));
    const outcome = await Promise.race([stopped.then((signal) => ({ signal })), ...(refused === undefined ? [] : [refused])]);
    if ("message" in outcome) {
      await Promise.all(running.map((r) => r.stop()));
      return { output: "", exitCode: 1, notes: [`hostgate serve: cannot start: ${outcome.message}`] };
    }
    const signal = outcome.signal;
    logger.info({ signal }, "stop requested");
    // Together: the webhook drains while the reconciler finishes its reconciles and releases its Lease.
    await Promise.all(running.map((r) => r.stop()));
    return { output: "", exitCode: 0 };
  } catch (error) {
    await Promise.allSettled(running.map((r) => r.stop()));
    if (isReportable(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown }).code;
    const hint =
      code === "EADDRINUSE"
        ? "; another process listens there: stop it or pass --listen / --health-listen / --portal-listen"
        : code === "EACCES"
          ? "; ports below 1024 need privileges: use a port above 1024"
          : "";
    return { output: "", exitCode: 1, notes: [`hostgate serve: cannot start: ${message}${hint}`] };
  } finally {
    removeSignals();
    await Promise.allSettled(cleanups.map((cleanup) => Promise.resolve(cleanup())));
    logger.flush();
  }
}

/** The webhook with its state and certificate sources; "stopped" when a stop came before it served. */
async function startWebhookPart(
  options: ServeOptions,
  plan: Plan,
  deps: ServeDependencies,
  logger: ProcessLogger,
  files: PolicySet | undefined,
  config: PlatformConfig,
  stopped: Promise<string>,
  cleanups: (() => Promise<unknown> | unknown)[],
): Promise<{ webhook: RunningWebhook; state: StateSourceHandle } | "stopped"> {
  const { cluster, local } = plan;
  const stateDir = options.state ?? DEFAULT_LOCAL_STATE;
  // Watches live heap after full collections: for /metrics, and for the cluster cache to drop itself when it outgrows the heap.
  const heapGuard = new HeapGuard();
  heapGuard.start();
  cleanups.push(() => heapGuard.stop());
  const state = local ? deps.localState(stateDir, logger) : await deps.clusterState(cluster!, logger, heapGuard);
  cleanups.push(() => state.stop());
  const certificate =
    options.tlsCert !== undefined && options.tlsKey !== undefined
      ? deps.fileCertificate(options.tlsCert, options.tlsKey, logger)
      : local
        ? deps.localCertificate(options.tlsDir, logger)
        : await deps.clusterCertificate(cluster!, { namespace: options.namespace, service: options.service }, logger);
  cleanups.push(() => certificate.stop());

  // The cluster's PolicyModules when asked for (undefined files), else the files loaded at start.
  let live: ClusterPolicyModules | undefined;
  if (files === undefined) {
    live = await deps.clusterPolicies!(cluster!, logger);
    cleanups.push(() => live!.stop());
    live.start();
  }
  const policies = live?.policies ?? files!;
  const existingObjects = await existingObjectsFor(options, plan, deps, state, logger, cleanups);

  // Local state must load before serving (a bad directory is exit 2);
  // the cluster cache syncs in the background while /readyz says so.
  await state.start();
  const certificateReady = certificate.start();
  // Awaited by startWebhook after the health port is up; if that fails
  // first, this rejection must not surface later as an unhandled one.
  certificateReady.catch(() => {});
  const started = startWebhook({
    policies,
    config: configToCel(config),
    state,
    ...(existingObjects === undefined ? {} : { existingObjects }),
    certificate,
    certificateReady,
    listen: options.listen ?? { host: local ? "127.0.0.1" : "0.0.0.0", port: 8443 },
    healthListen: options.healthListen ?? defaultHealthListen(options, local),
    logger,
    shutdownDelayMs: options.shutdownDelayMs ?? (local ? 0 : 5000),
    shutdownTimeoutMs: options.shutdownTimeoutMs,
    bodyLimitBytes: options.bodyLimitBytes,
  });
  const first = await Promise.race([started.then((w) => ({ w })), stopped.then((signal) => ({ signal }))]);
  if ("signal" in first) {
    logger.info({ signal: first.signal }, "stop requested before the webhook was serving");
    void started.then(
      (w) => w.stop(),
      () => undefined,
    );
    return "stopped";
  }
  const webhook = first.w;
  registerCertificateMetrics(webhook.metrics.registry, certificate);
  registerHeapMetrics(webhook.metrics.registry, heapGuard, () => state.heapLimitReached?.() !== undefined);
  if (live !== undefined) registerPolicySetMetrics(webhook.metrics.registry, live.policies);
  logger.info(
    {
      mode: local ? "local" : "cluster",
      url: webhook.url,
      health: webhook.healthUrl,
      state: state.describe(),
      policies: live === undefined ? files!.modules.length : live.describe(),
      ...(cluster ? { cluster: cluster.description } : {}),
    },
    "webhook serving",
  );
  if (local)
    deps.print(
      localBanner({
        url: webhook.url,
        healthUrl: webhook.healthUrl,
        caFile: options.tlsCert === undefined ? resolve(options.tlsDir, "ca.crt") : undefined,
        state: state.describe(),
        policies: files!.modules.length,
      }),
    );
  return { webhook, state };
}

/**
 * 8080 on loopback locally, on every interface in a cluster; 8081 when the
 * page takes 8080 (`npm start -- --portal-listen 127.0.0.1:8080` must not
 * collide with the probes nobody asked to move).
 */
export function defaultHealthListen(options: ServeOptions, local: boolean): { host: string; port: number } {
  return { host: local ? "127.0.0.1" : "0.0.0.0", port: options.portal?.listen.port === 8080 ? 8081 : 8080 };
}

/**
 * The self-service page: over the webhook's own state source in local mode
 * (or one of its own with --only portal), on the cluster otherwise. Stopped
 * with the other parts.
 */
async function startPortalPart(
  options: ServeOptions,
  plan: Plan,
  deps: ServeDependencies,
  logger: ProcessLogger,
  settings: PortalSettings,
  policies: PolicySet | undefined,
  webhookState: StateSourceHandle | undefined,
  cleanups: (() => Promise<unknown> | unknown)[],
): Promise<{ stop(): Promise<void> }> {
  let target: PortalTarget;
  if (plan.local) {
    let state = webhookState;
    if (state === undefined) {
      const own = deps.localState(options.state ?? DEFAULT_LOCAL_STATE, logger);
      cleanups.push(() => own.stop());
      await own.start();
      state = own;
    }
    const objects = state.existingObjects?.();
    if (objects === undefined) throw new UsageError(`the local state source (${state.describe()}) offers no objects for the self-service page`);
    target = { mode: "local", state: objects, policies: policies! };
  } else {
    target = { mode: "cluster", cluster: plan.cluster!.config };
  }
  // The factory logs the URL itself (portal/serve-portal.ts).
  const portal = await deps.portal!(target, settings, logger);
  if (plan.local) deps.print(portalBanner(portal.url, settings.identity));
  return portal;
}

/**
 * What the impact warning weighs a PolicyModule change against: local files
 * offer their objects; a cluster gets a cache of its own (started here,
 * stopped with the rest), separate from the admission cache because only the
 * latter gates admission. `--impact-objects-max 0` keeps none, and says so.
 */
async function existingObjectsFor(
  options: ServeOptions,
  plan: Plan,
  deps: ServeDependencies,
  state: StateSourceHandle,
  logger: Logger,
  cleanups: (() => Promise<unknown> | unknown)[],
): Promise<WebhookOptions["existingObjects"]> {
  if (options.impactObjectsMax === 0) return { unavailable: IMPACT_DISABLED };
  if (plan.local) return state.existingObjects?.();
  if (deps.existingObjects === undefined) return undefined;
  // Advice only: a cache that cannot even be built costs the warning, never the webhook.
  try {
    const heapGuard = new HeapGuard({ fraction: IMPACT_HEAP_FRACTION });
    heapGuard.start();
    cleanups.push(() => heapGuard.stop());
    const cache = await deps.existingObjects(plan.cluster!, logger, { maxObjects: options.impactObjectsMax, heapGuard });
    cleanups.push(() => cache.stop());
    cache.start();
    return cache;
  } catch (error) {
    logger.error({ err: error }, "existing objects cache did not start; PolicyModule changes are answered without their impact (admission is unaffected)");
    return { unavailable: IMPACT_CACHE_FAILED };
  }
}

/** Probes and metrics for a process that runs the reconciler without the webhook. */
async function startHealthOnly(options: ServeOptions, component: BackgroundComponent, logger: Logger): Promise<{ stop(): Promise<void> }> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "hostgate_reconciler_" });
  component.registerMetrics(registry);
  let stopping = false;
  const server = createHealthServer({
    readiness: [
      { name: "reconciler", check: () => component.notReadyReason() },
      { name: "shutdown", check: () => (stopping ? "shutting down" : undefined) },
    ],
    registry,
  });
  const at = options.healthListen ?? { host: "0.0.0.0", port: 8080 };
  await listen(server, at);
  logger.info({ health: `http://${at.host}:${(server.address() as AddressInfo).port}` }, "serving probes and metrics");
  return {
    async stop() {
      stopping = true;
      await closeHealthServer(server);
    },
  };
}

/** The platform config, and the policies when the webhook runs or the reconciler audits (audit.reports). */
function loadInputs(options: ServeOptions, webhook: boolean): { policies: PolicySet | undefined; config: PlatformConfig } {
  const loaders = new ProblemCollector();
  const config = loaders.attempt(() => loadPlatformConfig(options.config ?? DEFAULT_CONFIG));
  // The cluster's PolicyModules are listed once serving starts; no file is read for them.
  const judges = webhook || config?.audit?.reports === true;
  if (!judges || options.policiesFrom === "cluster") return { ...loaders.results({ config }), policies: undefined };
  const policies = loaders.attempt(() => loadPolicySet(options.policies.length > 0 ? options.policies : [BUILTIN_POLICIES]));
  return loaders.results({ policies, config });
}

/** The set the reconciler's background audit judges by, the webhook's own: only with audit.reports. */
function auditPolicies(options: ServeOptions, config: PlatformConfig, policies: PolicySet | undefined): { policies?: PolicySet | "cluster" } {
  if (config.audit?.reports !== true) return {};
  return options.policiesFrom === "cluster" ? { policies: "cluster" } : policies === undefined ? {} : { policies };
}

/** `hostgate serve`, on the real cluster, certificates and process; `reconciler` and `portal` are the composition root's to add. */
export function realServeCommand(reconciler?: ReconcilerFactory, portal?: PortalFactory): Command {
  return serveCommand(() => ({ ...realServeDependencies(), ...(reconciler ? { reconciler } : {}), ...(portal ? { portal } : {}) }));
}
