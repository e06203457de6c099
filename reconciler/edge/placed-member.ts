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
import type { PoolMember } from "../../core/config/edge-pool.ts";
import { poolMembers } from "../../core/config/edge-pool.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { CONDITION_EDGE_PLACED } from "../../crds/types.ts";
import { EDGE_REASON } from "./edge-condition.ts";

export function placedMember(route: Pick<DomainRoute, "spec" | "status">, config: PlatformConfig): PoolMember | undefined {
  const members = poolMembers(config, route.spec.lb);
  const edge = route.status?.edge;
  if (edge !== undefined && edge.loadBalancer === route.spec.lb) {
    const member = members.find((m) => m.name === edge.member);
    if (member !== undefined) return member;
  }
  return members.length === 1 && !foundFull(route) ? members[0] : undefined;
}

/** The route controller wrote the pool controller's "full" outcome for it. */
function foundFull(route: Pick<DomainRoute, "status">): boolean {
  return route.status?.conditions?.some((c) => c.type === CONDITION_EDGE_PLACED && c.status === "False" && c.reason === EDGE_REASON.EdgePoolFull) ?? false;
}
