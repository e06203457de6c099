// The mode switch gate: which data plane serves a route is recorded in its
// status.edge.dataPlane when it is placed (absent on routes placed before
// there was a choice: Istio). Changing gateway.provider under served routes
// would leave the old data plane's objects serving them beside (or instead
// of) the new one's, so the reconciler starts nothing while any route's data
// plane differs from the configured one; the manager calls this at start.
// Pure: no I/O, so the rule is tested as a table.
import type { GatewayProvider, PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";

/** Routes named in the message; the rest are counted. */
const LISTED = 10;

/** The data plane a placed route is served by; undefined for a route not placed yet (nothing serves it). */
function dataPlaneOf(route: DomainRoute): GatewayProvider | undefined {
  const edge = route.status?.edge;
  return edge === undefined ? undefined : (edge.dataPlane ?? "istio");
}

/**
 * Why the reconciler must not start with `config`: the routes served by
 * another data plane than gateway.provider, and how to migrate them; or
 * undefined when every placed route is served by the configured one.
 */
export function dataPlaneMismatch(routes: readonly DomainRoute[], config: Pick<PlatformConfig, "gateway">): string | undefined {
  const provider = config.gateway.provider;
  const other: GatewayProvider = provider === "istio" ? "gateway-api" : "istio";
  const names = routes
    .filter((route) => {
      const dataPlane = dataPlaneOf(route);
      return dataPlane !== undefined && dataPlane !== provider;
    })
    .map((route) => `${route.metadata.namespace ?? ""}/${route.metadata.name ?? ""}`)
    .sort();
  if (names.length === 0) return undefined;
  const listed = names.slice(0, LISTED).join(", ") + (names.length > LISTED ? ` and ${names.length - LISTED} more` : "");
  const count = names.length === 1 ? "1 DomainRoute is" : `${names.length} DomainRoutes are`;
  return (
    `gateway.provider is ${provider}, but ${count} served by the ${other} data plane (status.edge.dataPlane): ${listed}. ` +
    `Switching the data plane under served routes is refused, so no controller started: the ${other} objects would keep serving them beside the ${provider} ones. ` +
    `To go on as before, set gateway.provider back to ${other}. To migrate, with gateway.provider ${other} still configured, delete those DomainRoutes ` +
    `(hostgate removes what it wrote for them), then set gateway.provider to ${provider} and create them again.`
  );
}
