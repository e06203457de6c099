// The Istio Gateway that opens the platform's ingress gateway to one domain.
// It lives in the gateway namespace, beside the gateway pods and out of app
// teams' reach, and listens on plain HTTP because TLS ends at the load
// balancer in front.
import type { IGateway } from "@kubernetes-models/istio/networking.istio.io/v1/Gateway";
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { DomainRoute } from "../../../crds/types.ts";
import { producedMetadata, sortedKeys } from "./metadata.ts";
import { objectNameFor } from "./names.ts";
import { KIND_GATEWAY, NETWORKING_API_VERSION } from "./produced-resources.ts";

/**
 * `namespace/name` of the Gateway serving the domain: what a VirtualService
 * lists in `spec.gateways`, and what status tells an External-mode route to
 * attach its own VirtualService to.
 */
export function gatewayRefFor(domain: string, config: PlatformConfig): string {
  return `${config.gateway.namespace}/${objectNameFor(domain)}`;
}

export function renderGateway(route: DomainRoute, config: PlatformConfig): KubeObject {
  const domain = route.spec.domain;
  const spec: IGateway["spec"] = {
    selector: sortedKeys(config.gateway.selector),
    servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: [domain] }],
  };
  return {
    apiVersion: NETWORKING_API_VERSION,
    kind: KIND_GATEWAY,
    metadata: producedMetadata(route, objectNameFor(domain), config.gateway.namespace),
    spec,
  };
}
