// Every kind of object the reconciler may produce for a DomainRoute, in the
// order it applies them. The reconciler prunes by listing each of these
// resources with routeSelector(uid), so a kind missing here would never be
// cleaned up. The Istio kinds are produced with gateway.provider istio, the
// Gateway API data plane's (gateway-api/kinds.ts) with gateway-api, and
// external-dns's DNSEndpoint only with `dns.provider: external-dns`
// (producedResources(config)), so a cluster is never asked to list or watch
// a kind whose CRD it may not have.
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { GatewayApiKind, GatewayApiScope } from "./gateway-api/kinds.ts";
import { ALL_GATEWAY_API_RESOURCES, GATEWAY_API_KIND_ORDER, gatewayApiResources } from "./gateway-api/kinds.ts";

export const NETWORKING_API_VERSION = "networking.istio.io/v1";
export const SECURITY_API_VERSION = "security.istio.io/v1";

export const KIND_SERVICE_ENTRY = "ServiceEntry";
export const KIND_DESTINATION_RULE = "DestinationRule";
export const KIND_GATEWAY = "Gateway";
export const KIND_VIRTUAL_SERVICE = "VirtualService";
export const KIND_AUTHORIZATION_POLICY = "AuthorizationPolicy";
export const KIND_DNS_ENDPOINT = "DNSEndpoint";
export const KIND_PROMETHEUS_RULE = "PrometheusRule";
export const KIND_PROBE = "Probe";

/**
 * Apply order. What a later object refers to exists first: the VirtualService
 * names the Gateway and the ServiceEntry's host. The AuthorizationPolicy comes
 * before the Gateway and the VirtualService, so if applying stops halfway
 * (a conflict, a webhook outage) the domain is never served without its login.
 * The DNSEndpoint comes last: the name is published only once what serves it is in place.
 */
export const KIND_ORDER = [
  KIND_SERVICE_ENTRY,
  KIND_DESTINATION_RULE,
  KIND_AUTHORIZATION_POLICY,
  KIND_GATEWAY,
  KIND_VIRTUAL_SERVICE,
  KIND_DNS_ENDPOINT,
] as const;
export type ProducedKind = (typeof KIND_ORDER)[number];

/**
 * Every kind either data plane produces, in one apply order that keeps each
 * plane's own (KIND_ORDER, GATEWAY_API_KIND_ORDER): the login before what
 * routes traffic, the DNSEndpoint last. What deletes in reverse (the orphan
 * sweep) ranks by it, so an orphaned HTTPRoute goes before its login and
 * before the DomainClaim that frees the domain. Kinds, not resources: a
 * Gateway here is Istio's (a Gateway API Gateway is no route's).
 */
export const PRODUCED_KIND_ORDER = [
  KIND_SERVICE_ENTRY,
  KIND_DESTINATION_RULE,
  ...GATEWAY_API_KIND_ORDER.slice(0, GATEWAY_API_KIND_ORDER.indexOf(KIND_AUTHORIZATION_POLICY)),
  KIND_AUTHORIZATION_POLICY,
  KIND_GATEWAY,
  KIND_VIRTUAL_SERVICE,
  ...GATEWAY_API_KIND_ORDER.slice(GATEWAY_API_KIND_ORDER.indexOf(KIND_AUTHORIZATION_POLICY) + 1),
  KIND_DNS_ENDPOINT,
] as const;

/**
 * Where an object of the kind lives: the platform's gateway namespace or the
 * route's own; on the Gateway API data plane also `granted`, the namespace of
 * the Service a ReferenceGrant opens (gateway-api/kinds.ts).
 */
export type ProducedScope = "gateway" | "route" | GatewayApiScope;

/** Compatible with ResourceRef (core/kube/resource.ts), plus the namespace the objects live in. */
export interface ProducedResource {
  group: string;
  version: string;
  resource: string;
  kind: ProducedKind | GatewayApiKind | MonitoringKind;
  namespaced: true;
  scope: ProducedScope;
}

/** One entry per Istio kind, in KIND_ORDER: what every configuration produces. */
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

/**
 * external-dns's DNSEndpoint (its CRD: kubernetes-sigs/external-dns), one per
 * route that holds its claim (one per route and region published in, on a
 * platform with regions), in the route's namespace. The gateway records of
 * two-step load balancers are DNSEndpoints too, in the gateway namespace, but
 * no route's (dns/external-dns/gateway-endpoints.ts).
 */
export const DNS_ENDPOINT_RESOURCE: Readonly<ProducedResource> = Object.freeze({
  group: "externaldns.k8s.io",
  version: "v1alpha1",
  resource: "dnsendpoints",
  kind: KIND_DNS_ENDPOINT,
  namespaced: true,
  scope: "route",
} satisfies ProducedResource);

/**
 * prometheus-operator's kinds (issue 18), in the route's namespace: the
 * route's alerts (PrometheusRule) and, for a VM backend, its blackbox probe
 * (Probe). Not in producedResources(config): their CRDs may be installed at
 * any time or never, so they are watched only once the cluster serves them
 * (manager/monitoring-kinds.ts), never by the caches built at start.
 */
export const PROMETHEUS_RULE_RESOURCE: Readonly<ProducedResource> = Object.freeze({
  group: "monitoring.coreos.com",
  version: "v1",
  resource: "prometheusrules",
  kind: KIND_PROMETHEUS_RULE,
  namespaced: true,
  scope: "route",
} satisfies ProducedResource);
export const PROBE_RESOURCE: Readonly<ProducedResource> = Object.freeze({
  group: "monitoring.coreos.com",
  version: "v1",
  resource: "probes",
  kind: KIND_PROBE,
  namespaced: true,
  scope: "route",
} satisfies ProducedResource);
/** In apply order: the Probe's alert is in the PrometheusRule, which comes first. */
export const MONITORING_RESOURCES: readonly Readonly<ProducedResource>[] = Object.freeze([PROMETHEUS_RULE_RESOURCE, PROBE_RESOURCE]);
export type MonitoringKind = typeof KIND_PROMETHEUS_RULE | typeof KIND_PROBE;

/** True for an object of prometheus-operator's kinds a route produces. */
export function isMonitoringObject(object: Pick<KubeObject, "apiVersion" | "kind">): boolean {
  return MONITORING_RESOURCES.some((r) => r.kind === object.kind && object.apiVersion === apiVersionOf(r));
}

/** Every kind any configuration may produce, in KIND_ORDER: to find the resource of an object by its kind. */
export const ALL_PRODUCED_RESOURCES: readonly Readonly<ProducedResource>[] = Object.freeze([...PRODUCED_RESOURCES, DNS_ENDPOINT_RESOURCE]);

const WITH_DNS_ENDPOINTS = ALL_PRODUCED_RESOURCES;

/**
 * The kinds this configuration produces, in apply order: what the caches
 * watch, the route lists as its own and the orphan sweep looks through. Only
 * kinds the cluster is sure to serve, since a watch on a resource without its
 * CRD never syncs and the reconciler would never start:
 *   - gateway.provider istio: the Istio kinds (KIND_ORDER);
 *   - gateway.provider gateway-api: the Gateway API data plane's kinds for
 *     its implementation (gateway-api/kinds.ts: SecurityPolicy only with
 *     Envoy Gateway, AuthorizationPolicy only with Istio), never Istio's
 *     Gateway, VirtualService, ServiceEntry or DestinationRule;
 * plus DNSEndpoints only with `dns.provider: external-dns`.
 */
export function producedResources(config: Pick<PlatformConfig, "dns" | "gateway">): readonly Readonly<ProducedResource>[] {
  const gatewayApi = config.gateway.provider === "gateway-api" ? config.gateway.gatewayApi : undefined;
  if (gatewayApi === undefined) return config.dns.provider === "external-dns" ? WITH_DNS_ENDPOINTS : PRODUCED_RESOURCES;
  const dataPlane = gatewayApiResources(gatewayApi.implementation).map(asProduced);
  return config.dns.provider === "external-dns" ? [...dataPlane, DNS_ENDPOINT_RESOURCE] : dataPlane;
}

/** A Gateway API data plane resource as the caches, the pruner and the sweep take it (they need no apiVersion). */
function asProduced({ apiVersion: _apiVersion, ...resource }: (typeof ALL_GATEWAY_API_RESOURCES)[number]): Readonly<ProducedResource> {
  return resource;
}

/** `group/version`, or `v1` for the core group: what an object of the resource says in apiVersion. */
function apiVersionOf(resource: Pick<ProducedResource, "group" | "version">): string {
  return resource.group === "" ? resource.version : `${resource.group}/${resource.version}`;
}

/**
 * The resource of an object any configuration renders for a route, by
 * apiVersion AND kind (a Gateway API Gateway is not an Istio one, a core
 * Service is no ServiceEntry); undefined for anything else.
 */
export function producedResourceFor(object: Pick<KubeObject, "apiVersion" | "kind">): Readonly<ProducedResource> | undefined {
  const known = [...ALL_PRODUCED_RESOURCES, ...ALL_GATEWAY_API_RESOURCES.map(asProduced), ...MONITORING_RESOURCES];
  return known.find((r) => r.kind === object.kind && object.apiVersion === apiVersionOf(r));
}
