// The reconciler's Prometheus metrics, read from the manager on each scrape:
// leadership, reconciles and failures per controller, queue depth, and the
// caches. Registered on the registry of whatever serves /metrics.
import { Counter, Gauge } from "prom-client";
import type { Registry } from "prom-client";
import type { ReconcilerManager } from "./reconciler-manager.ts";
import { registerAuditMetrics } from "../audit/audit-metrics.ts";
import { NOT_APPLIED_SITUATIONS } from "../observability/reconcile-gateway-telemetry.ts";

/** The controllers every config runs: their series exist from the start, at 0 on a standby. */
const ALWAYS = ["domainroute", "edge-placement", "orphan-sweep"] as const;

/**
 * Every controller with a series: those every config runs, and those this
 * config turns on (identity-table, pool-gateways, dns, gateway-endpoints,
 * certificates), once this replica has led a term with them.
 */
function controllers(manager: ReconcilerManager): string[] {
  return [...new Set([...ALWAYS, ...Object.keys(manager.totals()), ...Object.keys(manager.stats())])].sort();
}

export function registerReconcilerMetrics(registry: Registry, manager: ReconcilerManager): void {
  // hostgate_policy_violations, only with the background audit on.
  const violations = manager.auditViolations();
  if (violations !== undefined) registerAuditMetrics(registry, violations);
  new Gauge({
    name: "hostgate_reconciler_leader",
    help: "1 while this replica holds the reconciler's Lease and runs the controllers, else 0.",
    registers: [registry],
    collect() {
      this.set(manager.isLeader() ? 1 : 0);
    },
  });
  totalsCounter(registry, manager, "hostgate_reconciler_reconciles_total", "Reconciles run by this replica since it started, by controller.", "reconciles");
  totalsCounter(
    registry,
    manager,
    "hostgate_reconciler_reconcile_errors_total",
    "Reconciles that failed (and were retried with backoff), by controller.",
    "errors",
  );
  new Gauge({
    name: "hostgate_reconciler_queue_depth",
    help: "Keys waiting for a worker, by controller (0 on a standby).",
    labelNames: ["controller"] as const,
    registers: [registry],
    collect() {
      const stats = manager.stats();
      for (const name of controllers(manager)) this.set({ controller: name }, stats[name]?.queued ?? 0);
    },
  });
  new Gauge({
    name: "hostgate_gateway_telemetry_not_applied",
    help:
      "1 while the platform config's gateway access logging and tracing are not in force, by reason: notServed (the cluster serves no " +
      "telemetry.istio.io Telemetry), foreign (someone else's Telemetry holds hostgate-gateway), notApplicable (the gateway is not Istio's).",
    labelNames: ["reason"] as const,
    registers: [registry],
    collect() {
      const situation = manager.gatewayTelemetrySituation();
      for (const reason of NOT_APPLIED_SITUATIONS) this.set({ reason }, situation === reason ? 1 : 0);
    },
  });
  new Gauge({
    name: "hostgate_reconciler_cache_synced",
    help: "1 once the cache of the resource has its first complete list, else 0.",
    labelNames: ["resource"] as const,
    registers: [registry],
    collect() {
      for (const cache of manager.caches()) this.set({ resource: cache.resource }, cache.synced ? 1 : 0);
    },
  });
  new Gauge({
    name: "hostgate_reconciler_cache_objects",
    help: "Objects in the cache of the resource.",
    labelNames: ["resource"] as const,
    registers: [registry],
    collect() {
      for (const cache of manager.caches()) this.set({ resource: cache.resource }, cache.objects);
    },
  });
}

/** A per-controller counter read from the manager's running totals (set on each scrape, never incremented here). */
function totalsCounter(registry: Registry, manager: ReconcilerManager, name: string, help: string, field: "reconciles" | "errors"): void {
  new Counter({
    name,
    help,
    labelNames: ["controller"] as const,
    registers: [registry],
    collect() {
      const totals = manager.totals();
      this.reset();
      for (const controller of controllers(manager)) this.inc({ controller }, totals[controller]?.[field] ?? 0);
    },
  });
}
