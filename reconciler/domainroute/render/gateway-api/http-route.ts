// The HTTPRoute that sends a Managed route's traffic, as it arrives on its
// listener of its pool member's Gateway, to its one backend: the Gateway API
// form of the Istio VirtualService (../virtual-service.ts), which has one
// route and no match, timeout or retry of its own, so neither has this.
import type { PoolMember } from "../../../../core/config/edge-pool.ts";
import type { PlatformConfig } from "../../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../../core/kube/object-key.ts";
import type { DomainRoute } from "../../../../crds/types.ts";
import { producedMetadata } from "../metadata.ts";
import { GATEWAY_API_GROUP, HTTP_ROUTE_API_VERSION, KIND_GATEWAY, KIND_HTTP_ROUTE, KIND_SERVICE } from "./kinds.ts";
import { listenerNameFor } from "./names.ts";

/** The Service a route's traffic goes to; namespace only when it is not the route's. */
export interface ServiceBackend {
  name: string;
  namespace?: string;
  port: number;
}

export interface HttpRouteOptions {
  name: string;
}

export function renderHttpRoute(
  route: DomainRoute,
  config: PlatformConfig,
  member: PoolMember,
  backend: ServiceBackend,
  options: HttpRouteOptions,
): KubeObject {
  const domain = route.spec.domain;
  const backendRefs = [
    {
      group: "",
      kind: KIND_SERVICE,
      name: backend.name,
      ...(backend.namespace === undefined ? {} : { namespace: backend.namespace }),
      port: backend.port,
      weight: 1,
    },
  ];
  return {
    apiVersion: HTTP_ROUTE_API_VERSION,
    kind: KIND_HTTP_ROUTE,
    metadata: producedMetadata(route, options.name, route.metadata.namespace ?? ""),
    spec: {
      // Only the domain's own listener: the listener's allowedRoutes admit this namespace, and its hostname this domain.
      parentRefs: [
        { group: GATEWAY_API_GROUP, kind: KIND_GATEWAY, namespace: config.gateway.namespace, name: member.name, sectionName: listenerNameFor(domain) },
      ],
      hostnames: [domain],
      // Every path, written out as the CRD's default match would store it (so the stored route still contains the render).
      rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs }],
    },
  };
}
