// The pool Gateways controller's one reconcile (one queue key for the
// cluster), with gateway.provider gateway-api: keeps one Gateway API Gateway
// per pool member that serves routes, in the gateway namespace
// (render-pool-gateways.ts), recomputed wholesale from every route and claim.
// Written (created, else server-side applied over hostgate's own copy,
// apply/apply-object.ts applyOwned) only when its content differs from the
// cache's copy, so an unchanged pool costs no write (each Gateway write
// re-programs the data plane's listeners) and a hand edit or a deletion is
// reverted on the next pass.
//
// Never over someone else's object: a Gateway a person or another tool made
// in the gateway namespace at a member's name is left exactly as it is; only
// one hostgate's field manager wrote (ownPoolGateway) is applied over, so one
// whose labels were removed by hand is still taken back. The pass fails
// naming the object, and is retried with backoff until someone deletes or
// renames it.
//
// Deletes only what this controller made, once no route is on it: in the
// gateway namespace, managed-by=hostgate, the edge-member label equal to its
// name, written by hostgate's field manager (madeHere). Deletes carry the uid
// and resourceVersion seen, so a same-named object made since is left alone.
// A member whose Gateway would be invalid (held) keeps the one it has. The
// orphan sweep never sees these: they carry no route uid.
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import { KubeApiError } from "../../../core/kube/api-error.ts";
import type { ObjectApi } from "../../../core/kube/object-api.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { keyOf } from "../../../core/kube/object-key.ts";
import type { Logger } from "../../../core/logger.ts";
import type { DomainClaim, DomainRoute } from "../../../crds/types.ts";
import { applyOwned } from "../../apply/apply-object.ts";
import { writtenByReconciler } from "../../apply/ownership.ts";
import { contains, withAppliedHash } from "../../apply/plan-apply.ts";
import type { ObjectReader } from "../../cluster/object-reader.ts";
import { LABEL_MANAGED_BY, LABEL_ROUTE_UID, MANAGED_BY_HOSTGATE } from "../../domainroute/render/metadata.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES, FIELD_MANAGER, GATEWAYS, MANAGED_SELECTOR } from "../../resources.ts";
import type { HeldMember, SkippedRoute } from "./render-pool-gateways.ts";
import { LABEL_EDGE_MEMBER, REASON_LISTENER_UNSUPPORTED, REASON_NO_CERTIFICATE, renderPoolGateways } from "./render-pool-gateways.ts";

/** The single queue key: any route, claim or pooled Gateway change recomputes them all. */
export const POOL_GATEWAYS_KEY = "pool-gateways";

export interface PoolGatewaysDeps {
  /** Writes: create, apply, get after a create that found the name taken, delete. */
  api: ObjectApi;
  /** The caches: DomainRoutes, DomainClaims, and the Gateways in gateway.namespace labelled managed-by=hostgate. */
  reader: ObjectReader;
  config: PlatformConfig;
  logger: Logger;
}

export interface PoolGatewaysOutcome {
  /** `namespace/name` of each Gateway created or applied, sorted. */
  written: string[];
  /** `namespace/name` of each Gateway deleted, sorted. */
  deleted: string[];
  /** Members whose Gateway would be invalid: their current one was left as it is. */
  held: HeldMember[];
  /** Routes placed on a member that got no listener there, and why. */
  skipped: SkippedRoute[];
  /** Members whose Gateway was written or deleted, sorted: the routes on them look again. */
  changedMembers: string[];
}

/** Whether this controller runs under the config: the Gateway API data plane only (with istio the Gateway API's CRDs may not exist). */
export function poolGatewaysNeeded(config: Pick<PlatformConfig, "gateway">): boolean {
  return config.gateway.provider === "gateway-api";
}

export async function reconcilePoolGateways(deps: PoolGatewaysDeps): Promise<PoolGatewaysOutcome> {
  const { config, reader } = deps;
  const outcome: PoolGatewaysOutcome = { written: [], deleted: [], held: [], skipped: [], changedMembers: [] };
  if (!poolGatewaysNeeded(config)) return outcome;
  const namespace = config.gateway.namespace;
  const routes = reader.list(DOMAIN_ROUTES) as unknown as DomainRoute[];
  const claims = reader.list(DOMAIN_CLAIMS) as unknown as DomainClaim[];
  const rendered = renderPoolGateways(routes, claims, config);
  outcome.held = [...rendered.held];
  outcome.skipped = [...rendered.skipped];
  const changed = new Set<string>();
  const failures: string[] = rendered.held.map((h) => h.message);
  for (const gateway of rendered.gateways) {
    const desired = withAppliedHash(gateway);
    const name = desired.metadata!.name!;
    const current = reader.get(GATEWAYS, { namespace, name });
    if (current !== undefined && contains(current, desired)) continue;
    try {
      if (await writePoolGateway(deps.api, desired, current)) {
        outcome.written.push(`${namespace}/${name}`);
        changed.add(name);
      } else {
        failures.push(
          `Gateway ${namespace}/${name} exists and hostgate did not create it (its metadata.managedFields name no write by ${FIELD_MANAGER}), ` +
            `so it is left as it is and pool member ${name}'s routes get no listener; delete it (or give it another name) so hostgate can write the member's Gateway`,
        );
      }
    } catch (error) {
      failures.push(`writing Gateway ${namespace}/${name}: ${messageOf(error)}`);
    }
  }
  const wanted = new Set([...rendered.gateways.map((g) => g.metadata!.name!), ...rendered.held.map((h) => h.member)]);
  const ours = reader.list({ ...GATEWAYS, namespace, labelSelector: MANAGED_SELECTOR }).filter((o) => madeHere(o, config));
  for (const stale of ours.filter((o) => !wanted.has(o.metadata!.name!))) {
    const name = stale.metadata!.name!;
    try {
      const preconditions = { uid: stale.metadata!.uid!, ...(stale.metadata!.resourceVersion ? { resourceVersion: stale.metadata!.resourceVersion } : {}) };
      if (await deps.api.delete(GATEWAYS, { namespace, name }, preconditions)) {
        outcome.deleted.push(`${namespace}/${name}`);
        changed.add(name);
      }
    } catch (error) {
      // 409: a precondition failed, so it is no longer the object judged ours; the next pass judges again.
      if (!(error instanceof KubeApiError && error.status === 409)) failures.push(`deleting Gateway ${namespace}/${name}: ${messageOf(error)}`);
    }
  }
  outcome.written.sort();
  outcome.deleted.sort();
  outcome.changedMembers = [...changed].sort();
  report(deps.logger, outcome);
  if (failures.length > 0) throw new Error(`pool Gateways: ${failures.length} change(s) failed (retried): ${failures.join("; ")}`);
  return outcome;
}

function report(logger: Logger, outcome: PoolGatewaysOutcome): void {
  if (outcome.written.length > 0 || outcome.deleted.length > 0) {
    logger.info({ written: outcome.written, deleted: outcome.deleted }, "pool Gateways updated");
  }
  // Refused routes are the route controller's to report (their condition); a listener TLS cannot be given only this controller sees.
  const unserved = outcome.skipped.filter((s) => s.reason === REASON_LISTENER_UNSUPPORTED || s.reason === REASON_NO_CERTIFICATE);
  for (const { routeRef, member, message } of unserved) logger.warn({ route: routeRef, member }, `route ${routeRef} gets no listener on ${member}: ${message}`);
}

/**
 * Creates the Gateway, or applies it over the object at its name when that is
 * hostgate's own (ownPoolGateway); false, writing nothing, when it is not.
 * `current` is the cache's copy (labelled managed-by=hostgate) or undefined;
 * an object the cache does not hold is read once the create finds the name taken.
 */
async function writePoolGateway(api: ObjectApi, desired: KubeObject, current: KubeObject | undefined): Promise<boolean> {
  if (current === undefined) {
    try {
      await api.create(GATEWAYS, desired, { fieldManager: FIELD_MANAGER });
      return true;
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
      current = await api.get(GATEWAYS, keyOf(desired)!);
      if (current === undefined) throw error;
    }
  }
  if (!ownPoolGateway(current)) return false;
  await applyOwned(api, GATEWAYS, current, desired);
  return true;
}

/**
 * True when the Gateway at a member's name may be applied over: the
 * reconciler's field manager wrote it (labels alone prove nothing) and it is
 * no route's. Its labels may be gone (a hand edit that took it out of the
 * cache): the name is the member's, so the write puts them back.
 */
export function ownPoolGateway(object: KubeObject): boolean {
  const labels = (object.metadata?.labels ?? {}) as Record<string, string>;
  return writtenByReconciler(object) && labels[LABEL_ROUTE_UID] === undefined;
}

/** True for a pooled Gateway this controller made: in the gateway namespace, its labels, its field manager, named after its member. */
export function madeHere(object: KubeObject, config: Pick<PlatformConfig, "gateway">): boolean {
  const labels = (object.metadata?.labels ?? {}) as Record<string, string>;
  const member = labels[LABEL_EDGE_MEMBER];
  if (labels[LABEL_MANAGED_BY] !== MANAGED_BY_HOSTGATE || member === undefined || member === "" || labels[LABEL_ROUTE_UID] !== undefined) return false;
  return object.metadata?.namespace === config.gateway.namespace && object.metadata?.name === member && writtenByReconciler(object);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
