// Whether the appId table (an Istio EnvoyFilter and its ConfigMap in the
// gateway namespace) is kept at all: only when Istio runs the gateways, with
// its own API (gateway.provider istio) or as the Gateway API implementation
// (the pooled Gateways' pods then carry gateway.selector through
// spec.infrastructure.labels, which the EnvoyFilter's workloadSelector
// matches). With Envoy Gateway or the AWS Load Balancer Controller nothing
// would run the filter, and Istio's CRDs may not be installed: a watch on a
// missing CRD never syncs, so neither its objects nor their watches exist.
// On Envoy Gateway the table's decisions are still needed (appIdOutcomesNeeded):
// the route's SecurityPolicy carries its effective appId to the auth server.
import type { PlatformConfig } from "../../core/config/platform-config.ts";

export function appIdTableNeeded(config: Pick<PlatformConfig, "gateway">): boolean {
  return config.gateway.provider === "istio" || config.gateway.gatewayApi?.implementation === "istio";
}

/**
 * Whether the appId-table controller runs at all: where its objects are kept
 * (above), and on Envoy Gateway to decide each protected route's appId
 * without writing anything (publish-app-id-outcomes.ts). With the AWS Load
 * Balancer Controller protected routes are refused, so it does not run.
 */
export function appIdOutcomesNeeded(config: Pick<PlatformConfig, "gateway">): boolean {
  return appIdTableNeeded(config) || (config.gateway.provider === "gateway-api" && config.gateway.gatewayApi?.implementation === "envoy-gateway");
}
