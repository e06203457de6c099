// The appId table's decisions without its objects, for Envoy Gateway: there
// no EnvoyFilter stamps the identity header (the route's SecurityPolicy
// hands its effective appId to the auth server, security-policy.ts), yet
// which appId is in effect for each protected route is still the table's to
// decide (an appId two routes claim is given to none, a route that does not
// hold its domain's claim gets none, an unknown provider is reported). This
// pass decides and publishes those outcomes for the route controller
// (ProtectionReady, the SecurityPolicy's appId) and writes nothing: nothing
// of Istio is read or written (its CRDs may not be installed).
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { isKnownProvider } from "../domainroute/known-provider.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES } from "../resources.ts";
import type { AppIdOutcomes } from "./app-id-outcomes.ts";
import { computeAppIdTable } from "./app-id-table.ts";
import { outcomesOf } from "./reconcile-app-id-table.ts";

/** Publishes each protected route's appId outcome; returns the routes (`namespace/name`) whose outcome changed, sorted. */
export function publishAppIdOutcomes(deps: { reader: ObjectReader; config: PlatformConfig; outcomes: AppIdOutcomes }): string[] {
  const routes = deps.reader.list(DOMAIN_ROUTES) as unknown as DomainRoute[];
  const claims = deps.reader.list(DOMAIN_CLAIMS) as unknown as DomainClaim[];
  const table = computeAppIdTable({ routes, claims, knownProvider: (provider) => isKnownProvider(deps.config, provider) });
  return deps.outcomes.publish(outcomesOf(routes, table.routeStates, []));
}
