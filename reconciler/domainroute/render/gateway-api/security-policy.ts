// The login in front of a protected domain on Envoy Gateway: a SecurityPolicy
// on the domain's LISTENER of its pool member's Gateway (a Gateway targetRef
// with sectionName), in the gateway namespace, that sends every request the
// listener serves to the protection provider's gRPC ext_authz Service
// (gateway.gatewayApi.authServices). On the listener, not on hostgate's
// HTTPRoute: the listener admits every HTTPRoute of the route's namespace, so
// a policy on one HTTPRoute would leave a team's own HTTPRoute for the domain
// (a more specific path, say) served without the login. Envoy Gateway ranks a
// policy on an HTTPRoute above one on a listener, so tenants must not write
// gateway.envoyproxy.io policies (README); and a listener-level policy cannot
// exempt paths, so Allow rules are refused here (data-plane-refusal.ts).
import type { PoolMember } from "../../../../core/config/edge-pool.ts";
import type { AuthServiceRef, PlatformConfig } from "../../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../../core/kube/object-key.ts";
import type { DomainRoute } from "../../../../crds/types.ts";
import { producedMetadata } from "../metadata.ts";
import { GATEWAY_API_GROUP, KIND_GATEWAY, KIND_SECURITY_POLICY, KIND_SERVICE, SECURITY_POLICY_API_VERSION } from "./kinds.ts";
import { listenerNameFor, routeObjectNameFor } from "./names.ts";

/**
 * @param appId the route's effective appId (the appId table's outcome), or
 *   undefined when none is in effect (an appId two routes claim is given to
 *   neither): given to the auth server as the context extension named after
 *   config.protection.identityHeader, the value the Istio data plane stamps in
 *   that header. The header itself is removed from every request before
 *   ext_authz (identity-header-strip.ts), so a client cannot forge it.
 */
export function renderSecurityPolicy(route: DomainRoute, config: PlatformConfig, member: PoolMember, authService: AuthServiceRef, appId?: string): KubeObject {
  const domain = route.spec.domain;
  return {
    apiVersion: SECURITY_POLICY_API_VERSION,
    kind: KIND_SECURITY_POLICY,
    // In the gateway namespace: a policy targets objects of its own namespace only. No owner reference across namespaces: pruned by label.
    metadata: producedMetadata(route, routeObjectNameFor(domain), config.gateway.namespace),
    spec: {
      targetRefs: [{ group: GATEWAY_API_GROUP, kind: KIND_GATEWAY, name: member.name, sectionName: listenerNameFor(domain) }],
      extAuth: {
        // Envoy Gateway's default, written out: an unreachable auth service denies, never lets through.
        failOpen: false,
        grpc: { backendRefs: [{ group: "", kind: KIND_SERVICE, name: authService.name, namespace: authService.namespace, port: authService.port }] },
        // type Value is the CRD's default, written out so the stored policy still contains the render.
        ...(appId === undefined ? {} : { contextExtensions: [{ name: config.protection.identityHeader, type: "Value", value: appId }] }),
      },
    },
  };
}
