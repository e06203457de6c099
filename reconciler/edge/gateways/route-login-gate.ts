// What the pool Gateways controller asks before it gives a route a listener,
// besides gatewayApiRefusal: a listener admits the team's own HTTPRoutes
// (allowedRoutes: the route's namespace), so it must never exist without the
// route's login, which another controller (the route controller) writes:
//
//   - routeControllerRefusal: the route's status says the route controller
//     refused it (GatewayReady False with one of its refusal reasons, for the
//     current generation). It pruned, or is pruning, what serves the route, the
//     login included, so the listener goes, for every route, protected or not.
//   - loginInPlace: a protected route's login object (Envoy Gateway's
//     SecurityPolicy, Istio's AuthorizationPolicy) is in the cache, in the
//     gateway namespace, the route's own (its uid label AND written by hostgate:
//     apply/ownership.ts) and on the member's Gateway. So on creation the
//     listener comes after the login; and the route controller keeps the login
//     until the listener is gone (plan-route.ts), so on deletion or a refusal it
//     goes after the listener.
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { DomainRoute } from "../../../crds/types.ts";
import { CONDITION_GATEWAY_READY } from "../../../crds/types.ts";
import { ownedByRoute } from "../../apply/ownership.ts";
import type { ObjectReader } from "../../cluster/object-reader.ts";
import { REASON_INVALID_SPEC, REASON_PROTECTION_UNSUPPORTED } from "../../domainroute/render/gateway-api/data-plane-refusal.ts";
import { KIND_GATEWAY } from "../../domainroute/render/gateway-api/kinds.ts";
import { loginResourceFor } from "../../domainroute/render/gateway-api/route-login.ts";
import { routeSelector } from "../../domainroute/render/metadata.ts";
import { REASON } from "../../domainroute/route-conditions.ts";

/** The reasons the route controller gives GatewayReady when it serves nothing for a route it holds the claim of (plan-route.ts). */
export const ROUTE_REFUSAL_REASONS: ReadonlySet<string> = new Set([
  REASON.UnknownProvider,
  REASON.BackendRejected,
  REASON.ObjectNotOwned,
  REASON.ObjectOwnedByAnotherRoute,
  REASON_PROTECTION_UNSUPPORTED,
  REASON_INVALID_SPEC,
]);

/** Why the route controller refused the route, as its status says for the route's current generation; undefined when it did not. */
export function routeControllerRefusal(route: DomainRoute): { reason: string; message: string } | undefined {
  const condition = route.status?.conditions?.find((c) => c.type === CONDITION_GATEWAY_READY);
  if (condition === undefined || condition.status !== "False" || !ROUTE_REFUSAL_REASONS.has(condition.reason)) return undefined;
  // A refusal of an earlier spec says nothing of this one: the route controller looks again and writes its own.
  if (condition.observedGeneration !== route.metadata.generation) return undefined;
  return { reason: condition.reason, message: `the route controller serves nothing for the route: ${condition.message}` };
}

/**
 * True when the route needs no login (unprotected), or its login is in the
 * cache on `member`'s Gateway. An implementation without a login kind has
 * nothing that could protect it: false (gatewayApiRefusal refuses it first).
 */
export function loginInPlace(reader: ObjectReader, config: PlatformConfig, route: DomainRoute, member: string): boolean {
  const uid = route.metadata.uid;
  if (route.spec.protection === undefined) return true;
  const implementation = config.gateway.gatewayApi?.implementation;
  const resource = implementation === undefined ? undefined : loginResourceFor(implementation);
  if (uid === undefined || resource === undefined) return false;
  return reader
    .list({ ...resource, namespace: config.gateway.namespace, labelSelector: routeSelector(uid) })
    .some((login) => ownedByRoute(login, uid) && targetsGateway(login, member));
}

/** True when the login object's spec.targetRefs name the member's Gateway (both kinds target it: security-policy.ts, authorization-policy). */
function targetsGateway(login: KubeObject, member: string): boolean {
  const refs = (login.spec as { targetRefs?: unknown } | undefined)?.targetRefs;
  return Array.isArray(refs) && refs.some((ref) => (ref as { kind?: unknown; name?: unknown } | null)?.kind === KIND_GATEWAY && ref.name === member);
}
