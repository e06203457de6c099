// The pool controller's one reconcile (one queue key for the whole cluster):
// list every DomainRoute and DomainClaim, place the routes that hold their
// claim and are not being deleted (plan-placement.ts), and publish each one's
// outcome for the route controller, which alone writes route status. It
// writes nothing to the cluster: the placement lives in the routes'
// status.edge, which the route controller writes from these outcomes and the
// next pass reads back, so a restart recomputes the same placement.
import type { Logger } from "../../core/logger.ts";
import { allPoolMembers } from "../../core/config/edge-pool.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import { EDGE_MEMBER_ANNOTATION } from "../../crds/types.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES } from "../resources.ts";
import type { EdgeOutcome, EdgeOutcomes } from "./edge-outcomes.ts";
import { edgeOutcome } from "./edge-outcomes.ts";
import type { PlacementRoute } from "./plan-placement.ts";
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
  const outcomes = placementOutcomes(routes, claims, deps.config);
  const full = [...outcomes].filter(([, o]) => o.kind === "full").map(([routeRef]) => routeRef);
  if (full.length > 0) deps.logger.warn({ routes: full }, "load balancer pool full: routes not placed");
  return { changed: deps.outcomes.publish(outcomes) };
}

/** Each placeable route's outcome, keyed by routeRef; a route without its claim or being deleted has none. */
export function placementOutcomes(routes: readonly DomainRoute[], claims: readonly DomainClaim[], config: PlatformConfig): Map<string, EdgeOutcome> {
  const claimOwner = new Map(claims.map((claim) => [claim.metadata.name ?? "", claim.spec.owner.uid]));
  const placeable = routes.filter(
    (r) => r.metadata.deletionTimestamp === undefined && r.metadata.uid !== undefined && claimOwner.get(r.spec.domain.toLowerCase()) === r.metadata.uid,
  );
  const needs = routeNeeds(placeable, claims, config);
  const members = allPoolMembers(config);
  const uids = new Map<string, string>();
  const input: PlacementRoute[] = placeable.map((route) => {
    const routeRef = `${route.metadata.namespace}/${route.metadata.name}`;
    uids.set(routeRef, route.metadata.uid!);
    const requested = route.metadata.annotations?.[EDGE_MEMBER_ANNOTATION];
    const current = route.status?.edge;
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
  for (const [routeRef, placement] of planPlacement(input, members)) outcomes.set(routeRef, edgeOutcome(uids.get(routeRef)!, placement, members));
  return outcomes;
}
