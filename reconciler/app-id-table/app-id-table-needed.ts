// Whether the appId table (an Istio EnvoyFilter and its ConfigMap in the
// gateway namespace) is kept at all: only when Istio runs the gateways, with
// its own API (gateway.provider istio) or as the Gateway API implementation
// (the pooled Gateways' pods then carry gateway.selector through
// spec.infrastructure.labels, which the EnvoyFilter's workloadSelector
// matches). With Envoy Gateway or the AWS Load Balancer Controller nothing
// would run the filter, and Istio's CRDs may not be installed: a watch on a
// missing CRD never syncs, so neither the controller nor its watches exist.
import type { PlatformConfig } from "../../core/config/platform-config.ts";

export function appIdTableNeeded(config: Pick<PlatformConfig, "gateway">): boolean {
  return config.gateway.provider === "istio" || config.gateway.gatewayApi?.implementation === "istio";
}
