// The route as it stands once this reconcile has written its status.edge:
// what the pool controller's outcome places it on (edge/edge-condition.ts
// placementStatus), read by everything in the same reconcile that follows
// the placement (rendering its DNSEndpoint, its gateway record, DNSReady).
// Reading the cached route instead would leave the first reconcile after
// placement with no member, so its DNSEndpoint would come one reconcile late.
// Only a view: status itself is written once, by the plan (route-status.ts).
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute, EdgeStatus } from "../../crds/types.ts";
import { placementStatus } from "../edge/edge-condition.ts";
import type { EdgeOutcome } from "../edge/edge-outcomes.ts";
import type { OutcomeLookup } from "../status/outcomes.ts";

/** The route with status.edge as `edge` (undefined: none), everything else as it is. */
export function withPlacement(route: DomainRoute, edge: EdgeStatus | undefined): DomainRoute {
  if (edge !== undefined) return { ...route, status: { ...route.status, edge } };
  if (route.status?.edge === undefined) return route;
  const { edge: _dropped, ...status } = route.status;
  return { ...route, status };
}

/**
 * The route placed as this reconcile will write it while it holds its claim
 * (the plan's edgeStatus(input, "serving") reads the same outcome the same way).
 */
export function placedRoute(route: DomainRoute, edge: OutcomeLookup<EdgeOutcome>, config: PlatformConfig): DomainRoute {
  return withPlacement(route, placementStatus(route, edge, config, true).edge);
}
