// The running webhook: the admission app on HTTPS, probes and metrics on
// plain HTTP, the cluster state and the serving certificate it reads, and an
// orderly shutdown. Everything it depends on is passed in, so tests run it
// with fakes and `hostgate serve` with the real cache and certificates.
import type { Server } from "node:http";
import type { PolicySet } from "../policies/engine/module-loader.ts";
import type { VerdictEnvironment } from "../policies/verdict.ts";
import { existingObjectsOf } from "../policies/audit/module-impact.ts";
import type { ExistingObjects } from "../policies/audit/module-impact.ts";
import { RollingImpactBudget } from "../policies/audit/impact-budget.ts";
import type { ImpactBudget } from "../policies/audit/impact-budget.ts";
import type { Logger } from "../core/logger.ts";
import type { ClusterStateCounts } from "../core/state/index.ts";
import type { ExistingObjectsHolder } from "../core/state/existing-objects.ts";
import { createAdmissionApp } from "./admission-app.ts";
import { closeHealthServer, createHealthServer } from "./health-server.ts";
import type { ReadinessCheck } from "./health-server.ts";
import { listen, listenHttps } from "./https-server.ts";
import type { HttpsListener, ListenAddress, TlsMaterialSource } from "./https-server.ts";
import { createWebhookMetrics } from "./metrics.ts";
import { logPlannerFallbacks, plannerFallbacks } from "../policies/engine/fallbacks.ts";
import type { WebhookMetrics } from "./metrics.ts";
import { fixedPolicySet } from "./policy-set/policy-set-source.ts";
import type { PolicySetSource } from "./policy-set/policy-set-source.ts";

/** The cluster state the policies read (see core/state sources). */
export interface PolicyStateSource {
  synced(): boolean;
  /** The `cluster` CEL value now; replaced, never mutated, when the cache changes. */
  current(): unknown;
  counts(): ClusterStateCounts;
  /** Why it is not ready yet, when it can say more than "not synced". */
  notReadyReason?(): string | undefined;
}

/** The impact warning of a webhook given no existing objects (at most 105 characters: see module-impact.ts). */
export const IMPACT_NOT_CACHED = "impact on existing objects not computed: this webhook keeps no existing objects; use hostgate diff";

/** The serving certificate (see certs/). */
export interface ServingCertificate extends TlsMaterialSource {
  /** undefined when the certificate can be served now, else why not. */
  problem(now: Date): string | undefined;
  notAfter(): Date | undefined;
}

export interface WebhookOptions {
  /** A set loaded once (files), or a source whose set may be swapped while serving (PolicyModules in the cluster). */
  policies: PolicySet | PolicySetSource;
  /** The platform config as a CEL value (core/config configToCel). */
  config: unknown;
  state: PolicyStateSource;
  /**
   * What a PolicyModule change is weighed against (its impact warning): a
   * holder of the existing objects (the cluster cache, local files), or why
   * there is none, said as the warning (default IMPACT_NOT_CACHED). Advice
   * only: it never gates readiness or any review.
   */
  existingObjects?: ExistingObjectsHolder | { unavailable: string };
  /** Impact scanning time shared by all reviews (policies/audit/impact-budget.ts); default at most 1.5 s per rolling 10 s. */
  impactBudget?: ImpactBudget;
  certificate: ServingCertificate;
  /**
   * Resolves when the certificate can be served. Probes and metrics come up
   * first, so a webhook waiting for its Secret (API server unreachable) is
   * alive-but-unready rather than restarted in a loop.
   */
  certificateReady?: Promise<void>;
  listen: ListenAddress;
  healthListen: ListenAddress;
  logger: Logger;
  /** Keep serving this long after shutdown begins (readiness already failing), so load balancers stop sending first. */
  shutdownDelayMs: number;
  /** Then wait at most this long for in-flight reviews. */
  shutdownTimeoutMs: number;
  bodyLimitBytes?: number;
  now?: () => Date;
  /** Process-level metrics (CPU, memory, event loop); off in tests that run several webhooks. */
  defaultMetrics?: boolean;
}

export interface RunningWebhook {
  /** Where reviews go: https://HOST:PORT */
  url: string;
  healthUrl: string;
  metrics: WebhookMetrics;
  /** Graceful stop: fails readiness, drains, closes. Safe to call twice. */
  stop(): Promise<{ forced: boolean }>;
}

export async function startWebhook(options: WebhookOptions): Promise<RunningWebhook> {
  const now = options.now ?? (() => new Date());
  let shuttingDown = false;
  // Expressions the compiled fast path declined run on the planner: say which and why, once (also a metric).
  const policies: PolicySetSource = "current" in options.policies ? options.policies : fixedPolicySet(options.policies);
  let fallbacksOf = policies.current();
  let fallbacks = plannerFallbacks(fallbacksOf);
  logPlannerFallbacks(fallbacks, options.logger);
  // A live set's fallbacks are recounted when a scrape finds another set in force.
  const currentFallbacks = () => {
    if (policies.current() !== fallbacksOf) {
      fallbacksOf = policies.current();
      fallbacks = plannerFallbacks(fallbacksOf);
    }
    return fallbacks;
  };
  const metrics = createWebhookMetrics(
    {
      cacheCounts: () => options.state.counts(),
      cacheSynced: () => options.state.synced(),
      certificateNotAfter: () => options.certificate.notAfter(),
      policiesLoaded: () => policies.current().modules.length,
      plannerFallbacks: currentFallbacks,
    },
    { defaultMetrics: options.defaultMetrics ?? true },
  );
  // One answer for the probe and for reviews: a webhook that is not ready judges nothing.
  const cacheProblem = (): string | undefined =>
    options.state.synced() ? undefined : (options.state.notReadyReason?.() ?? "the cluster cache has not completed its first sync");
  const readiness: ReadinessCheck[] = [
    { name: "policies", check: () => policies.notReadyReason() },
    { name: "cache", check: cacheProblem },
    { name: "certificate", check: () => options.certificate.problem(now()) },
    { name: "shutdown", check: () => (shuttingDown ? "shutting down" : undefined) },
  ];

  // One read of the set per review: a swap after this point judges the next review, never half of this one.
  // A PolicyModule write is answered with its impact on the existing objects,
  // partial (and saying so) while a kind is not listed; a webhook without them
  // says so rather than stay silent, which would read as "denies nothing".
  const existing = options.existingObjects ?? { unavailable: IMPACT_NOT_CACHED };
  // Scans run on this one event loop: a shared budget keeps PolicyModule writes in a row from holding up every other review.
  const shared = options.impactBudget ?? new RollingImpactBudget();
  const impact: ExistingObjects =
    "unavailable" in existing ? { objects: () => [], unavailable: existing.unavailable } : existingObjectsOf(existing, { shared });
  const environment = (): VerdictEnvironment => ({ policies: policies.current(), config: options.config, cluster: options.state.current(), impact });
  const app = createAdmissionApp({
    environment,
    logger: options.logger,
    metrics,
    ...(options.bodyLimitBytes !== undefined ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
    // Before the first set is in force a review would be judged by no policies at all: refused, like an unsynced cache.
    notReady: () => policies.notReadyReason() ?? cacheProblem(),
    shuttingDown: () => shuttingDown,
  });

  const health: Server = createHealthServer({ readiness, registry: metrics.registry });
  await listen(health, options.healthListen);
  let https: HttpsListener;
  try {
    await options.certificateReady;
    // No path is known when the HTTP layer refuses a request itself.
    https = await listenHttps(app, options.certificate, options.listen, options.logger, {
      onRejected: (problem) => metrics.recordRejectedRequest("", problem.code),
    });
  } catch (error) {
    health.closeAllConnections();
    health.close();
    throw error;
  }
  const healthPort = (health.address() as import("node:net").AddressInfo).port;

  let stopping: Promise<{ forced: boolean }> | undefined;
  const stop = (): Promise<{ forced: boolean }> => {
    stopping ??= (async () => {
      shuttingDown = true;
      options.logger.info(
        { delayMs: options.shutdownDelayMs, timeoutMs: options.shutdownTimeoutMs },
        "shutting down: readiness now fails; still serving during the delay",
      );
      if (options.shutdownDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, options.shutdownDelayMs));
      const result = await https.close(options.shutdownTimeoutMs);
      await closeHealthServer(health);
      options.logger.info(
        { forced: result.forced },
        result.forced ? "stopped; in-flight requests were cut at the timeout" : "stopped; every in-flight request was answered",
      );
      return result;
    })();
    return stopping;
  };

  return {
    url: `https://${hostForUrl(options.listen.host)}:${https.address.port}`,
    healthUrl: `http://${hostForUrl(options.healthListen.host)}:${healthPort}`,
    metrics,
    stop,
  };
}

function hostForUrl(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}
