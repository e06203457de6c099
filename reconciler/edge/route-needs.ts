// What each route needs on the pool member it is placed on, all routes at
// once (pure): the keys it adds to each of the member's limited kinds. A kind
// is a set of keys, so whatever routes share (a wildcard certificate, a
// backend's target group) counts once per member, and whatever is a route's
// own (a listener rule, a Gateway listener) is keyed by the route or its
// domain. The placement planner (plan-placement.ts) is generic over the
// kinds, so each limit is tested with synthetic needs.
import { certificatesInAcm } from "../../core/config/acm-settings.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import { desiredCertificates } from "../certificates/desired-certificates.ts";
import { gatewayApiRefusal } from "../domainroute/render/gateway-api/data-plane-refusal.ts";
import { externalServiceNameFor } from "../domainroute/render/gateway-api/names.ts";

/** The limited kinds of a load balancer, as EdgeCapacity names them. */
export const EDGE_KINDS = ["certificates", "rules", "targetGroups", "listeners"] as const;
export type EdgeKind = (typeof EDGE_KINDS)[number];

/** How a kind reads in messages (`certificates 25/25`). */
export const EDGE_KIND_LABEL: Readonly<Record<EdgeKind, string>> = {
  certificates: "certificates",
  rules: "rules",
  targetGroups: "target groups",
  listeners: "listeners",
};

/** Per kind, the keys a route holds on its member (sorted, each once). */
export type RouteNeeds = Readonly<Record<EdgeKind, readonly string[]>>;

export const NO_NEEDS: RouteNeeds = { certificates: [], rules: [], targetGroups: [], listeners: [] };

/**
 * Each route's needs, keyed by `namespace/name`; a route that needs nothing
 * (no claim, no apex, certificates not on listeners, refused on the data
 * plane) has NO_NEEDS.
 *
 * Certificates count only when they go on the members' listeners
 * (certificatesInAcm; on the Gateway API data plane with the AWS Load
 * Balancer Controller that is its ALB's HTTPS listener): the key is the
 * route's wildcard as the certificate controller computes it
 * (desired-certificates.ts), so a wildcard two routes share takes one slot of
 * a member they share. With cert-manager alone the certificate is a Secret
 * the gateway serves, nothing on the ALB.
 *
 * On the Istio data plane (gateway.provider istio) that is all: each member's
 * ALB forwards everything to the Istio ingress gateway through the rule and
 * target group set up with the load balancer, the per-host routing happens in
 * Istio (Gateway/VirtualService), and there is no Gateway API listener.
 *
 * On the Gateway API data plane every member is a Gateway, which holds one
 * listener per route placed on it (keyed by the domain, its listener's
 * hostname). With the AWS Load Balancer Controller each member Gateway IS an
 * ALB, and each HTTPRoute rule becomes a listener rule and each backend a
 * target group there: rules and target groups count (gatewayApiNeeds below).
 * A route the data plane refuses (gatewayApiRefusal: protected where nothing
 * can protect it) is served nowhere, so it needs nothing.
 */
export function routeNeeds(routes: readonly DomainRoute[], claims: readonly DomainClaim[], config: PlatformConfig): Map<string, RouteNeeds> {
  const needs = new Map<string, RouteNeeds>();
  const listeners = certificatesInAcm(config);
  // listeners: false — only the wildcard is wanted here, not the class's listenerArn (a pool's members each have their own).
  const certificates = listeners ? desiredCertificates(routes, claims, config, { listeners: false }).routes : new Map();
  const claimOwner = new Map(claims.map((claim) => [claim.metadata.name ?? "", claim.spec.owner.uid]));
  for (const route of routes) {
    const routeRef = `${route.metadata.namespace}/${route.metadata.name}`;
    const need = certificates.get(routeRef);
    const own: RouteNeeds = need?.kind === "uses" ? { ...NO_NEEDS, certificates: [need.wildcard] } : NO_NEEDS;
    const claimed = route.metadata.uid !== undefined && claimOwner.get(route.spec.domain.toLowerCase()) === route.metadata.uid;
    needs.set(routeRef, config.gateway.provider === "gateway-api" && claimed ? gatewayApiNeeds(route, own, config) : own);
  }
  return needs;
}

/** A claimed route's needs on the Gateway API data plane, `own` being its certificate need. */
function gatewayApiNeeds(route: DomainRoute, own: RouteNeeds, config: PlatformConfig): RouteNeeds {
  if (gatewayApiRefusal(route, config) !== undefined) return NO_NEEDS;
  const withListener = { ...own, listeners: [route.spec.domain.toLowerCase()] };
  if (config.gateway.gatewayApi?.implementation !== "aws-load-balancer-controller") return withListener;
  const routeRef = `${route.metadata.namespace}/${route.metadata.name}`;
  // hostgate's HTTPRoute of a Managed route has one rule; an External route's own HTTPRoute is the team's: counted as one rule too.
  return { ...withListener, rules: [`${routeRef}/rule-1`], targetGroups: backendKeys(route) };
}

/**
 * The target groups a Managed route's HTTPRoute forwards to: its backend as
 * `<namespace>/<service>:<port>`, so routes sharing a backend on one member
 * count its target group once. An external backend is the selectorless
 * Service standing for it (externalServiceNameFor) in the route's namespace.
 * An External route names no backend hostgate knows of: none.
 */
function backendKeys(route: DomainRoute): string[] {
  if ((route.spec.routing?.mode ?? "Managed") !== "Managed") return [];
  const namespace = route.metadata.namespace ?? "";
  const { service, external } = route.spec.backend ?? {};
  if (service !== undefined) return [`${service.namespace ?? namespace}/${service.name}:${service.port}`];
  if (external !== undefined) return [`${namespace}/${externalServiceNameFor(route.spec.domain)}:${external.port}`];
  return [];
}
