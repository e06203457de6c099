// What DNS and certificates read of the load balancer pool
// (core/config/edge-pool.ts): the two-step members whose gateway records
// hostgate publishes, how a member is named in messages, and what a route
// says while it has no member yet (reconciler/edge/placed-member.ts). A route
// that is not placed gets no record and no listener certificate: nothing
// points at a load balancer the route is not placed on.
//
// Which two-step members get a gateway record (publishedTwoStepMembers):
// - a gateway Service member: always, routes placed on it or not (the Service
//   is the platform's and outlives any route);
// - a pooled Gateway member (Gateway API data plane: a configured member with
//   `gateway`, or an autoscaled `<prefix>-NN`): only while a route is placed
//   on it (its status.edge, or the one member of its class). hostgate creates
//   that Gateway for the first route placed there and deletes it when the
//   last one leaves; a record kept after that (the no-address fail-safe)
//   would point at an address the cloud may hand to someone else. It also
//   deletes it while routes are still placed there when none of them gets a
//   listener (refused by the data plane, no certificate): so the record is
//   written, and kept, only while that Gateway exists and is hostgate's
//   (gateway-address.ts pooledGatewayAddress, gateway-records.ts).
// The reserved names (reserved-name.ts, gateway-records.ts) are every
// member's, in use or not, autoscaled ones 01 to 99 (a member past a lowered
// maxMembers stays in use): a route must not take the name a member's record
// will need.
import { compareStrings } from "../../core/compare-strings.ts";
import type { PoolMember } from "../../core/config/edge-pool.ts";
import { allPoolMembers, autoscaledIndex, autoscaledMember } from "../../core/config/edge-pool.ts";
import { loadBalancerTarget } from "../../core/config/load-balancer-target.ts";
import type { LoadBalancerName, PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { placedMember } from "../edge/placed-member.ts";
import type { AddressSource } from "./gateway-address.ts";

/** DNSReady's and CertificateReady's reason (Unknown) while the pool controller has not placed the route on a member. */
export const WAITING_FOR_PLACEMENT = "WaitingForPlacement";

/** A member of a pool published through its gateway Service or its pooled Gateway (two-step). */
export interface TwoStepMember {
  readonly member: PoolMember;
  /** Where its address is read (gateway-address.ts). */
  readonly source: AddressSource;
  readonly gatewayHostname: string;
}

/** Every configured two-step member, classes by name (alb-in first, as before pools), members in config order. */
export function twoStepMembers(config: PlatformConfig): TwoStepMember[] {
  const members = [...allPoolMembers(config)].sort((a, b) => compareStrings(a.lbClass, b.lbClass));
  return members.flatMap((member) => twoStep(member, config) ?? []);
}

/**
 * The two-step members whose gateway record is published (see the top of
 * this file), given every route as cached: classes by name, configured
 * members in config order, then the class's autoscaled ones in use by number.
 */
export function publishedTwoStepMembers(config: PlatformConfig, routes: readonly Pick<DomainRoute, "metadata" | "spec" | "status">[]): TwoStepMember[] {
  const inUse = membersInUse(config, routes);
  const configured = twoStepMembers(config).filter((t) => t.source.kind === "service" || inUse.has(memberKey(t.member)));
  const autoscaled = [...inUse.values()]
    .filter((m) => autoscaledIndex(config, m.lbClass, m.name) !== undefined && !configured.some((t) => memberKey(t.member) === memberKey(m)))
    .sort((a, b) => compareStrings(a.lbClass, b.lbClass) || compareStrings(a.name, b.name))
    .flatMap((m) => twoStep(m, config) ?? []);
  return [...configured, ...autoscaled].sort((a, b) => compareStrings(a.member.lbClass, b.member.lbClass));
}

/**
 * The two-step member, configured or autoscaled (in use or not), whose
 * gatewayHostname is `hostname`; undefined when none is. Both are lowercase
 * without a root dot (the DomainRoute CRD's and the config schema's patterns).
 */
export function twoStepMemberAt(hostname: string, config: PlatformConfig): TwoStepMember | undefined {
  const configured = twoStepMembers(config).find((t) => t.gatewayHostname === hostname);
  if (configured !== undefined) return configured;
  const dot = hostname.indexOf(".");
  for (const lbClass of ["alb-in", "alb-out"] as const) {
    const autoscale = config.loadBalancers[lbClass].autoscale;
    if (autoscale === undefined || dot < 0 || hostname.slice(dot + 1) !== autoscale.gatewayDomain) continue;
    const index = autoscaledIndex(config, lbClass, hostname.slice(0, dot));
    const member = index === undefined ? undefined : autoscaledMember(config, lbClass, index);
    if (member !== undefined) return twoStep(member, config);
  }
  return undefined;
}

/** The two-step member the route is placed on (placed-member.ts), or undefined: not placed, or placed on a fixed member. */
export function twoStepMemberOf(route: Pick<DomainRoute, "spec" | "status">, config: PlatformConfig): TwoStepMember | undefined {
  const member = placedMember(route, config);
  return member === undefined ? undefined : twoStep(member, config);
}

/** The member as a two-step one, or undefined when it is fixed. */
function twoStep(member: PoolMember, config: PlatformConfig): TwoStepMember | undefined {
  const target = loadBalancerTarget(member.entry);
  if (target.kind === "service") return { member, source: { kind: "service", ...target.service }, gatewayHostname: target.gatewayHostname };
  if (target.kind === "gateway") {
    return { member, source: { kind: "gateway", namespace: config.gateway.namespace, name: target.gateway }, gatewayHostname: target.gatewayHostname };
  }
  return undefined;
}

/** The members routes not being deleted are placed on (placedMember: autoscaled ones included), by `<class>/<name>`. */
function membersInUse(config: PlatformConfig, routes: readonly Pick<DomainRoute, "metadata" | "spec" | "status">[]): Map<string, PoolMember> {
  const inUse = new Map<string, PoolMember>();
  for (const route of routes) {
    if (route.metadata.deletionTimestamp !== undefined) continue;
    const member = placedMember(route, config);
    if (member !== undefined) inUse.set(memberKey(member), member);
  }
  return inUse;
}

function memberKey(member: { lbClass: LoadBalancerName; name: string }): string {
  return `${member.lbClass}/${member.name}`;
}

/**
 * Where the member is in the platform config: `loadBalancers.alb-in` for a class of one entry, `loadBalancers.alb-in.members[1]` in a pool,
 * `loadBalancers.alb-in.autoscale` for an autoscaled member.
 */
export function memberPath(member: PoolMember, config: PlatformConfig): string {
  const index = (config.loadBalancers[member.lbClass]?.members ?? []).findIndex((m) => m.name === member.name);
  if (index >= 0) return `loadBalancers.${member.lbClass}.members[${index}]`;
  return autoscaled(member, config) ? `loadBalancers.${member.lbClass}.autoscale` : `loadBalancers.${member.lbClass}`;
}

/**
 * A field of the member's entry in the config, with the member's name when it is one of a pool: `loadBalancers.alb-in.members[1].gatewayHostname
 * (member internal-2)`; an autoscaled member's entry is made from its class's autoscale: `the gatewayHostname of autoscaled member alb-01 (from
 * loadBalancers.alb-in.autoscale)`.
 */
export function memberField(member: PoolMember, config: PlatformConfig, field: string): string {
  const path = memberPath(member, config);
  if (autoscaled(member, config)) return `the ${field} of autoscaled member ${member.name} (from ${path})`;
  return path === `loadBalancers.${member.lbClass}` ? `${path}.${field}` : `${path}.${field} (member ${member.name})`;
}

/** How messages name what routes are placed on: the class of one entry (`alb-in`), else `member internal-2 of alb-in` (`autoscaled member alb-01 of alb-in`). */
export function memberName(member: PoolMember, config: PlatformConfig): string {
  if (autoscaled(member, config)) return `autoscaled member ${member.name} of ${member.lbClass}`;
  return memberPath(member, config) === `loadBalancers.${member.lbClass}` ? member.lbClass : `member ${member.name} of ${member.lbClass}`;
}

/** Whether the member is one of its class's autoscaled ones (not in the config's members). */
function autoscaled(member: PoolMember, config: PlatformConfig): boolean {
  const configured = (config.loadBalancers[member.lbClass]?.members ?? []).some((m) => m.name === member.name);
  return !configured && autoscaledIndex(config, member.lbClass, member.name) !== undefined;
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
