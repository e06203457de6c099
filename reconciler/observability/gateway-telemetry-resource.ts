// The one cluster-wide Istio Telemetry hostgate keeps for the ingress gateway
// (access logging and tracing, issue 18): where it lives and which versions
// of telemetry.istio.io hostgate writes it at. Istio serves Telemetry as v1
// since 1.22 and as v1alpha1 since 1.12, with the same fields hostgate sets
// (selector, accessLogging, tracing), so the first served of the two is used.
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";

export const TELEMETRY_GROUP = "telemetry.istio.io";
/** Preferred first. */
export const TELEMETRY_VERSIONS: readonly string[] = ["v1", "v1alpha1"];
/** The name renderGatewayTelemetry gives it (slice contract), in gateway.namespace. */
export const GATEWAY_TELEMETRY_NAME = "hostgate-gateway";

export const TELEMETRIES: ResourceRef = { group: TELEMETRY_GROUP, version: "v1", resource: "telemetries", kind: "Telemetry", namespaced: true };

/** Whether the config asks for access logging or tracing at the gateway. */
export function gatewayTelemetryAsked(config: Pick<PlatformConfig, "observability">): boolean {
  return config.observability?.accessLogging !== undefined || config.observability?.tracing !== undefined;
}
