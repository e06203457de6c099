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
//
// A pass judges in slices (auditExistingObjectsSliced), giving the event loop
// a turn every ~20 ms, so the other controllers and the Lease renewal run
// while it judges tens of thousands of objects. It is superseded, and
// publishes nothing, when the term ends (stop()) or the policy set in force
// changes under it (the rest would be judged by a set no longer in force, and
// the results it published would all flip again a moment later). A change of
// the objects does not stop it: the routes' status is written on every
// reconcile, so under a steady stream of changes a pass that gave way to each
// would never publish; it publishes the consistent picture it started from,
// and the change's own pass follows.
//
// What triggers a pass, and what each costs: every change of the held objects
// (their status included: a policy may read it, so it is judged again), of
// the PolicyModules or of hostgate's reports queues one (debounced, 5 s). A
// pass whose held objects are the very snapshot the last judged pass read
// (the holder rebuilds its array only after a change) under the same policy
// set, within the interval, reuses that pass's results instead of judging
// again: so the pass that the reports' own writes queue, or a hand edit of a
// report, only puts the reports right.
import type { Clock } from "../../core/clock.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { ObjectApi } from "../../core/kube/object-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { parseKey } from "../../core/kube/object-key.ts";
import type { Logger } from "../../core/logger.ts";
import type { ExistingObjectsHolder } from "../../core/state/existing-objects.ts";
import type { AuditResult } from "../../policies/audit/audit-result.ts";
import type { SliceOptions } from "../../policies/audit/sliced-audit.ts";
import type { PolicySet } from "../../policies/engine/module-loader.ts";
import { POLICY_MODULES } from "../../webhook/policy-set/cluster-policy-modules.ts";
import { LivePolicySet } from "../../webhook/policy-set/live-policy-set.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { Controller } from "../runtime/controller.ts";
import type { InformerHandler } from "../runtime/informer-handler.ts";
import type { AuditViolations } from "./audit-metrics.ts";
import { auditExistingObjectsSliced, DEFAULT_AUDIT_INTERVAL_MS, PENDING_RETRY_MS } from "./background-audit.ts";
import type { AuditPass, BackgroundAuditSettings, UnjudgedKind } from "./background-audit.ts";
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
  /** How a pass gives way to the event loop (slice length, clock, yield); sliced-audit.ts's defaults when absent. Tests inject them. */
  slicing?: Pick<SliceOptions, "sliceMs" | "now" | "yieldToLoop">;
}

/** What the last judged pass read and found, so a pass over the same snapshot and set need not judge again. */
interface Judged {
  objects: readonly KubeObject[];
  policies: PolicySet;
  /** clock.now() when it began: past the interval, a pass judges again whatever it reads. */
  at: number;
  results: AuditResult[];
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
  #last: Judged | undefined;
  /** Set by stop(): a pass in progress gives up at its next slice. */
  #stopped = false;
  /** Passes judged anew and passes that reused the last results (tests and logs). */
  readonly passes = { judged: 0, reused: 0, superseded: 0 };

  constructor(options: AuditControllerOptions) {
    const { api, reader, objects, config, settings, violations, clock, logger, slicing } = options;
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
        const snapshot = objects.snapshot();
        const set = policies();
        const began = clock.now();
        const last = this.#last;
        let pass: AuditPass | undefined;
        if (last !== undefined && last.objects === snapshot.objects && last.policies === set && began - last.at < intervalMs) {
          this.passes.reused++;
          pass = { publish: true, results: last.results };
        } else {
          // Superseded when the term ends or another set comes into force (see the file's comment).
          const superseded = () => this.#stopped || (this.#live !== undefined && this.#live.current() !== set);
          pass = await auditExistingObjectsSliced(snapshot, config, set, { ...slicing, superseded });
          if (pass === undefined) {
            this.passes.superseded++;
            logger.debug({}, "background audit pass superseded (term ended or the policy set changed); nothing published");
            // The set's change queued its own pass; a stopped term queues nothing.
            return this.#stopped ? undefined : { requeueAfterMs: 0 };
          }
          this.passes.judged++;
          this.#last = pass.publish ? { objects: snapshot.objects, policies: set, at: began, results: pass.results } : undefined;
        }
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
    this.#stopped = true;
    this.#live?.stop();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    await this.#objects.stop();
  }
}
