// The webhook's Prometheus metrics. A fresh registry per server (not
// prom-client's global one), so tests and the benchmark can run several.
// Label values are bounded: kinds outside the ones the webhook is configured
// for are reported as "other", policies come from the loaded set, so a
// hostile caller cannot grow the series without limit.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ClusterStateCounts } from "../core/state/index.ts";
import { AUDITED_RESOURCES } from "../core/state/audited-resources.ts";
import type { Endpoint, ReviewOutcome } from "./admission-response.ts";
import { fallbackCounts } from "../policies/engine/fallbacks.ts";
import type { PlannerFallback } from "../policies/engine/fallbacks.ts";

/** The kinds the webhook configurations send us (deploy/base/webhooks.yaml, held to AUDITED_RESOURCES by a test), PolicyModules aside. */
export const REVIEWED_KINDS: ReadonlySet<string> = new Set(AUDITED_RESOURCES.map((r) => r.kind));

/** What the metrics read on each scrape. */
export interface MetricsSources {
  cacheCounts(): ClusterStateCounts;
  cacheSynced(): boolean;
  certificateNotAfter(): Date | undefined;
  policiesLoaded(): number;
  /** Loaded expressions that run on the CEL planner instead of the compiled fast path (policies/engine/fallbacks.ts). */
  plannerFallbacks?(): readonly PlannerFallback[];
}

export interface WebhookMetrics {
  registry: Registry;
  recordReview(endpoint: Endpoint, operation: string, kind: string, outcome: ReviewOutcome, seconds: number): void;
  recordRejectedRequest(path: string, status: number): void;
}

export function createWebhookMetrics(sources: MetricsSources, options: { defaultMetrics?: boolean } = {}): WebhookMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "hostgate_webhook_" });

  const reviews = new Counter({
    name: "hostgate_admission_reviews_total",
    help: "Admission reviews answered, by endpoint, operation, kind and verdict.",
    labelNames: ["endpoint", "operation", "kind", "verdict"] as const,
    registers: [registry],
  });
  const violations = new Counter({
    name: "hostgate_admission_policy_violations_total",
    help: "Reviews in which a policy denied or warned, by endpoint, policy and action.",
    labelNames: ["endpoint", "policy", "action"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "hostgate_admission_review_duration_seconds",
    help: "Time from the request's arrival to its response, by endpoint.",
    labelNames: ["endpoint"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const evaluation = new Histogram({
    name: "hostgate_policy_evaluation_duration_seconds",
    help: "Time spent evaluating policies for one review, by endpoint.",
    labelNames: ["endpoint"] as const,
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25],
    registers: [registry],
  });
  const rejected = new Counter({
    name: "hostgate_http_rejected_requests_total",
    help: "Requests refused before review (bad JSON, wrong content type, too large, wrong method, unknown path), by status.",
    labelNames: ["status"] as const,
    registers: [registry],
  });
  new Gauge({
    name: "hostgate_cache_objects",
    help: "Objects in the cluster cache the policies read, by index.",
    labelNames: ["index"] as const,
    registers: [registry],
    collect() {
      for (const [index, count] of Object.entries(sources.cacheCounts()) as Array<[string, number]>) this.set({ index }, count);
    },
  });
  new Gauge({
    name: "hostgate_cache_synced",
    help: "1 once the cluster cache has completed its first full sync.",
    registers: [registry],
    collect() {
      this.set(sources.cacheSynced() ? 1 : 0);
    },
  });
  new Gauge({
    name: "hostgate_serving_certificate_expiry_timestamp_seconds",
    help: "When the serving certificate expires (Unix time).",
    registers: [registry],
    collect() {
      const notAfter = sources.certificateNotAfter();
      if (notAfter !== undefined) this.set(notAfter.getTime() / 1000);
    },
  });
  new Gauge({
    name: "hostgate_policies_loaded",
    help: "Policy modules loaded.",
    registers: [registry],
    collect() {
      this.set(sources.policiesLoaded());
    },
  });

  new Gauge({
    name: "hostgate_policy_expressions_interpreted",
    help: "Loaded policy expressions the compiled fast path declined, which run on the CEL planner (slower, same answers), by policy and reason.",
    labelNames: ["policy", "reason"] as const,
    registers: [registry],
    collect() {
      // Labels come from the loaded policy set and the compiler's kinds of reason, never from requests.
      for (const { policy, reason, count } of fallbackCounts(sources.plannerFallbacks?.() ?? []).values()) this.set({ policy, reason }, count);
    },
  });

  // Label children are looked up once per label set, not once per request.
  const reviewChild = memo((key: string) => reviews.labels(...(key.split("\u0000") as [string, string, string, string])));
  const violationChild = memo((key: string) => violations.labels(...(key.split("\u0000") as [string, string, string])));
  const durationChild = memo((endpoint: string) => duration.labels(endpoint));
  const evaluationChild = memo((endpoint: string) => evaluation.labels(endpoint));
  return {
    registry,
    recordReview(endpoint, operation, kind, outcome, seconds) {
      const kindLabel = REVIEWED_KINDS.has(kind) ? kind : "other";
      reviewChild(`${endpoint}\u0000${operation}\u0000${kindLabel}\u0000${outcome.verdict}`).inc();
      for (const policy of outcome.denyingPolicies) violationChild(`${endpoint}\u0000${policy}\u0000Deny`).inc();
      for (const policy of outcome.warningPolicies) violationChild(`${endpoint}\u0000${policy}\u0000Warn`).inc();
      durationChild(endpoint).observe(seconds);
      if (outcome.evaluated) evaluationChild(endpoint).observe(outcome.evaluationSeconds);
    },
    recordRejectedRequest(_path, status) {
      rejected.labels(String(status)).inc();
    },
  };
}

function memo<T>(make: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = make(key);
      cache.set(key, value);
    }
    return value;
  };
}
