// An endpoint outside the cluster (a VM by IPv4 address) made reachable from
// the gateway: a ServiceEntry gives it a mesh host name, and for HTTPS a
// DestinationRule has the gateway originate TLS to it.
import type { IDestinationRule } from "@kubernetes-models/istio/networking.istio.io/v1/DestinationRule";
import type { IServiceEntry } from "@kubernetes-models/istio/networking.istio.io/v1/ServiceEntry";
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { DomainRoute, ExternalProtocol } from "../../../crds/types.ts";
import { producedMetadata } from "./metadata.ts";
import { objectNameFor } from "./names.ts";
import { KIND_DESTINATION_RULE, KIND_SERVICE_ENTRY, NETWORKING_API_VERSION } from "./produced-resources.ts";

export interface ExternalEndpoint {
  ip: string;
  port: number;
  protocol: ExternalProtocol;
}

/** Suffix of the mesh-internal host names hostgate gives external endpoints. */
export const EXTERNAL_HOST_SUFFIX = "hostgate.internal";

/**
 * `<object name>.<route namespace>.hostgate.internal`: the mesh host of the
 * route's external endpoint. Never the public domain: a ServiceEntry for it
 * would send every in-mesh request for that domain straight to the VM,
 * around the gateway and its login.
 */
export function externalHostFor(route: DomainRoute): string {
  return `${objectNameFor(route.spec.domain)}.${route.metadata.namespace}.${EXTERNAL_HOST_SUFFIX}`;
}

/**
 * The route's namespace and the gateway's, which must see the host to route
 * to it. Just "." when they are the same namespace: Istio refuses "." and
 * the current namespace together as duplicates.
 */
export function exportToFor(route: DomainRoute, config: PlatformConfig): string[] {
  return route.metadata.namespace === config.gateway.namespace ? ["."] : [".", config.gateway.namespace];
}

export function renderServiceEntry(route: DomainRoute, config: PlatformConfig, endpoint: ExternalEndpoint): KubeObject {
  const namespace = route.metadata.namespace ?? "";
  const spec: IServiceEntry["spec"] = {
    hosts: [externalHostFor(route)],
    location: "MESH_EXTERNAL",
    resolution: "STATIC",
    ports: [{ number: endpoint.port, name: endpoint.protocol.toLowerCase(), protocol: endpoint.protocol }],
    endpoints: [{ address: endpoint.ip }],
    exportTo: exportToFor(route, config),
  };
  return {
    apiVersion: NETWORKING_API_VERSION,
    kind: KIND_SERVICE_ENTRY,
    metadata: producedMetadata(route, objectNameFor(route.spec.domain), namespace),
    spec,
  };
}

/** For an HTTPS endpoint: the gateway speaks TLS to it (it receives plain HTTP from the load balancer). */
export function renderDestinationRule(route: DomainRoute, config: PlatformConfig): KubeObject {
  const namespace = route.metadata.namespace ?? "";
  const spec: IDestinationRule["spec"] = {
    host: externalHostFor(route),
    trafficPolicy: { tls: { mode: "SIMPLE" } },
    exportTo: exportToFor(route, config),
  };
  return {
    apiVersion: NETWORKING_API_VERSION,
    kind: KIND_DESTINATION_RULE,
    metadata: producedMetadata(route, objectNameFor(route.spec.domain), namespace),
    spec,
  };
}
