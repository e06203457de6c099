// The login in front of a protected domain on Envoy Gateway: a SecurityPolicy
// on the route's HTTPRoute that sends every request it serves to the
// protection provider's gRPC ext_authz Service (gateway.gatewayApi.authServices).
// The Allow paths are served by another HTTPRoute this policy does not target
// (public-paths.ts).
import type { AuthServiceRef } from "../../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../../core/kube/object-key.ts";
import type { DomainRoute } from "../../../../crds/types.ts";
import { producedMetadata } from "../metadata.ts";
import { GATEWAY_API_GROUP, KIND_HTTP_ROUTE, KIND_SECURITY_POLICY, KIND_SERVICE, SECURITY_POLICY_API_VERSION } from "./kinds.ts";
import { routeObjectNameFor } from "./names.ts";

export function renderSecurityPolicy(route: DomainRoute, authService: AuthServiceRef): KubeObject {
  const name = routeObjectNameFor(route.spec.domain);
  return {
    apiVersion: SECURITY_POLICY_API_VERSION,
    kind: KIND_SECURITY_POLICY,
    metadata: producedMetadata(route, name, route.metadata.namespace ?? ""),
    spec: {
      // A policy targets objects in its own namespace only: the route's HTTPRoute.
      targetRefs: [{ group: GATEWAY_API_GROUP, kind: KIND_HTTP_ROUTE, name }],
      extAuth: {
        // Envoy Gateway's default, written out: an unreachable auth service denies, never lets through.
        failOpen: false,
        grpc: { backendRefs: [{ group: "", kind: KIND_SERVICE, name: authService.name, namespace: authService.namespace, port: authService.port }] },
      },
    },
  };
}
