// The DomainRoute's conditions, decided from what one reconcile found. Pure.
// Reasons are stable constants (tools and alerts match on them); messages say
// what is wrong and what to do, and never carry times or request ids, so an
// unchanged situation yields an unchanged status and no write.
import {
  CONDITION_CERTIFICATE_READY,
  CONDITION_CLAIMED,
  CONDITION_DNS_READY,
  CONDITION_GATEWAY_READY,
  CONDITION_PROTECTION_READY,
  CONDITION_READY,
} from "../../crds/types.ts";
import type { ConditionInput } from "../status/conditions.ts";
import type { EdgeStatus } from "./edge-status.ts";
import { OWNERSHIP_REASON } from "../apply/ownership.ts";
import { PROTECTION_REASON } from "./protection-condition.ts";

export const REASON = {
  Claimed: "Claimed",
  DomainTaken: "DomainTaken",
  Applied: "Applied",
  InvalidSpec: "InvalidSpec",
  ApplyFailed: "ApplyFailed",
  NotClaimed: "NotClaimed",
  Ready: "Ready",
  /** spec.protection.provider is not in the platform config's protection.providers: nothing is served. */
  UnknownProvider: "UnknownProvider",
  /** spec.backend.service names a Service hostgate must not route to (type ExternalName): nothing is served. */
  BackendRejected: "BackendRejected",
  /** Gateway API data plane: the route's status.edge names no member of its class this config has, so no Gateway serves it. */
  WaitingForPlacement: "WaitingForPlacement",
  ...OWNERSHIP_REASON,
} as const;

/** Why nothing is served for a claimed route: a stable reason and a message naming what and how to fix it. */
export interface Refusal {
  reason: string;
  message: string;
}

/**
 * `protection`: the route's ProtectionReady (protection-condition.ts), from the
 * appId table's outcome for it; `edge`: EdgePlaced, DNSReady and CertificateReady
 * (edge-status.ts), from the pool, DNS and certificate controllers' outcomes.
 * EdgePlaced comes before DNSReady and CertificateReady, which wait for the
 * placement: a full pool is what Ready names (EdgePoolFull), not its effects.
 */
export type RouteFindings =
  | { claim: "taken"; owner: string; domain: string; protection: ConditionInput; edge: EdgeStatus; observability?: ConditionInput }
  | {
      claim: "ours";
      domain: string;
      /** `namespace/name` of the gateway serving the domain; absent on the Gateway API while the route is not placed on a member. */
      gateway?: string;
      /** Gateway API data plane: the route's listener on that Gateway (status.gatewayListener). */
      gatewayListener?: string;
      /** What serves the route (gateway.provider): names what could not be applied. */
      dataPlane?: "istio" | "gateway-api";
      problems: readonly string[];
      applyError?: string;
      protection: ConditionInput;
      edge: EdgeStatus;
      refusal?: Refusal;
      /** ObservabilityReady (observability-plan.ts): listed, but never part of Ready. */
      observability?: ConditionInput;
    };

export function routeConditions(findings: RouteFindings): ConditionInput[] {
  const { protection } = findings;
  if (findings.claim === "taken") {
    const claimed: ConditionInput = {
      type: CONDITION_CLAIMED,
      status: "False",
      reason: REASON.DomainTaken,
      message: `${findings.domain} is already claimed by DomainRoute ${findings.owner}; nothing was created for this route. Use another domain, or delete that route to release it.`,
    };
    const gateway: ConditionInput = {
      type: CONDITION_GATEWAY_READY,
      status: "False",
      reason: REASON.NotClaimed,
      message: "nothing is served until the domain is claimed",
    };
    return withReady([claimed, gateway, protection, findings.edge.placed, findings.edge.dns, findings.edge.certificate], findings.observability);
  }
  const claimed: ConditionInput = {
    type: CONDITION_CLAIMED,
    status: "True",
    reason: REASON.Claimed,
    message: `DomainClaim ${findings.domain} belongs to this route`,
  };
  const gateway: ConditionInput =
    findings.refusal !== undefined
      ? { type: CONDITION_GATEWAY_READY, status: "False", reason: findings.refusal.reason, message: findings.refusal.message }
      : findings.problems.length > 0
        ? { type: CONDITION_GATEWAY_READY, status: "False", reason: REASON.InvalidSpec, message: findings.problems.join("; ") }
        : findings.applyError !== undefined
          ? {
              type: CONDITION_GATEWAY_READY,
              status: "False",
              reason: REASON.ApplyFailed,
              message: `the ${findings.dataPlane === "gateway-api" ? "Gateway API" : "Istio"} objects could not be applied (${findings.applyError}); retrying with backoff`,
            }
          : findings.gateway === undefined
            ? waitingForPlacement(findings.domain, findings.edge.placed)
            : { type: CONDITION_GATEWAY_READY, status: "True", reason: REASON.Applied, message: `gateway ${findings.gateway} serves ${findings.domain}` };
  return withReady([claimed, gateway, protection, findings.edge.placed, findings.edge.dns, findings.edge.certificate], findings.observability);
}

/**
 * Gateway API data plane, route not placed on a pool member: no Gateway has a
 * listener for it, so nothing serves it. The reason is EdgePlaced's
 * (PlacementPending, EdgePoolFull), so Ready names the cause, not its effect.
 */
function waitingForPlacement(domain: string, placed: ConditionInput): ConditionInput {
  const reason = placed.status === "True" ? REASON.WaitingForPlacement : placed.reason;
  const message = `no Gateway has a listener for ${domain} until the route is placed on a member of its load balancer pool (see EdgePlaced)`;
  return { type: CONDITION_GATEWAY_READY, status: "False", reason, message };
}

/** `aside` (ObservabilityReady) is listed before Ready but not weighed by it: a route without its alerts still serves. */
function withReady(conditions: ConditionInput[], aside?: ConditionInput): ConditionInput[] {
  return [...conditions, ...(aside === undefined ? [] : [aside]), ready(conditions)];
}

/** `text` when the condition of `type` is about something hostgate does for the route, not NotRequested/NotManaged. */
function managed(conditions: readonly ConditionInput[], type: string, text: string): string {
  const condition = conditions.find((c) => c.type === type);
  return condition === undefined || condition.reason === PROTECTION_REASON.NotRequested || condition.reason === NOT_MANAGED ? "" : text;
}

/** The reason DNSReady and CertificateReady give when the platform has hostgate manage no DNS or no certificates. */
const NOT_MANAGED = "NotManaged";

/** Ready is True only when every other condition is; otherwise it carries the first failing one's reason. */
function ready(conditions: readonly ConditionInput[]): ConditionInput {
  const failing = conditions.find((c) => c.status !== "True");
  if (failing === undefined)
    return {
      type: CONDITION_READY,
      status: "True",
      reason: REASON.Ready,
      message: `the domain is claimed and served${managed(conditions, CONDITION_DNS_READY, ", its DNS records are in place")}${managed(conditions, CONDITION_CERTIFICATE_READY, ", its certificate is in place")}${managed(conditions, CONDITION_PROTECTION_READY, ", with protection")}`,
    };
  return { type: CONDITION_READY, status: "False", reason: failing.reason, message: `${failing.type}: ${failing.message}` };
}
