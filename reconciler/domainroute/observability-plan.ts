// The route's observability section (issue 18): which of prometheus-operator's
// objects it gets (its PrometheusRule, and a Probe for a VM backend), which of
// its own to prune, and its ObservabilityReady. Pure. Never part of Ready and
// never a reason to serve less: a route without its alerts still serves.
//
// The CRDs may be missing, or installed later: the manager looks them up
// (manager/monitoring-kinds.ts) and the route reads what it found as
// `input.monitoring`. Without them nothing of them is rendered, listed or
// written, and the condition says what to install. While the lookup has not
// answered yet (a restart), the condition the status holds stays and nothing
// is written or pruned, so a restart writes nothing.
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { formatKey } from "../../core/kube/object-key.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { CONDITION_OBSERVABILITY_READY } from "../../crds/types.ts";
import { contains, objectId, planApply, withAppliedHash } from "../apply/plan-apply.ts";
import type { ConditionInput } from "../status/conditions.ts";
import { decidedCondition } from "../status/conditions.ts";
import { refusalAt } from "./occupancy.ts";
import { observabilityObjects } from "./observability-objects.ts";
import { isMonitoringObject } from "./render/produced-resources.ts";
import { alertSkip, overrideProblems } from "../observability/alert-target.ts";

/** What the manager found out about prometheus-operator's CRDs (monitoring.coreos.com/v1 prometheusrules and probes). */
export type MonitoringState =
  /** Not looked up yet, or the lookup failed (`reason`): retried with backoff. */
  | { kind: "unknown"; reason?: string }
  /** Not served: looked up again every `recheckMs`. */
  | { kind: "missing"; missing: readonly string[]; recheckMs: number }
  /** Served, and the route's objects of both kinds are cached. */
  | { kind: "served" };

/** Reasons of ObservabilityReady; NotRequested, DataPlaneUnsupported and NoManagedBackend come from alertSkip (observability/alert-target.ts). */
export const OBSERVABILITY_REASON = {
  NotRequested: "NotRequested",
  NoManagedBackend: "NoManagedBackend",
  /** spec.observability's overrides are not valid (the CRD schema refuses them first). */
  InvalidSpec: "InvalidSpec",
  Applied: "Applied",
  ApplyFailed: "ApplyFailed",
  PrometheusOperatorMissing: "PrometheusOperatorMissing",
  DataPlaneUnsupported: "DataPlaneUnsupported",
  /** The route serves nothing (see GatewayReady): it has no alerts either. */
  NotServed: "NotServed",
  /** Whether the CRDs are served is not known yet. */
  Pending: "ObservabilityPending",
} as const;

export interface ObservabilityPlan {
  condition: ConditionInput;
  /** The route's monitoring objects to write, in apply order, each with the one of the route's it replaces. */
  apply: { desired: KubeObject; current?: KubeObject }[];
  /** The route's monitoring objects no longer rendered. */
  prune: KubeObject[];
}

export interface ObservabilityInput {
  route: DomainRoute;
  config: PlatformConfig;
  monitoring: MonitoringState;
  /** The route's own objects (any kind: only the monitoring ones are looked at). */
  owned: readonly KubeObject[];
  /** What holds the names the route renders that none of its own objects does (any kind). */
  occupants: readonly KubeObject[];
  /** Writing the monitoring objects failed in this reconcile. */
  applyError?: string;
}

const type = CONDITION_OBSERVABILITY_READY;

/**
 * @param serving whether the route serves its domain in this reconcile (claimed,
 *   not refused): a route serving nothing gets no alerts, and its monitoring
 *   objects go with the rest (the caller prunes them).
 */
export function planObservability(input: ObservabilityInput, serving: boolean): ObservabilityPlan {
  const owned = input.owned.filter(isMonitoringObject);
  const nothing = (condition: ConditionInput): ObservabilityPlan => ({ condition, apply: [], prune: [...owned].reverse() });
  const { route, config, monitoring } = input;
  const skip = alertSkip(route, config);
  // Not asked for, or nothing hostgate knows to alert on (a team-routed domain): True, as ProtectionReady's NotRequested.
  if (skip !== undefined)
    return nothing({ type, status: skip.reason === "DataPlaneUnsupported" ? "False" : "True", reason: skip.reason, message: skip.message });
  const problems = overrideProblems(route);
  if (problems.length > 0) return nothing({ type, status: "False", reason: OBSERVABILITY_REASON.InvalidSpec, message: problems.join("; ") });
  if (!serving)
    return nothing({
      type,
      status: "False",
      reason: OBSERVABILITY_REASON.NotServed,
      message: "the route serves nothing (see GatewayReady), so it gets no alerts",
    });
  if (monitoring.kind === "unknown") {
    const pending = `looking up whether the cluster serves prometheus-operator's CRDs${monitoring.reason === undefined ? "" : ` (${monitoring.reason})`}`;
    const kept = decidedCondition(route.status?.conditions, type, OBSERVABILITY_REASON.Pending);
    return { condition: kept ?? { type, status: "Unknown", reason: OBSERVABILITY_REASON.Pending, message: pending }, apply: [], prune: [] };
  }
  if (monitoring.kind === "missing") return nothing(operatorMissing(monitoring));
  const desired = observabilityObjects(route, config).map(withAppliedHash);
  const current = new Map(owned.map((o) => [objectId(o), o]));
  const refusals = desired.flatMap((object) => {
    const occupant = current.has(objectId(object)) ? undefined : input.occupants.find((o) => objectId(o) === objectId(object));
    const refusal = occupant === undefined ? undefined : refusalAt(object, occupant, route.metadata.uid!);
    if (occupant !== undefined && refusal === undefined) current.set(objectId(object), occupant); // the route's: a cache a moment behind our own write
    return refusal === undefined ? [] : [refusal];
  });
  const prune = planApply(desired, owned).prune;
  if (refusals.length > 0)
    // Nothing written at a name that is not the route's; what the route no longer renders still goes.
    return {
      condition: {
        type,
        status: "False",
        reason: refusals[0]!.reason,
        message: `${refusals.map((r) => r.message).join("; ")}; the route has no alerts meanwhile`,
      },
      apply: [],
      prune,
    };
  const apply = desired.flatMap((object) => {
    const replaced = current.get(objectId(object));
    if (replaced !== undefined && contains(replaced, object)) return [];
    return [replaced === undefined ? { desired: object } : { desired: object, current: replaced }];
  });
  if (input.applyError !== undefined)
    return {
      condition: {
        type,
        status: "False",
        reason: OBSERVABILITY_REASON.ApplyFailed,
        message: `the route's monitoring objects could not be applied (${input.applyError}); retrying with backoff`,
      },
      apply,
      prune,
    };
  return { condition: applied(desired), apply, prune };
}

function operatorMissing(monitoring: Extract<MonitoringState, { kind: "missing" }>): ConditionInput {
  return {
    type,
    status: "False",
    reason: OBSERVABILITY_REASON.PrometheusOperatorMissing,
    message:
      `the cluster does not serve ${monitoring.missing.join(" and ")}: install prometheus-operator's CRDs (PrometheusRule and Probe, ` +
      `e.g. with kube-prometheus-stack) to get this route's alerts; hostgate looks for them again every ${Math.round(monitoring.recheckMs / 1000)} s`,
  };
}

function applied(desired: readonly KubeObject[]): ConditionInput {
  const names = desired.map((o) => `${o.kind} ${formatKey({ namespace: o.metadata!.namespace!, name: o.metadata!.name! })}`);
  const message = names.length === 0 ? "nothing to alert on for this route" : `${names.join(" and ")} in place`;
  return { type, status: "True", reason: OBSERVABILITY_REASON.Applied, message };
}
