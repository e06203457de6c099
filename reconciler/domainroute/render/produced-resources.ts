// Every kind of Istio object the reconciler may produce for a DomainRoute,
// in the order it applies them. The reconciler prunes by listing each of these
// resources with routeSelector(uid), so a kind missing here would never be
// cleaned up.

export const NETWORKING_API_VERSION = "networking.istio.io/v1";
export const SECURITY_API_VERSION = "security.istio.io/v1";

export const KIND_SERVICE_ENTRY = "ServiceEntry";
export const KIND_DESTINATION_RULE = "DestinationRule";
export const KIND_GATEWAY = "Gateway";
export const KIND_VIRTUAL_SERVICE = "VirtualService";
export const KIND_AUTHORIZATION_POLICY = "AuthorizationPolicy";

/**
 * Apply order. What a later object refers to exists first: the VirtualService
 * names the Gateway and the ServiceEntry's host. The AuthorizationPolicy comes
 * before the Gateway and the VirtualService, so if applying stops halfway
 * (a conflict, a webhook outage) the domain is never served without its login.
 */
export const KIND_ORDER = [KIND_SERVICE_ENTRY, KIND_DESTINATION_RULE, KIND_AUTHORIZATION_POLICY, KIND_GATEWAY, KIND_VIRTUAL_SERVICE] as const;
export type ProducedKind = (typeof KIND_ORDER)[number];

/** Where an object of the kind lives: the platform's gateway namespace or the route's own. */
export type ProducedScope = "gateway" | "route";

/** Compatible with ResourceRef (core/kube/resource.ts), plus the namespace the objects live in. */
export interface ProducedResource {
  group: string;
  version: string;
  resource: string;
  kind: ProducedKind;
  namespaced: true;
  scope: ProducedScope;
}

/** One entry per kind, in KIND_ORDER. */
export const PRODUCED_RESOURCES: readonly Readonly<ProducedResource>[] = Object.freeze(
  (
    [
      { group: "networking.istio.io", version: "v1", resource: "serviceentries", kind: KIND_SERVICE_ENTRY, namespaced: true, scope: "route" },
      { group: "networking.istio.io", version: "v1", resource: "destinationrules", kind: KIND_DESTINATION_RULE, namespaced: true, scope: "route" },
      { group: "security.istio.io", version: "v1", resource: "authorizationpolicies", kind: KIND_AUTHORIZATION_POLICY, namespaced: true, scope: "gateway" },
      { group: "networking.istio.io", version: "v1", resource: "gateways", kind: KIND_GATEWAY, namespaced: true, scope: "gateway" },
      { group: "networking.istio.io", version: "v1", resource: "virtualservices", kind: KIND_VIRTUAL_SERVICE, namespaced: true, scope: "route" },
    ] satisfies ProducedResource[]
  ).map((resource) => Object.freeze(resource)),
);
