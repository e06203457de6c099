// The appId-table controller's one reconcile (one queue key for the whole
// cluster): list every DomainRoute and DomainClaim, recompute the host → appId
// table, write the EnvoyFilter and its audit ConfigMap only when their content
// differs from what the cluster holds (a hand edit or deletion is reverted on
// the next pass), then publish each protected route's outcome (published, or
// why not) to the shared view the route controller reads (app-id-outcomes.ts).
// It never writes a DomainRoute: the route controller alone writes route
// status. Bursts of changes reach this through a debounced queue key, so
// many route changes cost one EnvoyFilter write (each write re-pushes the
// gateways' listeners).
import type { Logger } from "../../core/logger.ts";
import type { ObjectApi } from "../../core/kube/object-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { applyObject } from "../apply/apply-object.ts";
import { isKnownProvider } from "../domainroute/known-provider.ts";
import { CONFIG_MAPS, DOMAIN_CLAIMS, DOMAIN_ROUTES, ENVOY_FILTERS } from "../resources.ts";
import type { AppIdOutcome, AppIdOutcomes } from "./app-id-outcomes.ts";
import { computeAppIdTable } from "./app-id-table.ts";
import type { RouteAppIdState } from "./app-id-table.ts";
import { APP_ID_TABLE_CONFIG_MAP_NAME, APP_ID_TABLE_ENVOY_FILTER_NAME, appIdTableObjectProblems, renderAppIdTableObjects } from "./app-id-table-objects.ts";
import { planAppIdTableWrites } from "./plan-app-id-table-writes.ts";

/** The single queue key: every change anywhere recomputes the whole table. */
export const APP_ID_TABLE_KEY = "app-id-table";

export interface AppIdTableReconcilerDeps {
  api: ObjectApi;
  reader: ObjectReader;
  config: PlatformConfig;
  logger: Logger;
  /** Where each route's outcome is published for the route controller. */
  outcomes: AppIdOutcomes;
}

export interface AppIdTableReconcileOutcome {
  /** Objects written (0 when nothing changed). */
  writes: number;
  /** The routes (`namespace/name`) whose outcome changed, sorted: the route controller reconciles them. */
  changed: string[];
}

export async function reconcileAppIdTable(deps: AppIdTableReconcilerDeps): Promise<AppIdTableReconcileOutcome> {
  const routes = deps.reader.list(DOMAIN_ROUTES) as unknown as DomainRoute[];
  const claims = deps.reader.list(DOMAIN_CLAIMS) as unknown as DomainClaim[];
  const table = computeAppIdTable({ routes, claims, knownProvider: (provider) => isKnownProvider(deps.config, provider) });
  const { namespace, selector } = deps.config.gateway;
  const desired = renderAppIdTableObjects(table, { namespace, selector, identityHeader: deps.config.protection.identityHeader });
  const tooLarge = appIdTableObjectProblems(desired);
  let writes = 0;
  if (tooLarge.length > 0) {
    // Nothing half-written: the last table stays in force, and every route learns why it is not updated.
    deps.logger.error({ problems: tooLarge }, "the appId table is too large to write; the previous table stays in force");
  } else {
    const current = {
      envoyFilter: deps.reader.get(ENVOY_FILTERS, { namespace, name: APP_ID_TABLE_ENVOY_FILTER_NAME }),
      configMap: deps.reader.get(CONFIG_MAPS, { namespace, name: APP_ID_TABLE_CONFIG_MAP_NAME }),
    };
    for (const object of planAppIdTableWrites(current, desired)) {
      await write(deps, object, object.kind === "EnvoyFilter" ? current.envoyFilter : current.configMap);
      writes++;
    }
    if (writes > 0) deps.logger.info({ entries: table.entries.length, conflicts: table.conflicts.length, writes }, "appId table written");
  }
  // Published only once the objects are written: a route shows Published only for what the gateway has.
  const changed = deps.outcomes.publish(outcomesOf(routes, table.routeStates, tooLarge));
  return { writes, changed };
}

/** Each protected route's outcome, keyed by routeRef; the table's problems first, except a provider's (the route is served nothing anyway). */
export function outcomesOf(
  routes: readonly DomainRoute[],
  states: ReadonlyMap<string, RouteAppIdState>,
  tooLarge: readonly string[],
): Map<string, AppIdOutcome> {
  const outcomes = new Map<string, AppIdOutcome>();
  for (const route of routes) {
    const routeRef = `${route.metadata.namespace}/${route.metadata.name}`;
    const state = states.get(routeRef);
    if (state === undefined) continue;
    const seen = { uid: route.metadata.uid ?? "", appId: route.spec.protection?.appId ?? "" };
    if (state.kind === "unknownProvider") outcomes.set(routeRef, { kind: "unknownProvider", ...seen, provider: state.provider });
    else if (tooLarge.length > 0) outcomes.set(routeRef, { kind: "tableTooLarge", ...seen, problems: tooLarge });
    else if (state.kind === "conflict") outcomes.set(routeRef, { kind: "conflict", ...seen, others: state.others });
    else outcomes.set(routeRef, { kind: state.kind, ...seen });
  }
  return outcomes;
}

/**
 * These objects are hostgate's alone (the gateway namespace is written only by
 * the platform and hostgate): created when the cache lacks them, applied over
 * otherwise, also when the create finds one at the name that the cache missed
 * (its managed-by label removed), label included (apply/apply-object.ts).
 */
async function write(deps: AppIdTableReconcilerDeps, desired: KubeObject, current: KubeObject | undefined): Promise<void> {
  await applyObject(deps.api, desired.kind === "EnvoyFilter" ? ENVOY_FILTERS : CONFIG_MAPS, desired, current);
}
