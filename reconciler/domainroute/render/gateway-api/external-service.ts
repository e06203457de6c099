// An external backend (a VM by IPv4 address) as the Gateway API reaches it:
// a Service without a selector, so Kubernetes keeps no endpoints for it, and
// an EndpointSlice hostgate writes with the one address. Both live in the
// route's namespace, named externalServiceNameFor(domain); the HTTPRoute's
// backendRef names the Service. (The Istio data plane uses a ServiceEntry.)
import type { KubeObject } from "../../../../core/kube/object-key.ts";
import type { DomainRoute } from "../../../../crds/types.ts";
import { producedMetadata, sortedKeys } from "../metadata.ts";
import { ENDPOINT_SLICE_API_VERSION, KIND_ENDPOINT_SLICE, KIND_SERVICE, SERVICE_API_VERSION } from "./kinds.ts";
import { externalServiceNameFor } from "./names.ts";

/** Links the EndpointSlice to its Service (read by kube-proxy, Envoy Gateway, Istio and the AWS Load Balancer Controller). */
export const LABEL_SERVICE_NAME = "kubernetes.io/service-name";
/** Who manages the slice: never Kubernetes' own endpointslice-controller.k8s.io, whose controller would take it over or delete it. */
export const LABEL_ENDPOINT_SLICE_MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
export const ENDPOINT_SLICE_MANAGER = "hostgate.dev";
/** The one port's name, on the Service and the slice alike: a slice port is matched to its Service port by name. */
export const EXTERNAL_PORT_NAME = "http";

export interface ExternalHttpEndpoint {
  ip: string;
  port: number;
}

export function renderExternalService(route: DomainRoute, endpoint: ExternalHttpEndpoint): KubeObject {
  const domain = route.spec.domain;
  return {
    apiVersion: SERVICE_API_VERSION,
    kind: KIND_SERVICE,
    metadata: producedMetadata(route, externalServiceNameFor(domain), route.metadata.namespace ?? ""),
    // No selector: the endpoints are the EndpointSlice below, not pods.
    spec: { ports: [{ name: EXTERNAL_PORT_NAME, port: endpoint.port, protocol: "TCP", targetPort: endpoint.port }] },
  };
}

export function renderEndpointSlice(route: DomainRoute, endpoint: ExternalHttpEndpoint): KubeObject {
  const domain = route.spec.domain;
  const name = externalServiceNameFor(domain);
  const metadata = producedMetadata(route, name, route.metadata.namespace ?? "");
  metadata.labels = sortedKeys({ ...metadata.labels, [LABEL_SERVICE_NAME]: name, [LABEL_ENDPOINT_SLICE_MANAGED_BY]: ENDPOINT_SLICE_MANAGER });
  return {
    apiVersion: ENDPOINT_SLICE_API_VERSION,
    kind: KIND_ENDPOINT_SLICE,
    metadata,
    addressType: "IPv4",
    endpoints: [{ addresses: [endpoint.ip], conditions: { ready: true } }],
    ports: [{ name: EXTERNAL_PORT_NAME, port: endpoint.port, protocol: "TCP" }],
  };
}
