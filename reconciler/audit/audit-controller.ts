// The background audit as one wholesale controller of the leader's term: one
// queue key (AUDIT_REPORTS_KEY), a pass that audits the existing objects under
// the policy set in force (background-audit.ts) and publishes the reports
// (reconcile-reports.ts), then asks to run again after the interval. A pass
// that finds a kind not judgeable whole (pending, dropped) publishes nothing,
// says why, and asks to run again soon (pending) or after the interval (dropped).
//
// The existing objects are a holder of the term (the webhook's cache class,
// reading every intercepted kind): started with the controller, stopped with
// it, so only the leader lists and watches them, and a new term lists afresh.
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
import type { ExistingObjectsHolder } from "../../core/state/existing-objects.ts";
import type { PolicySet } from "../../policies/engine/module-loader.ts";
import { POLICY_MODULES } from "../../webhook/policy-set/cluster-policy-modules.ts";
import { LivePolicySet } from "../../webhook/policy-set/live-policy-set.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { Controller } from "../runtime/controller.ts";
import type { InformerHandler } from "../runtime/informer-handler.ts";
import type { AuditViolations } from "./audit-metrics.ts";
import { auditExistingObjects, DEFAULT_AUDIT_INTERVAL_MS, PENDING_RETRY_MS } from "./background-audit.ts";
import type { BackgroundAuditSettings, UnjudgedKind } from "./background-audit.ts";
import { AUDIT_REPORTS_KEY, reconcileAuditReports } from "./reconcile-reports.ts";

/** A holder of the existing objects for one term (start() lists and watches, stop() ends that). */
export interface TermObjects extends ExistingObjectsHolder {
  start(): void;
  stop(): Promise<void> | void;
}

export interface AuditControllerOptions {
  api: ObjectApi;
  /** hostgate's Reports and ClusterReports (the reconciler's caches). */
  reader: ObjectReader;
  /** The objects judged; started and stopped with this controller. */
  objects: TermObjects;
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
  readonly #objects: TermObjects;
  readonly #logger: Logger;
  #unsubscribe: (() => void) | undefined;
  /** The last unjudged kinds logged above debug, so a pass waiting on the same reason does not repeat it. */
  #told = "";

  constructor(options: AuditControllerOptions) {
    const { api, reader, objects, config, settings, violations, clock, logger } = options;
    this.#objects = objects;
    this.#logger = logger;
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
        const pass = auditExistingObjects(objects.snapshot(), config, policies());
        violations.recordUnjudged(pass.publish ? [] : pass.unjudged);
        if (!pass.publish) return { requeueAfterMs: this.#heldBack(pass.unjudged, intervalMs) };
        this.#told = "";
        await reconcileAuditReports({ api, reader, audit: () => pass.results, now: () => clock.now(), logger, violations });
        return { requeueAfterMs: intervalMs };
      },
    });
  }

  /** Starts the holder (it lists and watches every audited kind) and calls `onChange` on each of its changes. */
  start(onChange: () => void): void {
    this.#unsubscribe = this.#objects.onChange(onChange);
    this.#objects.start();
  }

  /** Says why nothing was published; returns when to look again. */
  #heldBack(unjudged: readonly UnjudgedKind[], intervalMs: number): number {
    const dropped = unjudged.filter((k) => k.state === "dropped");
    const pending = unjudged.filter((k) => k.state === "pending");
    const list = (kinds: readonly UnjudgedKind[]) => kinds.map((k) => `${k.resource} (${k.reason})`).join("; ");
    const told = JSON.stringify(unjudged);
    const repeat = told === this.#told;
    this.#told = told;
    const fields = { unjudged: unjudged.map((k) => ({ ...k })) };
    if (dropped.length > 0) {
      // An error each time: it will not clear by waiting (a dropped holder lists nothing again; the next term's holder lists afresh).
      this.#logger.error(
        fields,
        `background audit not published: ${list(dropped)}; the reports keep their previous results until a reconciler term holds every audited kind whole`,
      );
    } else if (!repeat) {
      // Info: every term starts so. A kind that stays pending is the holder's to warn about (it logs each failed list), and is counted.
      this.#logger.info(fields, `background audit waits, reports unchanged until these kinds are listed: ${list(pending)}`);
    } else {
      this.#logger.debug(fields, `background audit still waits for: ${list(pending)}`);
    }
    return pending.length > 0 ? Math.min(PENDING_RETRY_MS, intervalMs) : intervalMs;
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

  /** Ends the live set's pending swap and the holder's lists and watches (the controller is stopped with the term's others). */
  async stop(): Promise<void> {
    this.#live?.stop();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    await this.#objects.stop();
  }
}
