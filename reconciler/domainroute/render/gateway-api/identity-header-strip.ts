// The identity header (config.protection.identityHeader, e.g. x-app-id) on
// Envoy Gateway: removed from every request a pooled Gateway receives, before
// anything reads it. On the Istio data plane the identity EnvoyFilter
// overwrites the header before ext_authz; on Envoy Gateway nothing would, so a
// client's own value would reach the auth server and the backend. The route's
// appId goes to the auth server as a context extension instead
// (security-policy.ts). Envoy Gateway's ClientTrafficPolicy
// headers.earlyRequestHeaders is applied by its header_mutation filter, which
// runs before ext_authz and before route selection.
//
// One per pooled Gateway, in the gateway namespace, targeting the whole
// Gateway (every listener). Envoy Gateway lets a ClientTrafficPolicy with a
// sectionName override it on a listener, and of two on one Gateway the older
// wins: no other ClientTrafficPolicy may target the pooled Gateways (README).
// Rendered by the pool Gateways controller beside each Gateway it writes.
import type { PlatformConfig } from "../../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../../core/kube/object-key.ts";
import type { ResourceRef } from "../../../../core/kube/resource.ts";
import { LABEL_EDGE_MEMBER } from "../../../edge/gateways/render-pool-gateways.ts";
import { LABEL_MANAGED_BY, MANAGED_BY_HOSTGATE, sortedKeys } from "../metadata.ts";
import { ENVOY_GATEWAY_GROUP, GATEWAY_API_GROUP, KIND_GATEWAY } from "./kinds.ts";

export const KIND_CLIENT_TRAFFIC_POLICY = "ClientTrafficPolicy";
export const CLIENT_TRAFFIC_POLICY_API_VERSION = `${ENVOY_GATEWAY_GROUP}/v1alpha1`;
/** For the pool Gateways controller's reads, writes and watch (in gateway.namespace). */
export const CLIENT_TRAFFIC_POLICY_RESOURCE: Readonly<ResourceRef> = Object.freeze({
  group: ENVOY_GATEWAY_GROUP,
  version: "v1alpha1",
  resource: "clienttrafficpolicies",
  kind: KIND_CLIENT_TRAFFIC_POLICY,
  namespaced: true,
});

/** `edge-01-identity-header`: one per Gateway, named after it (a Gateway name is a DNS-1123 subdomain; so is this). */
export function identityHeaderStripNameFor(gatewayName: string): string {
  return `${gatewayName}-identity-header`;
}

/** The ClientTrafficPolicy removing the identity header from every request to the pooled Gateway `gatewayName`. */
export function renderIdentityHeaderStrip(gatewayName: string, config: PlatformConfig): KubeObject {
  return {
    apiVersion: CLIENT_TRAFFIC_POLICY_API_VERSION,
    kind: KIND_CLIENT_TRAFFIC_POLICY,
    metadata: {
      name: identityHeaderStripNameFor(gatewayName),
      namespace: config.gateway.namespace,
      // The pooled Gateway's own labels (render-pool-gateways.ts), keys sorted: the pool controller owns it like the Gateway.
      labels: sortedKeys({ [LABEL_EDGE_MEMBER]: gatewayName, [LABEL_MANAGED_BY]: MANAGED_BY_HOSTGATE }),
    },
    spec: {
      // A policy targets objects of its own namespace only: the Gateway's.
      targetRefs: [{ group: GATEWAY_API_GROUP, kind: KIND_GATEWAY, name: gatewayName }],
      headers: { earlyRequestHeaders: { remove: [config.protection.identityHeader] } },
    },
  };
}
