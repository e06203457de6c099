// The gateway that serves a claimed route, as status.gateway (and, on the
// Gateway API data plane, status.gatewayListener) tell its team: with
// spec.routing.mode External they attach their own VirtualService or
// HTTPRoute there. Pure.
//   - gateway.provider istio: the route's own Istio Gateway, `namespace/name`;
//   - gateway.provider gateway-api: the Gateway of the pool member the route
//     is placed on (named after the member, in gateway.namespace) and the
//     route's listener on it (an HTTPRoute's parentRefs[].sectionName); none
//     while the route is not placed: no Gateway has a listener for it yet.
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { placedMember } from "../edge/placed-member.ts";
import { gatewayRefFor } from "./render/gateway.ts";
import { listenerNameFor } from "./render/gateway-api/names.ts";

export interface ServingGateway {
  /** `namespace/name` of the Gateway (status.gateway). */
  gateway: string;
  /** The listener's name on it (status.gatewayListener): Gateway API data plane only. */
  listener?: string;
}

/** @param route as placed in this reconcile (placed-route.ts withPlacement) */
export function servingGateway(route: Pick<DomainRoute, "spec" | "status">, config: PlatformConfig): ServingGateway | undefined {
  const domain = route.spec.domain;
  if (config.gateway.provider !== "gateway-api") return { gateway: gatewayRefFor(domain, config) };
  const member = placedMember(route, config);
  if (member === undefined) return undefined;
  return { gateway: `${config.gateway.namespace}/${member.name}`, listener: listenerNameFor(domain) };
}
