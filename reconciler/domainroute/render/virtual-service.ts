// The VirtualService that sends all of a domain's traffic, as it arrives at
// the route's Gateway, to its one backend (Managed mode only).
import type { IVirtualService } from "@kubernetes-models/istio/networking.istio.io/v1/VirtualService";
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { DomainRoute } from "../../../crds/types.ts";
import { gatewayRefFor } from "./gateway.ts";
import { producedMetadata } from "./metadata.ts";
import { objectNameFor } from "./names.ts";
import { KIND_VIRTUAL_SERVICE, NETWORKING_API_VERSION } from "./produced-resources.ts";

/** A mesh host (a Service's cluster-local name or a ServiceEntry host) and port. */
export interface Destination {
  host: string;
  port: number;
}

export function renderVirtualService(route: DomainRoute, config: PlatformConfig, destination: Destination): KubeObject {
  const domain = route.spec.domain;
  const spec: IVirtualService["spec"] = {
    hosts: [domain],
    // Bound to the route's Gateway only: without it the VirtualService would
    // apply to sidecars ("mesh") instead of the ingress gateway.
    gateways: [gatewayRefFor(domain, config)],
    http: [{ route: [{ destination: { host: destination.host, port: { number: destination.port } } }] }],
  };
  return {
    apiVersion: NETWORKING_API_VERSION,
    kind: KIND_VIRTUAL_SERVICE,
    metadata: producedMetadata(route, objectNameFor(domain), route.metadata.namespace ?? ""),
    spec,
  };
}
