// Every kind of object a DomainRoute may get on the Gateway API data plane
// (gateway.provider gateway-api), and the order they are applied in. Like
// ../produced-resources.ts for the Istio kinds: the reconciler prunes by
// listing each of these resources with routeSelector(uid), so a kind missing
// here would never be cleaned up. Kinds repeat across groups (a Gateway API
// Gateway, an Istio Gateway; a core Service), so an object's resource is
// found by apiVersion AND kind (gatewayApiResourceFor), never by kind alone.
import type { GatewayApiImplementation } from "../../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../../core/kube/object-key.ts";

export const GATEWAY_API_GROUP = "gateway.networking.k8s.io";
export const HTTP_ROUTE_API_VERSION = `${GATEWAY_API_GROUP}/v1`;
/** v1beta1: served by every Gateway API release since 0.6 (v1 only since 1.5), so older installs accept it too. */
export const REFERENCE_GRANT_API_VERSION = `${GATEWAY_API_GROUP}/v1beta1`;
export const ENVOY_GATEWAY_GROUP = "gateway.envoyproxy.io";
export const SECURITY_POLICY_API_VERSION = `${ENVOY_GATEWAY_GROUP}/v1alpha1`;
export const SERVICE_API_VERSION = "v1";
export const DISCOVERY_GROUP = "discovery.k8s.io";
export const ENDPOINT_SLICE_API_VERSION = `${DISCOVERY_GROUP}/v1`;
export const ISTIO_SECURITY_API_VERSION = "security.istio.io/v1";

export const KIND_HTTP_ROUTE = "HTTPRoute";
export const KIND_REFERENCE_GRANT = "ReferenceGrant";
export const KIND_SECURITY_POLICY = "SecurityPolicy";
export const KIND_SERVICE = "Service";
export const KIND_ENDPOINT_SLICE = "EndpointSlice";
export const KIND_AUTHORIZATION_POLICY = "AuthorizationPolicy";
/** What a listener's parentRef and an Istio AuthorizationPolicy's targetRef name: a Gateway API Gateway. */
export const KIND_GATEWAY = "Gateway";

/**
 * Where an object of the kind lives:
 * - `route`: the route's own namespace (owner reference to the route);
 * - `gateway`: the platform's gateway namespace (gateway.namespace): Istio's
 *   AuthorizationPolicy and Envoy Gateway's SecurityPolicy, on the member's
 *   Gateway (pruned by label, no owner reference across namespaces);
 * - `granted`: the namespace of the Service it grants access to (a protection
 *   provider's auth service, gatewayApi.authServices[provider].namespace, or a
 *   Service backend in another namespace, spec.backend.service.namespace). It
 *   is listed cluster-wide by label; whoever prunes must check that the object's
 *   namespace is one of those the route's rendering names before deleting it.
 */
export type GatewayApiScope = "route" | "gateway" | "granted";

/**
 * Apply order. What a later object refers to exists first: the HTTPRoute's
 * backendRef names the external Service (whose endpoints its EndpointSlice
 * holds) and needs a ReferenceGrant for a Service in another namespace; the
 * SecurityPolicy's auth service needs its ReferenceGrant. The login
 * (SecurityPolicy, AuthorizationPolicy) comes before the HTTPRoute, so if
 * applying stops halfway the domain is never routed without it.
 */
export const GATEWAY_API_KIND_ORDER = [
  KIND_SERVICE,
  KIND_ENDPOINT_SLICE,
  KIND_REFERENCE_GRANT,
  KIND_SECURITY_POLICY,
  KIND_AUTHORIZATION_POLICY,
  KIND_HTTP_ROUTE,
] as const;
export type GatewayApiKind = (typeof GATEWAY_API_KIND_ORDER)[number];

/** Compatible with ResourceRef (core/kube/resource.ts), plus the apiVersion and where the objects live. */
export interface GatewayApiResource {
  group: string;
  version: string;
  resource: string;
  kind: GatewayApiKind;
  /** `group/version` (`v1` for the core group): with kind, what identifies an object's resource. */
  apiVersion: string;
  namespaced: true;
  scope: GatewayApiScope;
}

function resource(group: string, version: string, plural: string, kind: GatewayApiKind, scope: GatewayApiScope): Readonly<GatewayApiResource> {
  const apiVersion = group === "" ? version : `${group}/${version}`;
  return Object.freeze({ group, version, resource: plural, kind, apiVersion, namespaced: true, scope });
}

export const EXTERNAL_SERVICE_RESOURCE = resource("", "v1", "services", KIND_SERVICE, "route");
export const ENDPOINT_SLICE_RESOURCE = resource(DISCOVERY_GROUP, "v1", "endpointslices", KIND_ENDPOINT_SLICE, "route");
export const REFERENCE_GRANT_RESOURCE = resource(GATEWAY_API_GROUP, "v1beta1", "referencegrants", KIND_REFERENCE_GRANT, "granted");
// Envoy Gateway's SecurityPolicy targets the route's listener, so it lives beside the Gateway (security-policy.ts).
export const SECURITY_POLICY_RESOURCE = resource(ENVOY_GATEWAY_GROUP, "v1alpha1", "securitypolicies", KIND_SECURITY_POLICY, "gateway");
export const ISTIO_AUTHORIZATION_POLICY_RESOURCE = resource("security.istio.io", "v1", "authorizationpolicies", KIND_AUTHORIZATION_POLICY, "gateway");
export const HTTP_ROUTE_RESOURCE = resource(GATEWAY_API_GROUP, "v1", "httproutes", KIND_HTTP_ROUTE, "route");

/**
 * Every resource a route may get on the Gateway API data plane, in
 * GATEWAY_API_KIND_ORDER, whatever the implementation. (SecurityPolicy only
 * exists with Envoy Gateway, AuthorizationPolicy only with Istio: see
 * gatewayApiResources.)
 */
export const ALL_GATEWAY_API_RESOURCES: readonly Readonly<GatewayApiResource>[] = Object.freeze([
  EXTERNAL_SERVICE_RESOURCE,
  ENDPOINT_SLICE_RESOURCE,
  REFERENCE_GRANT_RESOURCE,
  SECURITY_POLICY_RESOURCE,
  ISTIO_AUTHORIZATION_POLICY_RESOURCE,
  HTTP_ROUTE_RESOURCE,
]);

/**
 * The resources this implementation's routes get, in apply order: what the
 * caches watch and the pruner lists. Only what the implementation's CRDs
 * define, so a cluster without Istio (or without Envoy Gateway) is never
 * asked to list a resource it does not serve and the caches still sync.
 */
export function gatewayApiResources(implementation: GatewayApiImplementation): readonly Readonly<GatewayApiResource>[] {
  return ALL_GATEWAY_API_RESOURCES.filter(
    (r) => (r !== SECURITY_POLICY_RESOURCE || implementation === "envoy-gateway") && (r !== ISTIO_AUTHORIZATION_POLICY_RESOURCE || implementation === "istio"),
  );
}

/** The resource of a rendered object, by apiVersion and kind; undefined for a kind not rendered on this data plane. */
export function gatewayApiResourceFor(object: Pick<KubeObject, "apiVersion" | "kind">): Readonly<GatewayApiResource> | undefined {
  return ALL_GATEWAY_API_RESOURCES.find((r) => r.apiVersion === object.apiVersion && r.kind === object.kind);
}

/** Rank of the object in GATEWAY_API_KIND_ORDER; objects this data plane does not render sort last. */
export function gatewayApiApplyRank(object: Pick<KubeObject, "apiVersion" | "kind">): number {
  const found = gatewayApiResourceFor(object);
  return found === undefined ? GATEWAY_API_KIND_ORDER.length : GATEWAY_API_KIND_ORDER.indexOf(found.kind);
}
