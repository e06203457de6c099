// Where `hostgate render` places each route in its load balancer pool: as
// the pool controller would (reconciler/edge/reconcile-placement.ts, its own
// planner): a route given with status.edge keeps its member, every other one
// (a file's route has no status) is placed as new, first fit in config
// order. The routes come back with status.edge set as placed, so the
// records, DNSEndpoints and listener certificates render reads from
// placedMember() are the ones the controllers would write; a route the pool
// cannot take has no status.edge and EdgePlaced False EdgePoolFull (which
// placedMember() reads for a one-member class), so it gets none of them.
// Growth is the pool controller's too (autoscale): a route no member has room
// for goes to the next `<prefix>-NN`, which is listed with the members. Pure.
import { allPoolMembers, memberNamed } from "../../core/config/edge-pool.ts";
import type { PoolMember } from "../../core/config/edge-pool.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import { compareStrings } from "../../core/compare-strings.ts";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import { CONDITION_EDGE_PLACED } from "../../crds/types.ts";
import { EDGE_REASON } from "../edge/edge-condition.ts";
import { placementOutcomes } from "../edge/reconcile-placement.ts";
import { setConditions } from "../status/conditions.ts";

export interface RenderedPlacement {
  /** `namespace/name` */
  route: string;
  loadBalancer: string;
  /** The member it is placed on; absent when the pool is full. */
  member?: string;
  /** What its DNS record points at (status.edge.target). */
  target?: string;
  /** The pool is full: per member the limit hit (EdgePlaced=False, EdgePoolFull). */
  full?: string;
  /** The move annotation asked for another member, which could not take it (EdgePlaced=True, MoveRefused). */
  moveRefused?: string;
}

/**
 * Whether routes are placed by the pool controller: a class is a pool (lists
 * members) or grows (autoscale), or the data plane is the Gateway API (every
 * route takes a listener of its member's Gateway, so even a one-member class
 * is placed). Only then does render show placements, so a config without
 * pools renders as before.
 */
export function hasPool(config: PlatformConfig): boolean {
  const pooled = Object.values(config.loadBalancers).some((entry) => (entry.members?.length ?? 0) > 0 || entry.autoscale !== undefined);
  return pooled || config.gateway.provider === "gateway-api";
}

/** The routes with status.edge as the pool controller would write it, and each placeable route's placement, sorted by route. */
export function placeRoutes(
  routes: readonly DomainRoute[],
  claims: readonly DomainClaim[],
  config: PlatformConfig,
): { routes: DomainRoute[]; placements: RenderedPlacement[] } {
  const outcomes = placementOutcomes(routes, claims, config);
  const placements: RenderedPlacement[] = [];
  const placed = routes.map((route) => {
    const routeRef = `${route.metadata.namespace}/${route.metadata.name}`;
    const outcome = outcomes.get(routeRef);
    if (outcome === undefined) return route;
    const { edge: _previous, ...status } = route.status ?? {};
    if (outcome.kind === "full") {
      placements.push({ route: routeRef, loadBalancer: outcome.loadBalancer, full: outcome.limits });
      // As the route controller writes it (edge-condition.ts); the epoch keeps render's output free of the time.
      const full = { type: CONDITION_EDGE_PLACED, status: "False" as const, reason: EDGE_REASON.EdgePoolFull, message: outcome.limits };
      return { ...route, status: { ...status, conditions: setConditions(route.status?.conditions, [full], route.metadata.generation, new Date(0)) } };
    }
    const refused = outcome.refusedMove === undefined ? {} : { moveRefused: `${outcome.refusedMove.member}: ${outcome.refusedMove.why}` };
    placements.push({ route: routeRef, loadBalancer: outcome.edge.loadBalancer, member: outcome.edge.member, target: outcome.edge.target, ...refused });
    return { ...route, status: { ...status, edge: outcome.edge } };
  });
  placements.sort((a, b) => compareStrings(a.route, b.route));
  return { routes: placed, placements };
}

/** The placements as YAML comment lines (without `# `), members of each class listed first, then the autoscaled members placed on. */
export function placementLines(placements: readonly RenderedPlacement[], config: PlatformConfig): string[] {
  const configured = allPoolMembers(config);
  const grown = new Map<string, PoolMember>();
  for (const p of placements) {
    const member = p.member === undefined ? undefined : memberNamed(config, p.loadBalancer as PoolMember["lbClass"], p.member);
    if (member !== undefined && !configured.some((m) => m.lbClass === member.lbClass && m.name === member.name))
      grown.set(`${member.lbClass}/${member.name}`, member);
  }
  const autoscaled = [...grown.values()].sort((a, b) => compareStrings(a.lbClass, b.lbClass) || compareStrings(a.name, b.name));
  const members = [
    ...configured.map((m) => `${m.lbClass}: ${m.name} (capacity ${capacityText(m, config)})`),
    ...autoscaled.map((m) => `${m.lbClass}: ${m.name} (autoscaled; capacity ${capacityText(m, config)})`),
  ];
  const lines = ["Load balancer pool placement (as the pool controller would place them; a route without status.edge is placed as new, first fit):"];
  lines.push(...members.map((m) => `  member ${m}`));
  if (placements.length === 0) lines.push("  no route placed");
  for (const p of placements) {
    if (p.member === undefined) lines.push(`  ${p.route}  ${p.loadBalancer}: pool full (${p.full ?? ""}); no record, no listener certificate`);
    else
      lines.push(`  ${p.route}  ${p.loadBalancer} -> ${p.member} (${p.target ?? ""})${p.moveRefused === undefined ? "" : `  move refused: ${p.moveRefused}`}`);
  }
  return lines;
}

/** What a member's placement is limited by: certificates on the Istio data plane (as before), every kind that counts on the Gateway API one. */
function capacityText(member: PoolMember, config: PlatformConfig): string {
  const { certificates, rules, targetGroups, listeners } = member.capacity;
  if (config.gateway.provider !== "gateway-api") return `certificates ${certificates}`;
  if (config.gateway.gatewayApi?.implementation !== "aws-load-balancer-controller") return `certificates ${certificates}, listeners ${listeners}`;
  return `certificates ${certificates}, rules ${rules}, target groups ${targetGroups}, listeners ${listeners}`;
}
