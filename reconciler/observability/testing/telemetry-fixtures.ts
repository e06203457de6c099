// Test fixtures for the gateway Telemetry writer: platform configs with and
// without access logging and tracing, and a Telemetry as the slice contract
// says renderGatewayTelemetry renders it (so the writer's tests do not
// depend on the renderer's own details, which its tests cover).
import { loadPlatformConfig } from "../../../core/config/index.ts";
import { DEFAULT_CONFIG } from "../../../core/cli/paths.ts";
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { LABEL_MANAGED_BY, MANAGED_BY_HOSTGATE } from "../../domainroute/render/metadata.ts";
import { GATEWAY_TELEMETRY_NAME } from "../gateway-telemetry-resource.ts";

export const baseConfig: PlatformConfig = loadPlatformConfig(DEFAULT_CONFIG);

/** The base config (gateway.provider istio) with access logging (filter given) and tracing at `sampling`. */
export function telemetryConfig(filter = "response.code >= 400", sampling = "1%"): PlatformConfig {
  return {
    ...baseConfig,
    observability: { accessLogging: { providers: ["envoy"], filter }, tracing: { providers: ["otel"], sampling } },
  };
}

/** A Telemetry as the contract describes it (telemetry.istio.io/v1, hostgate-gateway in gateway.namespace). */
export function contractTelemetry(config: PlatformConfig): KubeObject | undefined {
  const o = config.observability;
  if (o?.accessLogging === undefined && o?.tracing === undefined) return undefined;
  return {
    apiVersion: "telemetry.istio.io/v1",
    kind: "Telemetry",
    metadata: { name: GATEWAY_TELEMETRY_NAME, namespace: config.gateway.namespace, labels: { [LABEL_MANAGED_BY]: MANAGED_BY_HOSTGATE } },
    spec: {
      selector: { matchLabels: { ...config.gateway.selector } },
      ...(o.accessLogging === undefined
        ? {}
        : {
            accessLogging: [
              {
                providers: o.accessLogging.providers.map((name) => ({ name })),
                ...(o.accessLogging.filter === undefined ? {} : { filter: { expression: o.accessLogging.filter } }),
              },
            ],
          }),
      ...(o.tracing === undefined
        ? {}
        : { tracing: [{ providers: o.tracing.providers.map((name) => ({ name })), randomSamplingPercentage: Number.parseFloat(o.tracing.sampling) }] }),
    },
  };
}
