// The reconciler's background audit (leader only, opt-in): which objects it
// judges, under which policy set, with which environment. One wholesale pass
// (reconcile-reports.ts publishes it) audits every object below; any change of
// them, of the PolicyModules or of hostgate's reports queues the one key, and
// the pass asks to run again every interval.
//
// Audited: every kind the admission webhooks intercept (AUDITED_RESOURCES:
// DomainRoutes, RegionPolicies, HostnameGrants, the Gateway API's HTTPRoutes,
// GRPCRoutes, TLSRoutes and Gateways, Istio's VirtualServices and Gateways), as
// an ExistingObjectsHolder holds them whole (the webhook's cache class, started
// for the leader's term). Nothing else: an object of a kind no webhook
// intercepts never got a verdict, so a result for it would be invented.
//
// A pass publishes only a whole picture. Reports are replaced wholesale (one
// per namespace), so judging while a kind is not listed yet would drop its
// results from every report and bring them back a moment later: Policy
// Reporter would see violations fixed and reopened. So while any kind is
// `pending` the pass publishes nothing and asks to run again soon
// (PENDING_RETRY_MS; the holder's change when the kind lists queues one
// sooner), leaving the reports as they are. Waiting rather than carrying the
// kind's earlier results over: a new leader has no earlier results of its
// own, and rebuilding them from the published reports would judge nothing.
// Pending normally lasts the first list of a term; a kind that stays pending
// (its list refused, the API server unreachable) is logged with the holder's
// reason on every retry and counted in hostgate_audit_unjudged_kinds. A kind
// `dropped` to keep the holder within its memory bound will not come back by
// waiting: the pass publishes nothing, logs an error naming the bound, and
// counts it there too. `not-served` (its CRD is not installed): none exist.
//
// The environment is the webhook's (webhook.ts): the config as CEL, the
// cluster state indexed from the same snapshot's DomainRoutes and
// HostnameGrants. Only the validate phase runs (audit-objects.ts), so no CRD
// catalog is needed.
import { setImmediate as nextTurn } from "node:timers/promises";
import { configToCel } from "../../core/config/index.ts";
import type { HeapGuard } from "../../core/memory/heap-guard.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import { resourceName } from "../../core/kube/resource.ts";
import type { ExistingObjectsSnapshot } from "../../core/state/existing-objects.ts";
import { ClusterStateIndex } from "../../core/state/index.ts";
import { HOSTNAME_GRANTS } from "../../core/state/sources/indexed-resources.ts";
import { auditObjects } from "../../policies/audit/audit-objects.ts";
import { auditObjectsSliced } from "../../policies/audit/sliced-audit.ts";
import type { SliceOptions } from "../../policies/audit/sliced-audit.ts";
import type { VerdictEnvironment } from "../../policies/verdict.ts";
import type { AuditResult } from "../../policies/audit/audit-result.ts";
import type { PolicySet } from "../../policies/engine/module-loader.ts";

export { HOSTNAME_GRANTS };

/** The background audit, when asked for (ReconcilerManagerOptions.audit). */
export interface BackgroundAuditSettings {
  /**
   * The set the webhook judges by: a set loaded once (files: the built-in
   * library or --policies), or "cluster": the cluster's PolicyModules,
   * cached by the reconciler and compiled by the webhook's LivePolicySet.
   */
  policies: PolicySet | "cluster";
  /** How often the whole audit runs again without any change; default 1 hour. */
  intervalMs?: number;
  /**
   * Changes within this long of the first one become one pass; default 5 s.
   * Every pass judges every audited object, and routes change often (their
   * status is written on each reconcile), so a burst must not cost a pass each.
   */
  debounceMs?: number;
  /** Most existing objects held for the audit (ExistingObjectsCache maxObjects; its default when absent); above it nothing is published. */
  maxObjects?: number;
  /** The setting that raises maxObjects, named when the objects are dropped (ExistingObjectsCache maxObjectsSetting); default audit.maxObjects in the platform config. */
  maxObjectsSetting?: string;
  /**
   * Drops the held objects (nothing is published, and the reconciler says
   * why) when live data passes its share of the heap. Default: one at
   * AUDIT_HEAP_FRACTION (reconciler-manager.ts), started and stopped with the
   * reconciler; one passed here is started and stopped by its creator.
   */
  heapGuard?: HeapGuard;
}

export const DEFAULT_AUDIT_INTERVAL_MS = 60 * 60_000;
export const DEFAULT_AUDIT_DEBOUNCE_MS = 5000;

/** How soon a pass that waited for a pending kind runs again (the holder's change when it lists brings one sooner). */
export const PENDING_RETRY_MS = 10_000;

/** A kind a pass could not judge whole, and the holder's reason. */
export interface UnjudgedKind {
  /** `plural.group`, e.g. httproutes.gateway.networking.k8s.io. */
  resource: string;
  state: "pending" | "dropped";
  reason: string;
}

/** What one pass found: results to publish, or the kinds it could not judge whole (then nothing is published). */
export type AuditPass = { publish: true; results: AuditResult[] } | { publish: false; unjudged: UnjudgedKind[] };

/**
 * Every held object judged under `policies`, as the webhook would judge its
 * re-apply; or, when a kind is pending or dropped, no results at all (above).
 */
export function auditExistingObjects(snapshot: ExistingObjectsSnapshot, config: PlatformConfig, policies: PolicySet): AuditPass {
  const unjudged = unjudgedKinds(snapshot);
  if (unjudged.length > 0) return { publish: false, unjudged };
  return { publish: true, results: auditObjects(snapshot.objects, environmentOf(snapshot, config, policies)) };
}

/**
 * auditExistingObjects's pass, judged in slices that give the event loop a
 * turn between them (policies/audit/sliced-audit.ts), so the reconciler's
 * other controllers and its Lease renewal are not held up for the seconds a
 * pass over tens of thousands of objects takes. Undefined when `slicing`
 * says the pass is superseded (then nothing is to be published).
 * What stays synchronous is linear and cheap next to judging: indexing the
 * cluster state, proving who wrote each object, sorting the objects.
 */
export async function auditExistingObjectsSliced(
  snapshot: ExistingObjectsSnapshot,
  config: PlatformConfig,
  policies: PolicySet,
  slicing: SliceOptions = {},
): Promise<AuditPass | undefined> {
  const unjudged = unjudgedKinds(snapshot);
  if (unjudged.length > 0) return { publish: false, unjudged };
  const env = environmentOf(snapshot, config, policies);
  // Indexing the cluster state is one block of its own (~45 ms per 10,000 routes): the loop gets a turn before judging starts.
  await (slicing.yieldToLoop ?? (() => nextTurn()))();
  if (slicing.superseded?.() === true) return undefined;
  const pass = await auditObjectsSliced(snapshot.objects, env, slicing);
  return pass.completed ? { publish: true, results: pass.results } : undefined;
}

function unjudgedKinds(snapshot: ExistingObjectsSnapshot): UnjudgedKind[] {
  return snapshot.kinds.flatMap(({ resource, state }): UnjudgedKind[] =>
    state.kind === "pending" || state.kind === "dropped" ? [{ resource: resourceName(resource), state: state.kind, reason: state.reason }] : [],
  );
}

function environmentOf(snapshot: ExistingObjectsSnapshot, config: PlatformConfig, policies: PolicySet): VerdictEnvironment {
  // Objects of kinds not served are none; a snapshot holds only the synced kinds' objects.
  const state = ClusterStateIndex.fromObjects(snapshot.objects);
  return { policies, config: configToCel(config), cluster: state.celValue() };
}
