// Where `hostgate render` places each route in its load balancer pool: as
// the pool controller would (reconciler/edge/reconcile-placement.ts, its own
// planner): a route given with status.edge keeps its member, every other one
// (a file's route has no status) is placed as new, first fit in config
// order. The routes come back with status.edge set as placed, so the
// records, DNSEndpoints and listener certificates render reads from
// placedMember() are the ones the controllers would write; a route the pool
// cannot take has no status.edge and EdgePlaced False EdgePoolFull (which
// placedMember() reads for a one-member class), so it gets none of them. Pure.
import { allPoolMembers } from "../../core/config/edge-pool.ts";
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

/** Whether any class is a pool (lists members): only then does render show placements, so a config without pools renders as before. */
export function hasPool(config: PlatformConfig): boolean {
  return Object.values(config.loadBalancers).some((entry) => (entry.members?.length ?? 0) > 0);
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

/** The placements as YAML comment lines (without `# `), members of each class listed first. */
export function placementLines(placements: readonly RenderedPlacement[], config: PlatformConfig): string[] {
  const members = allPoolMembers(config).map((m) => `${m.lbClass}: ${m.name} (capacity certificates ${m.capacity.certificates})`);
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
