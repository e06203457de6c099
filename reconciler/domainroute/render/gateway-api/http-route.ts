// The HTTPRoute that sends a Managed route's traffic, as it arrives on its
// listener of its pool member's Gateway, to its one backend: the Gateway API
// form of the Istio VirtualService (../virtual-service.ts), which has one
// route and no match, timeout or retry of its own, so neither has this.
import type { PoolMember } from "../../../../core/config/edge-pool.ts";
import type { PlatformConfig } from "../../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../../core/kube/object-key.ts";
import type { DomainRoute } from "../../../../crds/types.ts";
import { producedMetadata } from "../metadata.ts";
import { hashedName } from "../names.ts";
import { GATEWAY_API_GROUP, HTTP_ROUTE_API_VERSION, KIND_GATEWAY, KIND_HTTP_ROUTE, KIND_SERVICE } from "./kinds.ts";
import { listenerNameFor } from "./names.ts";

/** The Service a route's traffic goes to; namespace only when it is not the route's. */
export interface ServiceBackend {
  name: string;
  namespace?: string;
  port: number;
}

/** The Gateway API's limits on one HTTPRoute's matches (its CRD: 64 per rule, fewer than 128 in all, 16 rules). */
export const MAX_MATCHES_PER_RULE = 64;
export const MAX_MATCHES_PER_ROUTE = 127;

export interface HttpRouteOptions {
  name: string;
  /** Exact paths this route serves; absent: every path (PathPrefix /). */
  exactPaths?: readonly string[];
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
  const matchGroups =
    options.exactPaths === undefined
      ? [[{ path: { type: "PathPrefix", value: "/" } }]]
      : chunks(options.exactPaths, MAX_MATCHES_PER_RULE).map((paths) => paths.map((value) => ({ path: { type: "Exact", value } })));
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
      // Each rule gets its own copy of backendRefs, so a caller editing one changes no other.
      rules: matchGroups.map((matches) => ({ matches, backendRefs: structuredClone(backendRefs) })),
    },
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The second HTTPRoute of a protected route on Envoy Gateway, serving its
 * Allow paths without the login (public-paths.ts): `shop-example-com-public-<hash>`.
 */
export function publicRouteNameFor(domain: string): string {
  return hashedName(`${domain}-public`, `public\n${domain}`);
}
