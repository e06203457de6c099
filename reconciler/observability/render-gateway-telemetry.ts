// The ingress gateway's Istio Telemetry (issue 18): access logging and
// tracing for the gateway workload, from the platform's observability config.
// One object for the platform, `hostgate-gateway` in gateway.namespace,
// selecting the gateway pods by gateway.selector (with the Gateway API on
// Istio, the pooled Gateways' pods carry those labels). Fields as Istio's
// Telemetry API defines them (https://istio.io/latest/docs/reference/config/telemetry/):
// accessLogging[].providers[].name and filter.expression (a CEL expression
// over Envoy attributes), tracing[].providers[].name and
// randomSamplingPercentage, a number from 0 to 100.
import type { ITelemetry } from "@kubernetes-models/istio/telemetry.istio.io/v1/Telemetry";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { LABEL_MANAGED_BY, MANAGED_BY_HOSTGATE, sortedKeys } from "../domainroute/render/metadata.ts";
import { observableDataPlane } from "./data-plane.ts";
import { GATEWAY_TELEMETRY_NAME } from "./gateway-telemetry-resource.ts";
import { KIND_TELEMETRY, TELEMETRY_API_VERSION } from "./kinds.ts";
import { percentValue } from "../../core/config/percent.ts";

/** Undefined when the config asks for neither access logging nor tracing, or the data plane is not Istio's (data-plane.ts). */
export function renderGatewayTelemetry(config: PlatformConfig): KubeObject | undefined {
  const { accessLogging, tracing } = config.observability ?? {};
  if ((accessLogging === undefined && tracing === undefined) || !observableDataPlane(config)) return undefined;
  const spec: ITelemetry["spec"] = { selector: { matchLabels: sortedKeys(config.gateway.selector) } };
  if (accessLogging !== undefined) {
    spec.accessLogging = [
      {
        ...(accessLogging.filter === undefined ? {} : { filter: { expression: accessLogging.filter } }),
        providers: accessLogging.providers.map((name) => ({ name })),
      },
    ];
  }
  if (tracing !== undefined) {
    spec.tracing = [{ providers: tracing.providers.map((name) => ({ name })), randomSamplingPercentage: percentValue(tracing.sampling) }];
  }
  return {
    apiVersion: TELEMETRY_API_VERSION,
    kind: KIND_TELEMETRY,
    metadata: { name: GATEWAY_TELEMETRY_NAME, namespace: config.gateway.namespace, labels: { [LABEL_MANAGED_BY]: MANAGED_BY_HOSTGATE } },
    spec,
  };
}
