// CONTRACT (lead, issue 15): the objects a DomainRoute gets on the Gateway API
// data plane, in apply order. Implemented by the render helper; the route
// controller (render-route.ts) calls it with gateway.provider gateway-api.
import type { PoolMember } from "../../../../core/config/edge-pool.ts";
import type { PlatformConfig } from "../../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../../core/kube/object-key.ts";
import type { DomainRoute } from "../../../../crds/types.ts";

export interface GatewayApiObjects {
  /** External Service + EndpointSlice, ReferenceGrant, SecurityPolicy or AuthorizationPolicy, HTTPRoute: in apply order. */
  objects: KubeObject[];
  /** What keeps part of the route from being rendered (field, how to fix); its objects are left out, never half-valid. */
  problems: string[];
}

/** `member`: the pool member the route is placed on (its Gateway is named after it). */
export function renderGatewayApiObjects(_route: DomainRoute, _config: PlatformConfig, _member: PoolMember): GatewayApiObjects {
  throw new Error("not implemented yet (issue 15 contract)");
}
