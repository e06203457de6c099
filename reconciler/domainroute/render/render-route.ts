// Everything the reconciler applies for one DomainRoute: its DomainClaim and
// the objects that serve, route and protect its domain on the configured data
// plane (gateway.provider): the Istio objects, or with gateway-api the Gateway
// API objects for the pool member the route is placed on (its listener is on
// that member's Gateway, which the pool Gateways controller keeps). Pure: the
// same route and config always give the same objects, in apply order, so
// applying them again changes nothing.
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { DomainRoute, RegionPolicy } from "../../../crds/types.ts";
import { renderDnsEndpoints } from "../../dns/external-dns/render-dns-endpoint.ts";
import { placedMember } from "../../edge/placed-member.ts";
import { protectionProblems, renderAuthorizationPolicy } from "./authorization-policy.ts";
import { renderClaim } from "./claim.ts";
import { renderDestinationRule, renderServiceEntry, externalHostFor } from "./external-backend.ts";
import { renderGateway } from "./gateway.ts";
import { gatewayApiRefusal } from "./gateway-api/data-plane-refusal.ts";
import { gatewayApiApplyRank } from "./gateway-api/kinds.ts";
import { renderGatewayApiObjects } from "./gateway-api/render-gateway-api-route.ts";
import { KIND_ORDER } from "./produced-resources.ts";
import { routeRefProblems } from "./route-ref-problems.ts";
import { planRouting } from "./routing-plan.ts";
import { renderVirtualService } from "./virtual-service.ts";

export interface RenderedRoute {
  /**
   * Applied before anything else: whoever holds the claim may serve the
   * domain. Always built, but when `problems` says the route's reference (name, namespace, uid) or
   * domain is missing it is not a valid claim and must not be applied.
   */
  claim: KubeObject;
  /**
   * The data plane's objects (and external-dns's DNSEndpoints, one per region
   * published in) in apply order: KIND_ORDER for Istio's, GATEWAY_API_KIND_ORDER
   * then the DNSEndpoints on the Gateway API.
   */
  objects: KubeObject[];
  /**
   * What keeps part of the route from being rendered, each saying which
   * field and how to fix it; empty when everything was. The objects of that
   * part are left out, never rendered half-valid.
   */
  problems: string[];
}

/**
 * @param regionPolicy the RegionPolicy of the route's namespace, when there is
 *   one: with external-dns on a platform with regions it decides which
 *   regions' DNSEndpoints the route gets (dns/region-placement.ts).
 * @param appId the route's effective appId (protection-condition.ts; none
 *   while its appId is given to no route): on Envoy Gateway its SecurityPolicy
 *   hands it to the auth server. The Istio data plane stamps it from the
 *   identity table instead, so there it is unused.
 */
export function renderRoute(route: DomainRoute, config: PlatformConfig, regionPolicy?: RegionPolicy, appId?: string): RenderedRoute {
  const refProblems = routeRefProblems(route);
  if (refProblems.length > 0) return { claim: renderClaim(route), objects: [], problems: refProblems };

  const claim = renderClaim(route);
  const protection = route.spec.protection;
  if (protection !== undefined) {
    const problems = protectionProblems(protection);
    // Fail closed: without its login the domain is not served at all. No
    // Gateway means neither hostgate's VirtualService nor a team's own one
    // receives its traffic.
    if (problems.length > 0) return { claim, objects: [], problems };
  }

  if (config.gateway.provider === "gateway-api") return { claim, ...renderOnGatewayApi(route, config, regionPolicy, appId) };

  const objects: KubeObject[] = [renderGateway(route, config)];
  if (protection !== undefined) objects.push(renderAuthorizationPolicy(route, config, protection));

  const plan = planRouting(route);
  const problems: string[] = [];
  switch (plan.kind) {
    case "team-routed":
      break;
    case "unroutable":
      // The Gateway (and its login) stay: the domain answers 404 until fixed.
      problems.push(...plan.problems);
      break;
    case "service":
      objects.push(renderVirtualService(route, config, { host: plan.host, port: plan.port }));
      break;
    case "external":
      objects.push(renderServiceEntry(route, config, plan));
      if (plan.protocol === "HTTPS") objects.push(renderDestinationRule(route, config));
      objects.push(renderVirtualService(route, config, { host: externalHostFor(route), port: plan.port }));
      break;
  }
  // dns.provider external-dns: the record as DNSEndpoints (one per region this
  // cluster publishes the route in, by its placement), whenever a Gateway serves the domain.
  objects.push(...renderDnsEndpoints(route, config, regionPolicy));
  return { claim, objects: inApplyOrder(objects), problems };
}

/**
 * gateway.provider gateway-api: the route's objects for the member it is
 * placed on, then its DNSEndpoints. Not placed yet (or refused by the data
 * plane): nothing that serves, so nothing points at a Gateway the route has no
 * listener on, and no record is published (DNSReady WaitingForPlacement).
 */
function renderOnGatewayApi(
  route: DomainRoute,
  config: PlatformConfig,
  regionPolicy?: RegionPolicy,
  appId?: string,
): { objects: KubeObject[]; problems: string[] } {
  // Never served unprotected: the route controller refuses such a route before rendering; a render on its own says why.
  const refusal = gatewayApiRefusal(route, config);
  if (refusal !== undefined) return { objects: [], problems: [refusal.message] };
  const member = placedMember(route, config);
  if (member === undefined) return { objects: [], problems: [] };
  const rendered = renderGatewayApiObjects(route, config, member, appId);
  // Array.prototype.sort is stable: objects of one kind keep the renderer's order.
  const objects = [...rendered.objects].sort((a, b) => gatewayApiApplyRank(a) - gatewayApiApplyRank(b));
  return { objects: [...objects, ...renderDnsEndpoints(route, config, regionPolicy)], problems: [...rendered.problems] };
}

function inApplyOrder(objects: KubeObject[]): KubeObject[] {
  const rank = (object: KubeObject) => (KIND_ORDER as readonly (string | undefined)[]).indexOf(object.kind);
  // Array.prototype.sort is stable: objects of one kind (a route's DNSEndpoints,
  // one per region) keep the order they were rendered in (regions by name).
  return [...objects].sort((a, b) => rank(a) - rank(b));
}
