// A route's EdgePlaced condition and status.edge, from the pool controller's
// outcome for it (edge-outcomes.ts). Pure. The route controller writes them;
// the pool controller only publishes outcomes and reads status.edge back.
//
// Stable reasons of EdgePlaced:
//   True     Placed            on status.edge.member, which its DNS record and certificate use
//   True     MoveRefused       still on status.edge.member: the member the move annotation names has no room (the limit hit) or does not exist
//   Unknown  PlacementPending  the pool controller has not placed this route (this uid) yet: no DNS record or listener certificate points anywhere
//   False    EdgePoolFull      no member of the route's class has room: the message names each member's limit hit; Ready is False with it
//   False    NotClaimed        the route does not hold its DomainClaim: it is placed nowhere
// Messages carry no time and no request id, so an unchanged situation writes nothing.
import { certificatesInAcm } from "../../core/config/acm-settings.ts";
import { poolMembers } from "../../core/config/edge-pool.ts";
import type { PoolMember } from "../../core/config/edge-pool.ts";
import { loadBalancerTarget } from "../../core/config/load-balancer-target.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute, EdgeStatus } from "../../crds/types.ts";
import { CONDITION_EDGE_PLACED, EDGE_MEMBER_ANNOTATION } from "../../crds/types.ts";
import type { ConditionInput } from "../status/conditions.ts";
import { decidedCondition } from "../status/conditions.ts";
import type { OutcomeLookup } from "../status/outcomes.ts";
import type { EdgeOutcome } from "./edge-outcomes.ts";

export const EDGE_REASON = {
  Placed: "Placed",
  MoveRefused: "MoveRefused",
  PlacementPending: "PlacementPending",
  EdgePoolFull: "EdgePoolFull",
  NotClaimed: "NotClaimed",
} as const;

export interface PlacementStatus {
  condition: ConditionInput;
  /** status.edge; undefined leaves it out. */
  edge?: EdgeStatus;
}

const type = CONDITION_EDGE_PLACED;

/** @param claimed false when another route holds the route's DomainClaim */
export function placementStatus(route: DomainRoute, lookup: OutcomeLookup<EdgeOutcome>, config: PlatformConfig, claimed: boolean): PlacementStatus {
  const { lb, domain } = route.spec;
  if (!claimed) {
    const message = `the route does not hold the DomainClaim for ${domain}, so it is placed on no member of ${lb}`;
    return { condition: { type, status: "False", reason: EDGE_REASON.NotClaimed, message } };
  }
  const outcome = lookup.known ? lookup.outcome : undefined;
  if (outcome !== undefined && outcome.uid === route.metadata.uid) return fromOutcome(outcome, config);
  const certain = certainMember(route, config);
  if (certain !== undefined) return placed(edgeOf(certain));
  const previous = route.status?.edge;
  const keep = (condition: ConditionInput): PlacementStatus => (previous === undefined ? { condition } : { condition, edge: previous });
  const pending = keep({
    type,
    status: "Unknown",
    reason: EDGE_REASON.PlacementPending,
    message: `waiting for the pool controller to place the route on a member of ${lb}`,
  });
  if (lookup.known) return pending; // decided for another incarnation, or the claim is newer than the last pass: the next pass places it
  // The pool controller has not finished a pass in this term (a restart): what the status says stays, so a restart writes nothing.
  const decided = decidedCondition(route.status?.conditions, type, EDGE_REASON.PlacementPending);
  return decided === undefined ? pending : keep(decided);
}

function fromOutcome(outcome: EdgeOutcome, config: PlatformConfig): PlacementStatus {
  if (outcome.kind === "full") {
    const lb = outcome.loadBalancer;
    // A class of one entry has no capacity of its own: its certificate limit is certificates.listenerCertificateLimit (edge-pool.ts).
    const entry = config.loadBalancers[lb];
    const fix =
      entry?.autoscale !== undefined
        ? `Raise loadBalancers.${lb}.autoscale.maxMembers or a member's capacity, add a member to loadBalancers.${lb}.members, or remove routes from a member`
        : (entry?.members?.length ?? 0) === 0
          ? `Raise certificates.listenerCertificateLimit (with the load balancer's certificate quota), or make loadBalancers.${lb} a pool of members`
          : `Add a member to loadBalancers.${lb}.members, raise a member's capacity, or remove routes from a member`;
    const message = `no member of ${lb} has room for the route (${outcome.limits}); nothing points at a load balancer for it. ${fix}`;
    return { condition: { type, status: "False", reason: EDGE_REASON.EdgePoolFull, message } };
  }
  if (outcome.refusedMove === undefined) return placed(outcome.edge);
  const { member, why } = outcome.refusedMove;
  const message =
    `on ${outcome.edge.member} of ${outcome.edge.loadBalancer} (${outcome.edge.target}); the move to ${member} that annotation ${EDGE_MEMBER_ANNOTATION} ` +
    `asks for is refused (${why}): make room there, or change or remove the annotation`;
  return { condition: { type, status: "True", reason: EDGE_REASON.MoveRefused, message }, edge: outcome.edge };
}

function placed(edge: EdgeStatus): PlacementStatus {
  const message = `on ${edge.member} of ${edge.loadBalancer} (${edge.target})`;
  return { condition: { type, status: "True", reason: EDGE_REASON.Placed, message }, edge };
}

/**
 * The member the pool controller cannot place the route anywhere but: its
 * class has one member and does not autoscale, the route counts against none
 * of its limits (certificates are not on the listeners, and the Istio data
 * plane adds no rule, target group or listener, route-needs.ts; on the Gateway
 * API data plane every route takes a listener), and no move annotation names
 * another member. The route controller writes it without waiting for a pass, so a
 * platform without pools reports Ready as soon as it did before.
 */
function certainMember(route: DomainRoute, config: PlatformConfig): PoolMember | undefined {
  // A class the config does not have (the CRD's enum allows none): no member is certain.
  if (config.loadBalancers[route.spec.lb] === undefined) return undefined;
  const members = poolMembers(config, route.spec.lb);
  if (members.length !== 1 || certificatesInAcm(config) || config.gateway.provider === "gateway-api") return undefined;
  if (config.loadBalancers[route.spec.lb].autoscale !== undefined) return undefined;
  const requested = route.metadata.annotations?.[EDGE_MEMBER_ANNOTATION];
  return requested === undefined || requested === "" || requested === members[0]!.name ? members[0] : undefined;
}

export function edgeOf(member: PoolMember): EdgeStatus {
  const target = loadBalancerTarget(member.entry);
  return { loadBalancer: member.lbClass, member: member.name, target: target.kind === "fixed" ? target.dnsName : target.gatewayHostname };
}
