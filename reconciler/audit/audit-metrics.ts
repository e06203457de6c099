// The background audit's metric: existing objects that break a policy, by
// policy and by the enforcement the violation was found under (Deny, Warn,
// Audit; render-reports.ts OUTCOME_RESULT), as of the last audit pass.
// A gauge read on each scrape: a policy whose violations are gone (fixed,
// or the policy deleted) loses its series rather than keeping a stale count.
import { Gauge } from "prom-client";
import type { Registry } from "prom-client";
import type { AuditResult } from "../../policies/audit/audit-result.ts";
import { OUTCOME_RESULT } from "./render-reports.ts";

export const VIOLATIONS_METRIC = "hostgate_policy_violations";

/** The violation counts of the last audit pass, kept for /metrics. */
export class AuditViolations {
  #counts = new Map<string, { policy: string; enforcement: string; count: number }>();

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
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
