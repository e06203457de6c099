// The API resources the reconciler reads and writes. RBAC must grant exactly
// the verbs used on each (deploy/base/reconciler-rbac.yaml).
import type { ResourceRef } from "../core/kube/resource.ts";
import { LABEL_MANAGED_BY, MANAGED_BY_HOSTGATE } from "./domainroute/render/metadata.ts";
export { DOMAIN_ROUTES } from "../core/state/sources/indexed-resources.ts";
export { LEASES } from "./runtime/object-api-lease-client.ts";

export const DOMAIN_CLAIMS: ResourceRef = { group: "hostgate.dev", version: "v1alpha1", resource: "domainclaims", kind: "DomainClaim", namespaced: false };
export const EVENTS: ResourceRef = { group: "", version: "v1", resource: "events", kind: "Event", namespaced: true };
export const CONFIG_MAPS: ResourceRef = { group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true };
/** Read only: each namespace's choice of how its routes' names spread across regions. */
export const REGION_POLICIES: ResourceRef = { group: "hostgate.dev", version: "v1alpha1", resource: "regionpolicies", kind: "RegionPolicy", namespaced: true };
/** Read only: a route's backend Service must be a normal one (not ExternalName) before it is routed to. */
export const SERVICES: ResourceRef = { group: "", version: "v1", resource: "services", kind: "Service", namespaced: true };
export const ENVOY_FILTERS: ResourceRef = {
  group: "networking.istio.io",
  version: "v1alpha3",
  resource: "envoyfilters",
  kind: "EnvoyFilter",
  namespaced: true,
};

/**
 * Gateway API data plane: the pooled Gateways, one per pool member, in
 * gateway.namespace (edge/gateways/). Watched only with gateway.provider
 * gateway-api: without the Gateway API's CRDs the watch would never sync.
 */
export const GATEWAYS: ResourceRef = { group: "gateway.networking.k8s.io", version: "v1", resource: "gateways", kind: "Gateway", namespaced: true };

/** Every object hostgate produces carries the managed-by label: watches select on it. */
export const MANAGED_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGED_BY_HOSTGATE}`;

/** The one field manager of every create, apply and update the reconciler makes (a managedFields entry naming it is part of what proves an object hostgate's). */
export const FIELD_MANAGER = "hostgate-reconciler";
