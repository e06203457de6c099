// Which data planes the route alerts can watch. The alerts read Istio's
// standard metrics (istio_requests_total) as the ingress gateway reports
// them, so they hold only where Istio's Envoy is the gateway: gateway.provider
// istio, or the Gateway API implemented by Istio. Envoy Gateway and the AWS
// Load Balancer Controller export other metrics (or none per backend), so
// there hostgate renders no PrometheusRule, no Probe and no Telemetry, and
// routes say ObservabilityReady=False, reason DataPlaneUnsupported.
import type { PlatformConfig } from "../../core/config/platform-config.ts";

export function observableDataPlane(config: Pick<PlatformConfig, "gateway">): boolean {
  if (config.gateway.provider === "istio") return true;
  return config.gateway.provider === "gateway-api" && config.gateway.gatewayApi?.implementation === "istio";
}
