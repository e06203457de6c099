// Which pool member serves a route, as every consumer of the placement reads
// it (DNS records, external-dns endpoints, listener certificates, render):
// the member its status.edge names, when that member still exists in its
// class; else, for a class of one member, that member (there is no choice to
// wait for, so a config without pools behaves as before); else none yet: the
// pool controller has not placed it (or the pool is full), and nothing points
// at a load balancer until it has. The persisted status is the one source of
// truth, so a restart places nothing differently. A one-member class's route
// the pool controller found no room for (EdgePlaced False EdgePoolFull: its
// certificate would pass the listener's capacity) has no member either, so
// the certificate planner never attaches what the placement refused and no
// record points at a member the route is not placed on.
//
// An autoscaled member (`<prefix>-NN`, Gateway API data plane) is a member
// while the config's autoscale names it (memberNamed: its prefix, any NN from
// 01 to 99, past a lowered maxMembers too): the route on it is what keeps it
// in use. The one-member shortcut holds only on the Istio data plane
// without autoscale: a class that autoscales has a choice to wait for, and on
// the Gateway API data plane every route takes one of its member Gateway's 64
// listeners, so only the pool controller may put it there (a 65th listener
// would make the whole Gateway invalid, taking every route on it down).
import type { PoolMember } from "../../core/config/edge-pool.ts";
import { memberNamed, poolMembers } from "../../core/config/edge-pool.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { CONDITION_EDGE_PLACED } from "../../crds/types.ts";
import { EDGE_REASON } from "./edge-condition.ts";

export function placedMember(route: Pick<DomainRoute, "spec" | "status">, config: PlatformConfig): PoolMember | undefined {
  const edge = route.status?.edge;
  if (edge !== undefined && edge.loadBalancer === route.spec.lb) {
    const member = memberNamed(config, route.spec.lb, edge.member);
    if (member !== undefined) return member;
  }
  const members = poolMembers(config, route.spec.lb);
  return members.length === 1 && onlyChoice(route, config) && !foundFull(route) ? members[0] : undefined;
}

/** A one-member class's member is the route's without a placement: Istio data plane, the class does not grow. */
function onlyChoice(route: Pick<DomainRoute, "spec">, config: PlatformConfig): boolean {
  return config.gateway.provider !== "gateway-api" && config.loadBalancers[route.spec.lb].autoscale === undefined;
}

/** The route controller wrote the pool controller's "full" outcome for it. */
function foundFull(route: Pick<DomainRoute, "status">): boolean {
  return route.status?.conditions?.some((c) => c.type === CONDITION_EDGE_PLACED && c.status === "False" && c.reason === EDGE_REASON.EdgePoolFull) ?? false;
}
