// The reconciler's background audit (leader only, opt-in): which objects it
// judges, under which policy set, with which environment. One wholesale pass
// (reconcile-reports.ts publishes it) audits every object below; any change of
// them, of the PolicyModules or of hostgate's reports queues the one key, and
// the pass asks to run again every interval.
//
// Audited: what the reconciler's caches hold whole of the kinds the policy
// library matches: DomainRoutes, DomainClaims, HostnameGrants (cached only
// when the audit is on: the webhook's `cluster` state reads them too) and,
// on a platform with regions, RegionPolicies. Not audited yet: any other kind
// a module may match (Services are cached cut down to their type, so judging
// them would judge a stub).
//
// The environment is the webhook's (webhook.ts): the config as CEL, the
// cluster state indexed from the same caches (routes and grants). Only the
// validate phase runs (audit-objects.ts), so no CRD catalog is needed.
import { configToCel } from "../../core/config/index.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";
import { ClusterStateIndex } from "../../core/state/index.ts";
import { HOSTNAME_GRANTS } from "../../core/state/sources/indexed-resources.ts";
import { auditObjects } from "../../policies/audit/audit-objects.ts";
import type { AuditResult } from "../../policies/audit/audit-result.ts";
import type { PolicySet } from "../../policies/engine/module-loader.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES, REGION_POLICIES } from "../resources.ts";

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
}

export const DEFAULT_AUDIT_INTERVAL_MS = 60 * 60_000;
export const DEFAULT_AUDIT_DEBOUNCE_MS = 5000;

/** The kinds audited, in the order their objects are listed (auditObjects sorts its results). */
export function auditedResources(config: Pick<PlatformConfig, "regions">): ResourceRef[] {
  return [DOMAIN_ROUTES, DOMAIN_CLAIMS, HOSTNAME_GRANTS, ...(config.regions.length === 0 ? [] : [REGION_POLICIES])];
}

/** Every cached object of the audited kinds judged under `policies`, as the webhook would judge its re-apply. */
export function auditCachedObjects(reader: ObjectReader, config: PlatformConfig, policies: PolicySet): AuditResult[] {
  const objects: KubeObject[] = auditedResources(config).flatMap((resource) => reader.list(resource));
  const state = ClusterStateIndex.fromObjects([...reader.list(DOMAIN_ROUTES), ...reader.list(HOSTNAME_GRANTS)]);
  return auditObjects(objects, { policies, config: configToCel(config), cluster: state.celValue() });
}
