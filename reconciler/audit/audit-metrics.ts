// The background audit's metrics: existing objects that break a policy, by
// policy and by the enforcement the violation was found under (Deny, Warn,
// Audit; render-reports.ts OUTCOME_RESULT), as of the last audit pass that
// published; and the kinds the last pass could not judge whole (pending or
// dropped: background-audit.ts), which held its reports back.
// Gauges read on each scrape: a policy whose violations are gone (fixed,
// or the policy deleted) loses its series rather than keeping a stale count.
import { Gauge } from "prom-client";
import type { Registry } from "prom-client";
import type { AuditResult } from "../../policies/audit/audit-result.ts";
import type { UnjudgedKind } from "./background-audit.ts";
import { OUTCOME_RESULT } from "./render-reports.ts";

export const VIOLATIONS_METRIC = "hostgate_policy_violations";
export const UNJUDGED_KINDS_METRIC = "hostgate_audit_unjudged_kinds";

/** The violation counts of the last audit pass that published, and the kinds the last pass could not judge, kept for /metrics. */
export class AuditViolations {
  #counts = new Map<string, { policy: string; enforcement: string; count: number }>();
  #unjudged: readonly UnjudgedKind[] = [];

  /** The kinds the last pass could not judge (none when it published). */
  recordUnjudged(kinds: readonly UnjudgedKind[]): void {
    this.#unjudged = [...kinds].sort((a, b) => cmp(a.resource, b.resource));
  }

  /** Sorted by resource. */
  unjudged(): readonly UnjudgedKind[] {
    return this.#unjudged;
  }

  /** Replaces the counts with those of `results` (pass and error results are not violations). */
  record(results: readonly AuditResult[]): void {
    const counts = new Map<string, { policy: string; enforcement: string; count: number }>();
    for (const result of results) {
      const enforcement = OUTCOME_RESULT[result.outcome].enforcement;
      if (enforcement === undefined) continue;
      const key = JSON.stringify([result.policy, enforcement]);
      const entry = counts.get(key) ?? { policy: result.policy, enforcement, count: 0 };
      entry.count += 1;
      counts.set(key, entry);
    }
    this.#counts = counts;
  }

  /** Sorted by policy, then enforcement. */
  counts(): { policy: string; enforcement: string; count: number }[] {
    return [...this.#counts.values()]
      .map((e) => ({ ...e }))
      .sort((a, b) => (a.policy === b.policy ? cmp(a.enforcement, b.enforcement) : cmp(a.policy, b.policy)));
  }
}

export function registerAuditMetrics(registry: Registry, violations: AuditViolations): void {
  new Gauge({
    name: VIOLATIONS_METRIC,
    help: "Existing objects that break a policy, by policy and enforcement (Deny, Warn, Audit), as of the last background audit.",
    labelNames: ["policy", "enforcement"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { policy, enforcement, count } of violations.counts()) this.set({ policy, enforcement }, count);
    },
  });
  new Gauge({
    name: UNJUDGED_KINDS_METRIC,
    help:
      "Audited kinds the last background audit pass could not judge whole, so it published no report: pending (not listed yet, " +
      "or its list fails) or dropped (over the existing-objects cache's bound); the reconciler's log names the reason. 1 each.",
    labelNames: ["resource", "state"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { resource, state } of violations.unjudged()) this.set({ resource, state }, 1);
    },
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
