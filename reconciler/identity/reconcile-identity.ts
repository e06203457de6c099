// The identity-table controller's one reconcile (one queue key for the whole
// cluster): list every DomainRoute and DomainClaim, recompute the host → appId
// table, write the EnvoyFilter and its audit ConfigMap only when their content
// differs from what the cluster holds (a hand edit or deletion is reverted on
// the next pass), then tell each protected route whether its appId is
// published. Bursts of changes reach this through a debounced queue key, so
// many route changes cost one EnvoyFilter write (each write re-pushes the
// gateways' listeners). A status write that fails for any reason but the
// route changing or going away fails the whole pass (after the other routes
// are written), so the controller retries it with backoff.
import type { Clock } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { ObjectApi } from "../../core/kube/object-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import { CONDITION_PROTECTION_READY } from "../../crds/types.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { isKnownProvider, unknownProviderProblem } from "../domainroute/known-provider.ts";
import { CONFIG_MAPS, DOMAIN_CLAIMS, DOMAIN_ROUTES, ENVOY_FILTERS } from "../resources.ts";
import type { ConditionInput } from "../status/conditions.ts";
import { sameConditions, setConditions } from "../status/conditions.ts";
import { computeIdentityTable } from "./identity-table.ts";
import type { RouteIdentityState } from "./identity-table.ts";
import { IDENTITY_CONFIG_MAP_NAME, IDENTITY_ENVOY_FILTER_NAME, identityObjectProblems, renderIdentityObjects } from "./identity-objects.ts";
import { planIdentityWrites } from "./plan-identity-writes.ts";

/** The single queue key: every change anywhere recomputes the whole table. */
export const IDENTITY_KEY = "identity-table";

export const PROTECTION_REASON = {
  Published: "Published",
  AppIDConflict: "AppIDConflict",
  NotClaimed: "NotClaimed",
  TableTooLarge: "IdentityTableTooLarge",
  /** The same reason the route controller gives Ready (reconciler/domainroute/known-provider.ts). */
  UnknownProvider: "UnknownProvider",
} as const;

export interface IdentityReconcilerDeps {
  api: ObjectApi;
  reader: ObjectReader;
  config: PlatformConfig;
  clock: Clock;
  logger: Logger;
}

export interface IdentityReconcileOutcome {
  /** Objects written (0 when nothing changed). */
  writes: number;
  statusWrites: number;
}

export async function reconcileIdentity(deps: IdentityReconcilerDeps): Promise<IdentityReconcileOutcome> {
  const routes = deps.reader.list(DOMAIN_ROUTES) as unknown as DomainRoute[];
  const claims = deps.reader.list(DOMAIN_CLAIMS) as unknown as DomainClaim[];
  const table = computeIdentityTable({ routes, claims, knownProvider: (provider) => isKnownProvider(deps.config, provider) });
  const { namespace, selector } = deps.config.gateway;
  const desired = renderIdentityObjects(table, { namespace, selector, identityHeader: deps.config.protection.identityHeader });
  const tooLarge = identityObjectProblems(desired);
  let writes = 0;
  if (tooLarge.length > 0) {
    // Nothing half-written: the last table stays in force, and every route learns why it is not updated.
    deps.logger.error({ problems: tooLarge }, "the identity table is too large to write; the previous table stays in force");
  } else {
    const current = {
      envoyFilter: deps.reader.get(ENVOY_FILTERS, { namespace, name: IDENTITY_ENVOY_FILTER_NAME }),
      configMap: deps.reader.get(CONFIG_MAPS, { namespace, name: IDENTITY_CONFIG_MAP_NAME }),
    };
    for (const object of planIdentityWrites(current, desired)) {
      await write(deps, object, object.kind === "EnvoyFilter" ? current.envoyFilter : current.configMap);
      writes++;
    }
    if (writes > 0) deps.logger.info({ entries: table.entries.length, conflicts: table.conflicts.length, writes }, "identity table written");
  }
  let statusWrites = 0;
  const failed: string[] = [];
  for (const route of routes) {
    if (route.spec.protection === undefined || route.metadata.deletionTimestamp !== undefined) continue;
    const key = `${route.metadata.namespace}/${route.metadata.name}`;
    const state = table.routeStates.get(key);
    const condition = protectionCondition(state, route, tooLarge, deps.config);
    if (condition === undefined) continue;
    const conditions = setConditions(route.status?.conditions, [condition], route.metadata.generation, new Date(deps.clock.now()));
    const effectiveAppId = effectiveAppIdFor(state, condition, route.status?.effectiveAppId);
    if (sameConditions(route.status?.conditions, conditions) && effectiveAppId === route.status?.effectiveAppId) continue;
    const status = { ...route.status, conditions, effectiveAppId };
    if (effectiveAppId === undefined) delete status.effectiveAppId;
    try {
      await deps.api.updateStatus(DOMAIN_ROUTES, { ...route, status } as unknown as KubeObject);
      statusWrites++;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (settledByItsOwnEvent(error)) {
        deps.logger.debug({ route: key, error: message }, "ProtectionReady not written: the route changed or went away meanwhile; that event brings the next pass");
        continue;
      }
      // The other routes still get their condition; the pass fails at the end, so the controller retries it with backoff.
      failed.push(`${key}: ${message}`);
    }
  }
  if (failed.length > 0) throw new Error(`could not write ProtectionReady on ${failed.length} route(s): ${namedFailures(failed)}`);
  return { writes, statusWrites };
}

/**
 * A 409 (the route changed since the cache saw it) or a 404 (it was deleted)
 * means an event for that route is on its way to the informer, and every
 * route event queues the next pass: retrying now would only write from the
 * same stale copy. Anything else (a 500, a timeout, a refusal) has no event
 * coming and must be retried.
 */
function settledByItsOwnEvent(error: unknown): boolean {
  return error instanceof KubeApiError && (error.status === 409 || error.status === 404);
}

/** How many failed routes the error names; a log line has no room for thousands. */
const MAX_NAMED_FAILURES = 5;

function namedFailures(failed: readonly string[]): string {
  const named = failed.slice(0, MAX_NAMED_FAILURES).join("; ");
  return failed.length > MAX_NAMED_FAILURES ? `${named}; and ${failed.length - MAX_NAMED_FAILURES} more` : named;
}

/** A full replace: these objects are hostgate's alone, and a replace also reverts keys someone added to them. */
async function write(deps: IdentityReconcilerDeps, desired: KubeObject, current: KubeObject | undefined): Promise<void> {
  const resource = desired.kind === "EnvoyFilter" ? ENVOY_FILTERS : CONFIG_MAPS;
  if (current === undefined) {
    try {
      await deps.api.create(resource, desired);
      return;
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
      // It exists, but not in the cache: someone removed the managed-by label
      // the cache selects on (or the cache is a moment behind). Replace it,
      // label included, from what the server holds.
      current = await deps.api.get(resource, { namespace: desired.metadata!.namespace!, name: desired.metadata!.name! });
      if (current === undefined) throw error;
    }
  }
  await deps.api.update(resource, { ...desired, metadata: { ...desired.metadata, resourceVersion: current.metadata?.resourceVersion } });
}

/**
 * The appId the gateway stamps for the route: its own once published, none
 * when the table leaves it out. While the table is too large to write, the
 * previous table stays in force, and so does what the status said of it.
 */
function effectiveAppIdFor(state: RouteIdentityState | undefined, condition: ConditionInput, previous: string | undefined): string | undefined {
  if (condition.reason === PROTECTION_REASON.TableTooLarge) return previous;
  return state?.kind === "published" ? state.appId : undefined;
}

function protectionCondition(state: RouteIdentityState | undefined, route: DomainRoute, tooLarge: readonly string[], config: PlatformConfig): ConditionInput | undefined {
  const type = CONDITION_PROTECTION_READY;
  // The provider's problem comes first: the route is served nothing, however large the table.
  if (state?.kind === "unknownProvider") return { type, status: "False", reason: PROTECTION_REASON.UnknownProvider, message: unknownProviderProblem(route, config)! };
  if (tooLarge.length > 0) return { type, status: "False", reason: PROTECTION_REASON.TableTooLarge, message: tooLarge.join("; ") };
  if (state === undefined) return undefined;
  switch (state.kind) {
    case "published":
      return { type, status: "True", reason: PROTECTION_REASON.Published, message: `requests for ${route.spec.domain} reach provider ${route.spec.protection!.provider} with appId ${state.appId}` };
    case "conflict":
      return { type, status: "False", reason: PROTECTION_REASON.AppIDConflict, message: `appId ${state.appId} is also claimed by ${state.others.join(", ")}; it is given to none of them until only one route claims it` };
    case "unclaimed":
      return { type, status: "False", reason: PROTECTION_REASON.NotClaimed, message: `the route does not hold the DomainClaim for ${route.spec.domain}, so no appId is published for it` };
  }
}
