// The background audit as one wholesale controller of the leader's term: one
// queue key (AUDIT_REPORTS_KEY), a pass that audits the cached objects under
// the policy set in force (background-audit.ts) and publishes the reports
// (reconcile-reports.ts), then asks to run again after the interval.
//
// With policies from the cluster the PolicyModules cache feeds a
// LivePolicySet, the webhook's own compile-and-swap (same loader, same
// fail-closed stand-in for a module that cannot load), so the reconciler
// never judges by a set the webhook would not. Each pass compiles what
// changed first (flush), so it never audits under a set older than the cache.
import type { Clock } from "../../core/clock.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { ObjectApi } from "../../core/kube/object-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { parseKey } from "../../core/kube/object-key.ts";
import type { Logger } from "../../core/logger.ts";
import type { PolicySet } from "../../policies/engine/module-loader.ts";
import { POLICY_MODULES } from "../../webhook/policy-set/cluster-policy-modules.ts";
import { LivePolicySet } from "../../webhook/policy-set/live-policy-set.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { Controller } from "../runtime/controller.ts";
import type { InformerHandler } from "../runtime/informer-handler.ts";
import type { AuditViolations } from "./audit-metrics.ts";
import { auditCachedObjects, DEFAULT_AUDIT_INTERVAL_MS } from "./background-audit.ts";
import type { BackgroundAuditSettings } from "./background-audit.ts";
import { AUDIT_REPORTS_KEY, reconcileAuditReports } from "./reconcile-reports.ts";

export interface AuditControllerOptions {
  api: ObjectApi;
  reader: ObjectReader;
  config: PlatformConfig;
  settings: BackgroundAuditSettings;
  violations: AuditViolations;
  clock: Clock;
  logger: Logger;
}

export class AuditController {
  readonly controller: Controller;
  /** Present with policies from the cluster: fed by the PolicyModules cache. */
  readonly #live: LivePolicySet | undefined;

  constructor(options: AuditControllerOptions) {
    const { api, reader, config, settings, violations, clock, logger } = options;
    const intervalMs = settings.intervalMs ?? DEFAULT_AUDIT_INTERVAL_MS;
    const fixed = settings.policies === "cluster" ? undefined : settings.policies;
    this.#live = fixed === undefined ? new LivePolicySet({ logger, clock }) : undefined;
    const policies = (): PolicySet => {
      if (fixed !== undefined) return fixed;
      this.#live!.flush();
      return this.#live!.current();
    };
    this.controller = new Controller({
      name: "audit-reports",
      workers: 1,
      clock,
      logger,
      reconcile: async () => {
        const set = policies();
        await reconcileAuditReports({ api, reader, audit: () => auditCachedObjects(reader, config, set), now: () => clock.now(), logger, violations });
        return { requeueAfterMs: intervalMs };
      },
    });
  }

  /** Queues the one key after `delayMs` (a burst of changes becomes one pass). */
  enqueue(delayMs: number): void {
    this.controller.queue.addAfter(AUDIT_REPORTS_KEY, delayMs);
  }

  /** Hands each PolicyModule the cache holds (replayed on subscribe), changes and deletes to the live set. */
  policyModulesHandler(): InformerHandler<KubeObject> {
    const live = this.#live;
    const change = (type: "added" | "modified" | "deleted", object: KubeObject, key: string) =>
      live?.apply({ resource: POLICY_MODULES, cause: "watch", changes: [{ type, key: parseKey(key), object }] });
    return {
      onAdd: (object, key) => change("added", object, key),
      onUpdate: (_old, object, key) => change("modified", object, key),
      onDelete: (object, key) => change("deleted", object, key),
    };
  }

  /** Ends the live set's pending swap (the controller is stopped with the term's others). */
  stop(): void {
    this.#live?.stop();
  }
}
