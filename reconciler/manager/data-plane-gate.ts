// The mode switch gate: what serves a route is recorded in its status.edge
// when it is placed: dataPlane (absent on routes placed before there was a
// choice: Istio) and, on the Gateway API data plane, implementation and
// gatewayClassName (absent on routes placed before those were recorded: only
// what is recorded is compared). Changing any of them under served routes
// would leave them served by what the old setting wrote, or by the new one
// before each route's login is rewritten for it (a pooled Gateway handed to
// another implementation keeps its listeners and HTTPRoutes, and the old
// implementation's login, which the new one ignores), so the reconciler
// starts nothing while any route's record differs from the config; the
// manager calls this at start. Pure: no I/O, so the rule is tested as a table.
import { gatewayClassNameFor } from "../../core/config/gateway-class.ts";
import type { GatewayProvider, LoadBalancerName, PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute, EdgeStatus } from "../../crds/types.ts";
import { CONDITION_EDGE_PLACED } from "../../crds/types.ts";
import { ROUTE_FINALIZER } from "../domainroute/plan-route.ts";

/** Routes named in the message; the rest are counted. */
const LISTED = 10;

type Served = Pick<EdgeStatus, "implementation" | "gatewayClassName"> & { dataPlane: GatewayProvider };

/**
 * What serves a route; undefined for one nothing serves (not placed yet). A
 * route with no status.edge was served by Istio when a hostgate from before
 * status.edge reconciled it: it has no EdgePlaced condition (written with
 * status.edge by every later one, placed or not) and carries status.gateway or
 * the cleanup finalizer. A later hostgate's route that is not placed has the
 * finalizer and EdgePlaced, and nothing serves it.
 */
function servedBy(route: DomainRoute): Served | undefined {
  const edge = route.status?.edge;
  if (edge !== undefined) {
    return {
      dataPlane: edge.dataPlane ?? "istio",
      ...(edge.implementation === undefined ? {} : { implementation: edge.implementation }),
      ...(edge.gatewayClassName === undefined ? {} : { gatewayClassName: edge.gatewayClassName }),
    };
  }
  const placedByLaterHostgate = route.status?.conditions?.some((c) => c.type === CONDITION_EDGE_PLACED) ?? false;
  const servedBefore = route.status?.gateway !== undefined || (route.metadata.finalizers?.includes(ROUTE_FINALIZER) ?? false);
  return !placedByLaterHostgate && servedBefore ? { dataPlane: "istio" } : undefined;
}

/**
 * Why the reconciler must not start with `config`: the routes served by
 * another data plane than gateway.provider, or (gateway-api) by another
 * implementation or GatewayClass than gateway.gatewayApi's, and how to
 * migrate them; or undefined when every served route matches the config.
 */
export function dataPlaneMismatch(routes: readonly DomainRoute[], config: Pick<PlatformConfig, "gateway">): string | undefined {
  const provider = config.gateway.provider;
  const served = routes.flatMap((route) => {
    const by = servedBy(route);
    const lbClass = (route.status?.edge?.loadBalancer ?? route.spec.lb) as LoadBalancerName;
    return by === undefined ? [] : [{ ref: `${route.metadata.namespace ?? ""}/${route.metadata.name ?? ""}`, by, lbClass }];
  });
  const otherDataPlane = served.filter((s) => s.by.dataPlane !== provider).map((s) => s.ref);
  if (otherDataPlane.length > 0) return dataPlaneMessage(provider, otherDataPlane);
  const gatewayApi = config.gateway.gatewayApi;
  if (provider !== "gateway-api" || gatewayApi === undefined) return undefined;
  const implementation = served.filter((s) => s.by.implementation !== undefined && s.by.implementation !== gatewayApi.implementation);
  if (implementation.length > 0) {
    return settingMessage(
      "gateway.gatewayApi.implementation",
      gatewayApi.implementation,
      "status.edge.implementation",
      implementation.map((s) => ({ ref: s.ref, was: s.by.implementation! })),
    );
  }
  // Each route against its own class's GatewayClass (gatewayApi.gatewayClassNames, else gatewayClassName).
  const className = served.filter((s) => s.by.gatewayClassName !== undefined && s.by.gatewayClassName !== gatewayClassNameFor(config, s.lbClass));
  if (className.length > 0) {
    const lbClass = className[0]!.lbClass;
    return settingMessage(
      gatewayApi.gatewayClassNames?.[lbClass] === undefined ? "gateway.gatewayApi.gatewayClassName" : `gateway.gatewayApi.gatewayClassNames.${lbClass}`,
      gatewayClassNameFor(config, lbClass)!,
      "status.edge.gatewayClassName",
      className.map((s) => ({ ref: s.ref, was: s.by.gatewayClassName! })),
    );
  }
  return undefined;
}

/** `a, b, … and N more` of the sorted refs, and `1 DomainRoute is` / `N DomainRoutes are`. */
function listing(refs: readonly string[]): { listed: string; count: string } {
  const names = [...refs].sort();
  const listed = names.slice(0, LISTED).join(", ") + (names.length > LISTED ? ` and ${names.length - LISTED} more` : "");
  return { listed, count: names.length === 1 ? "1 DomainRoute is" : `${names.length} DomainRoutes are` };
}

function dataPlaneMessage(provider: GatewayProvider, refs: readonly string[]): string {
  const other: GatewayProvider = provider === "istio" ? "gateway-api" : "istio";
  const { listed, count } = listing(refs);
  return (
    `gateway.provider is ${provider}, but ${count} served by the ${other} data plane (status.edge.dataPlane): ${listed}. ` +
    `Switching the data plane under served routes is refused, so no controller started: the ${other} objects would keep serving them beside the ${provider} ones. ` +
    `To go on as before, set gateway.provider back to ${other}. To migrate, with gateway.provider ${other} still configured, delete those DomainRoutes ` +
    `(hostgate removes what it wrote for them), then set gateway.provider to ${provider} and create them again.`
  );
}

/** A gateway.gatewayApi setting changed under the routes in `served` (each with the value recorded when it was placed). */
function settingMessage(setting: string, configured: string, field: string, served: readonly { ref: string; was: string }[]): string {
  const { listed, count } = listing(served.map((s) => s.ref));
  const before = [...new Set(served.map((s) => s.was))].sort();
  return (
    `${setting} is ${configured}, but ${count} served with ${before.join(", ")} (${field}): ${listed}. ` +
    `Changing it under served routes is refused, so no controller started: the pooled Gateways would pass to the new setting's implementation with their ` +
    `listeners and HTTPRoutes before each protected route's login is rewritten for it, serving those routes without it. ` +
    `To go on as before, set ${setting} back to ${before.join(" or ")}. To migrate, with that still configured, delete those DomainRoutes ` +
    `(hostgate removes what it wrote for them), then change ${setting} and create them again.`
  );
}
