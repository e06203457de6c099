// The pool controller's one reconcile (one queue key for the whole cluster):
// list every DomainRoute and DomainClaim, place the routes that hold their
// claim and are not being deleted (plan-placement.ts), and publish each one's
// outcome for the route controller, which alone writes route status. It
// writes nothing to the cluster: the placement lives in the routes'
// status.edge, which the route controller writes from these outcomes and the
// next pass reads back, so a restart recomputes the same placement.
import type { Logger } from "../../core/logger.ts";
import { allPoolMembers, autoscaledIndex, autoscaledMember, memberNamed } from "../../core/config/edge-pool.ts";
import type { LoadBalancerName, PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainClaim, DomainRoute, EdgeStatus } from "../../crds/types.ts";
import { EDGE_MEMBER_ANNOTATION } from "../../crds/types.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES } from "../resources.ts";
import type { EdgeOutcome, EdgeOutcomes } from "./edge-outcomes.ts";
import { edgeOutcome } from "./edge-outcomes.ts";
import type { PlacementRoute, PoolGrowths } from "./plan-placement.ts";
import { planPlacement } from "./plan-placement.ts";
import { routeNeeds } from "./route-needs.ts";

/** The single queue key: any route or claim change recomputes the whole pool. */
export const EDGE_KEY = "edge-placement";

export interface PlacementDeps {
  reader: ObjectReader;
  config: PlatformConfig;
  outcomes: EdgeOutcomes;
  logger: Logger;
}

/** @returns the routes (`namespace/name`) whose outcome changed, sorted: the route controller reconciles them. */
export function reconcilePlacement(deps: PlacementDeps): { changed: string[] } {
  const routes = deps.reader.list(DOMAIN_ROUTES) as unknown as DomainRoute[];
  const claims = deps.reader.list(DOMAIN_CLAIMS) as unknown as DomainClaim[];
  const outcomes = placementOutcomes(routes, claims, deps.config, (routeRef) => {
    const last = deps.outcomes.lookup(routeRef);
    return last.known ? last.outcome : undefined;
  });
  // The members in use before this pass: what the routes' status and this term's outcomes name.
  const before = new Set<string>();
  for (const route of routes) {
    const last = deps.outcomes.lookup(`${route.metadata.namespace}/${route.metadata.name}`);
    for (const edge of [route.status?.edge, last.known && last.outcome?.kind === "placed" ? last.outcome.edge : undefined]) {
      if (edge !== undefined) before.add(`${edge.loadBalancer}/${edge.member}`);
    }
  }
  const changed = deps.outcomes.publish(outcomes);
  // Once per change, not per pass: every route event brings a pass.
  const full = changed.filter((routeRef) => outcomes.get(routeRef)?.kind === "full");
  if (full.length > 0) deps.logger.warn({ routes: full }, "load balancer pool full: routes not placed (EdgePoolFull)");
  const grown = new Set<string>();
  for (const routeRef of changed) {
    const outcome = outcomes.get(routeRef);
    if (outcome?.kind !== "placed") continue;
    const { loadBalancer, member } = outcome.edge;
    const autoscaled = autoscaledIndex(deps.config, loadBalancer as LoadBalancerName, member) !== undefined;
    if (autoscaled && !before.has(`${loadBalancer}/${member}`)) grown.add(`${loadBalancer}/${member}`);
  }
  if (grown.size > 0) deps.logger.info({ members: [...grown].sort() }, "load balancer pool grew: autoscaled members added (autoscale)");
  return { changed };
}

/**
 * Each placeable route's outcome, keyed by routeRef; a route without its claim or being deleted has none.
 *
 * `published`: this term's last outcome for a route. A placement the route
 * controller has not written into status.edge yet (or that the cache does not
 * show yet) stands as the route's member until it does: recomputed as new,
 * an older route whose claim came later could take its place, and if both
 * statuses were written from different passes, both would be kept on one
 * member over its capacity. It wins over status.edge too: after a move, a
 * stale status.edge naming the member left would move the route back unasked
 * when its annotation goes before the cache shows the move. The status stays
 * the one truth across restarts (a new board has published nothing).
 */
export function placementOutcomes(
  routes: readonly DomainRoute[],
  claims: readonly DomainClaim[],
  config: PlatformConfig,
  published: (routeRef: string) => EdgeOutcome | undefined = () => undefined,
): Map<string, EdgeOutcome> {
  const claimOwner = new Map(claims.map((claim) => [claim.metadata.name ?? "", claim.spec.owner.uid]));
  const placeable = routes.filter(
    (r) => r.metadata.deletionTimestamp === undefined && r.metadata.uid !== undefined && claimOwner.get(r.spec.domain.toLowerCase()) === r.metadata.uid,
  );
  const needs = routeNeeds(placeable, claims, config);
  const uids = new Map<string, string>();
  const input: PlacementRoute[] = placeable.map((route) => {
    const routeRef = `${route.metadata.namespace}/${route.metadata.name}`;
    uids.set(routeRef, route.metadata.uid!);
    const requested = route.metadata.annotations?.[EDGE_MEMBER_ANNOTATION];
    // This term's placement first: it is the newest decision, and status.edge (or the cache's copy) can only lag behind it.
    const current = memberOf(placedIn(published(routeRef), route), route, config) ?? memberOf(route.status?.edge, route, config);
    return {
      routeRef,
      lbClass: route.spec.lb,
      needs: needs.get(routeRef)!,
      ...(route.metadata.creationTimestamp === undefined ? {} : { createdAt: route.metadata.creationTimestamp }),
      ...(current === undefined ? {} : { current: { loadBalancer: current.loadBalancer, member: current.member } }),
      ...(requested === undefined || requested === "" ? {} : { requested }),
    };
  });
  const outcomes = new Map<string, EdgeOutcome>();
  const placements = planPlacement(input, allPoolMembers(config), poolGrowths(config));
  for (const [routeRef, placement] of placements) outcomes.set(routeRef, edgeOutcome(uids.get(routeRef)!, placement, config));
  return outcomes;
}

/** How each class with `autoscale` grows: its `<prefix>-NN` members (edge-pool.ts), up to maxMembers in use; a route keeps one numbered past it. */
export function poolGrowths(config: PlatformConfig): PoolGrowths {
  const growths: Partial<Record<LoadBalancerName, PoolGrowths[LoadBalancerName]>> = {};
  for (const lbClass of ["alb-out", "alb-in"] as const) {
    const autoscale = config.loadBalancers[lbClass]?.autoscale;
    if (autoscale === undefined) continue;
    growths[lbClass] = {
      maxMembers: autoscale.maxMembers,
      member: (index) => autoscaledMember(config, lbClass, index),
      indexOf: (name) => autoscaledIndex(config, lbClass, name),
    };
  }
  return growths;
}

/** `edge` when it names a member of the route's class: a configured one, or an autoscaled one (which a route on it keeps in use). */
function memberOf(edge: EdgeStatus | undefined, route: DomainRoute, config: PlatformConfig): EdgeStatus | undefined {
  return edge !== undefined && edge.loadBalancer === route.spec.lb && memberNamed(config, route.spec.lb, edge.member) !== undefined ? edge : undefined;
}

/** Where the outcome placed this incarnation of the route. */
function placedIn(outcome: EdgeOutcome | undefined, route: DomainRoute): EdgeStatus | undefined {
  return outcome?.kind === "placed" && outcome.uid === route.metadata.uid ? outcome.edge : undefined;
}
