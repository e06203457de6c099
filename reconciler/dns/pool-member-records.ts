// What DNS and certificates read of the load balancer pool
// (core/config/edge-pool.ts): the two-step members whose gateway records
// hostgate publishes, how a member is named in messages, and what a route
// says while it has no member yet (reconciler/edge/placed-member.ts). A route
// that is not placed gets no record and no listener certificate: nothing
// points at a load balancer the route is not placed on.
import { compareStrings } from "../../core/compare-strings.ts";
import type { PoolMember } from "../../core/config/edge-pool.ts";
import { allPoolMembers } from "../../core/config/edge-pool.ts";
import { loadBalancerTarget } from "../../core/config/load-balancer-target.ts";
import type { PlatformConfig, ServiceRef } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { placedMember } from "../edge/placed-member.ts";

/** DNSReady's and CertificateReady's reason (Unknown) while the pool controller has not placed the route on a member. */
export const WAITING_FOR_PLACEMENT = "WaitingForPlacement";

/** A member of a pool published through its gateway Service (two-step). */
export interface TwoStepMember {
  readonly member: PoolMember;
  readonly service: ServiceRef;
  readonly gatewayHostname: string;
}

/** Every two-step member, classes by name (alb-in first, as before pools), members in config order. */
export function twoStepMembers(config: PlatformConfig): TwoStepMember[] {
  const members = [...allPoolMembers(config)].sort((a, b) => compareStrings(a.lbClass, b.lbClass));
  return members.flatMap((member) => twoStep(member) ?? []);
}

/** The two-step member the route is placed on (placed-member.ts), or undefined: not placed, or placed on a fixed member. */
export function twoStepMemberOf(route: Pick<DomainRoute, "spec" | "status">, config: PlatformConfig): TwoStepMember | undefined {
  const member = placedMember(route, config);
  return member === undefined ? undefined : twoStep(member);
}

/** The member as a two-step one, or undefined when it is fixed. */
function twoStep(member: PoolMember): TwoStepMember | undefined {
  const target = loadBalancerTarget(member.entry);
  return target.kind === "service" ? { member, service: target.service, gatewayHostname: target.gatewayHostname } : undefined;
}

/** Where the member is in the platform config: `loadBalancers.alb-in` for a class of one entry, `loadBalancers.alb-in.members[1]` in a pool. */
export function memberPath(member: PoolMember, config: PlatformConfig): string {
  const index = (config.loadBalancers[member.lbClass]?.members ?? []).findIndex((m) => m.name === member.name);
  return index < 0 ? `loadBalancers.${member.lbClass}` : `loadBalancers.${member.lbClass}.members[${index}]`;
}

/** A field of the member's entry in the config, with the member's name when it is one of a pool: `loadBalancers.alb-in.members[1].gatewayHostname (member internal-2)`. */
export function memberField(member: PoolMember, config: PlatformConfig, field: string): string {
  const path = memberPath(member, config);
  return path === `loadBalancers.${member.lbClass}` ? `${path}.${field}` : `${path}.${field} (member ${member.name})`;
}

/** How messages name what routes are placed on: the class of one entry (`alb-in`), else `member internal-2 of alb-in`. */
export function memberName(member: PoolMember, config: PlatformConfig): string {
  return memberPath(member, config) === `loadBalancers.${member.lbClass}` ? member.lbClass : `member ${member.name} of ${member.lbClass}`;
}

/** The message of a route with no member yet, for `what` (its DNS records, its certificate on a listener). */
export function waitingForPlacementMessage(route: Pick<DomainRoute, "spec" | "status">, what: string): string {
  const edge = route.status?.edge;
  const stale =
    edge === undefined
      ? ""
      : ` (status.edge names member ${edge.member} of ${edge.loadBalancer}, which is not a member of ${route.spec.lb} in the platform config)`;
  return (
    `the route is not placed on a member of load balancer pool ${route.spec.lb} yet${stale}, so ${what}; ` +
    "the route's EdgePlaced condition says why (EdgePoolFull: every member is at a limit)"
  );
}
