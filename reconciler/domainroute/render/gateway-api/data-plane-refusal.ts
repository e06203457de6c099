// CONTRACT (lead, issue 15): the one predicate both the route controller and
// the pool Gateways controller use to decide that nothing may be served for a
// route on the Gateway API data plane (no listener, no HTTPRoute): a
// protected route on an implementation without external authorization.
// Implemented by the render helper.
import type { PlatformConfig } from "../../../../core/config/platform-config.ts";
import type { DomainRoute } from "../../../../crds/types.ts";

export interface DataPlaneRefusal {
  /** Stable condition reason, e.g. `ProtectionUnsupported`. */
  reason: string;
  /** What, where, how to fix. */
  message: string;
}

/** undefined: the route may be served on the configured Gateway API data plane (or the provider is istio). */
export function gatewayApiRefusal(_route: Pick<DomainRoute, "spec">, _config: PlatformConfig): DataPlaneRefusal | undefined {
  throw new Error("not implemented yet (issue 15 contract)");
}
