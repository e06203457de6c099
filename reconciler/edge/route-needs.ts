// What each route needs on the pool member it is placed on, all routes at
// once (pure): the keys it adds to each of the member's limited kinds. A kind
// is a set of keys, so whatever routes share (a wildcard certificate) counts
// once per member, and whatever is a route's own (a listener rule) is keyed
// by the route. The placement planner (plan-placement.ts) is generic over the
// three kinds, so each limit is tested with synthetic needs.
import { certificatesInAcm } from "../../core/config/acm-settings.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import { desiredCertificates } from "../certificates/desired-certificates.ts";

/** The limited kinds of a load balancer, as EdgeCapacity names them. */
export const EDGE_KINDS = ["certificates", "rules", "targetGroups"] as const;
export type EdgeKind = (typeof EDGE_KINDS)[number];

/** How a kind reads in messages (`certificates 25/25`). */
export const EDGE_KIND_LABEL: Readonly<Record<EdgeKind, string>> = { certificates: "certificates", rules: "rules", targetGroups: "target groups" };

/** Per kind, the keys a route holds on its member (sorted, each once). */
export type RouteNeeds = Readonly<Record<EdgeKind, readonly string[]>>;

export const NO_NEEDS: RouteNeeds = { certificates: [], rules: [], targetGroups: [] };

/**
 * Each route's needs, keyed by `namespace/name`; a route that needs nothing
 * (no claim, no apex, certificates not on listeners) has NO_NEEDS.
 *
 * Certificates count only when they go on the members' listeners
 * (certificatesInAcm): the key is the route's wildcard as the certificate
 * controller computes it (desired-certificates.ts), so a wildcard two routes
 * share takes one slot of a member they share. With cert-manager alone the
 * certificate is a Secret the Istio gateway serves, nothing on the ALB.
 *
 * Rules and target groups are 0 on the Istio data plane: each member's ALB
 * forwards everything to the Istio ingress gateway through the rule and target
 * group set up with the load balancer, and the per-host routing happens in
 * Istio (Gateway/VirtualService), so a route adds no listener rule and no
 * target group to its member.
 */
export function routeNeeds(routes: readonly DomainRoute[], claims: readonly DomainClaim[], config: PlatformConfig): Map<string, RouteNeeds> {
  const needs = new Map<string, RouteNeeds>();
  const listeners = certificatesInAcm(config);
  // listeners: false — only the wildcard is wanted here, not the class's listenerArn (a pool's members each have their own).
  const certificates = listeners ? desiredCertificates(routes, claims, config, { listeners: false }).routes : new Map();
  for (const route of routes) {
    const routeRef = `${route.metadata.namespace}/${route.metadata.name}`;
    const need = certificates.get(routeRef);
    needs.set(routeRef, need?.kind === "uses" ? { ...NO_NEEDS, certificates: [need.wildcard] } : NO_NEEDS);
  }
  return needs;
}
