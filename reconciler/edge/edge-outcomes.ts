// What the pool controller decided for each route (status/outcomes.ts): the
// route controller, the one writer of route status, turns a route's outcome
// into status.edge and its EdgePlaced condition (edge-condition.ts). An
// outcome names the route's uid as the pool controller saw it: a route
// re-created under the same name must not take the placement of the one before.
import { memberNamed } from "../../core/config/edge-pool.ts";
import type { LoadBalancerName, PlatformConfig } from "../../core/config/platform-config.ts";
import type { EdgeStatus } from "../../crds/types.ts";
import { Outcomes } from "../status/outcomes.ts";
import { edgeOf } from "./edge-condition.ts";
import type { Placement } from "./plan-placement.ts";

export type EdgeOutcome =
  /** On `edge.member`; `refusedMove`: the member the annotation asks for could not take it (`why`). */
  | { readonly kind: "placed"; readonly uid: string; readonly edge: EdgeStatus; readonly refusedMove?: { readonly member: string; readonly why: string } }
  /** No member of its class has room: `limits` per member. */
  | { readonly kind: "full"; readonly uid: string; readonly loadBalancer: LoadBalancerName; readonly limits: string };

export class EdgeOutcomes extends Outcomes<EdgeOutcome> {}

/**
 * A placement as the route's outcome: status.edge carries the member's DNS
 * target (its dnsName or gatewayHostname). The planner places only on members
 * of the config, configured or autoscaled, so memberNamed finds each one.
 */
export function edgeOutcome(uid: string, placement: Placement, config: PlatformConfig): EdgeOutcome {
  if (placement.kind === "full") return { kind: "full", uid, loadBalancer: placement.lbClass, limits: placement.limits };
  const edge = edgeOf(memberNamed(config, placement.lbClass, placement.member)!);
  return { kind: "placed", uid, edge, ...(placement.refusedMove === undefined ? {} : { refusedMove: placement.refusedMove }) };
}
