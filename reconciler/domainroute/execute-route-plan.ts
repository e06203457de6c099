// Step 3 of a route reconcile: carry out the plan in a safe order, stopping
// at the first failure (the controller retries with backoff, and the next
// reconcile gathers again):
//   - live route: finalizer, then the claim, then the objects (applies, then
//     prunes), then the route's monitoring objects (the same way; a failure
//     there is ObservabilityReady's, the route still serves), then the
//     status, then its Events. Nothing is created before
//     the finalizer that guarantees its cleanup, and nothing is served before
//     the claim that makes the domain the route's.
//   - deleting route: prune, release the claim, then drop the finalizer, or,
//     while DNS records or a certificate of the route remain, write the status.
// Objects are written by apply/write-objects.ts, with the uid and
// resourceVersion preconditions of the objects the plan judged the route's.
// A failed object write is reported in the status (the plan recomputed with
// the error) before the error goes back to the controller.
import type { Logger } from "../../core/logger.ts";
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { ObjectApi } from "../../core/kube/object-api.ts";
import type { KubeObject, ObjectKey } from "../../core/kube/object-key.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { objectId } from "../apply/plan-apply.ts";
import { deleteOwned, writeObjects } from "../apply/write-objects.ts";
import type { EventRecorder } from "../cluster/event-recorder.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES } from "../resources.ts";
import type { RouteInput } from "./gather-route.ts";
import type { RoutePlan } from "./plan-route.ts";
import { RELEASED_CLAIM_RETRY_MS, ROUTE_FINALIZER } from "./plan-route.ts";

export interface ExecuteDeps {
  api: ObjectApi;
  reader: ObjectReader;
  logger: Logger;
  events: EventRecorder;
}

export interface RouteReconcileResult {
  requeueAfterMs?: number;
}

/** @param replan the planner, for the status of a failed object write */
export async function executeRoutePlan(
  deps: ExecuteDeps,
  input: RouteInput,
  plan: RoutePlan,
  replan: (input: RouteInput) => RoutePlan,
): Promise<RouteReconcileResult> {
  let route = input.route;
  const routeRef = `${route.metadata.namespace}/${route.metadata.name}`;
  if (route.metadata.deletionTimestamp !== undefined) {
    for (const object of plan.objects.prune) await deleteOwned(deps.api, object);
    if (plan.claim !== undefined && "release" in plan.claim) await releaseClaim(deps, plan.claim.release);
    if (plan.finalizer !== "remove") {
      // DNS records or a certificate are still being removed by their controllers: the status says which.
      await writeStatus(deps, route, plan);
      return result(plan);
    }
    const finalizers = (route.metadata.finalizers ?? []).filter((f) => f !== ROUTE_FINALIZER);
    await deps.api.update(DOMAIN_ROUTES, { ...route, metadata: { ...route.metadata, finalizers } } as unknown as KubeObject);
    deps.logger.info(
      { route: routeRef, domain: route.spec.domain },
      "route deleted: its objects, records and certificate uses are removed and its domain released",
    );
    return {};
  }
  if (plan.finalizer === "add") {
    const updated = { ...route, metadata: { ...route.metadata, finalizers: [...(route.metadata.finalizers ?? []), ROUTE_FINALIZER] } };
    route = (await deps.api.update(DOMAIN_ROUTES, updated as unknown as KubeObject)) as unknown as DomainRoute;
  }
  if (plan.claim !== undefined && "release" in plan.claim) {
    deps.logger.info({ domain: plan.claim.release.name, owner: plan.claim.release.owner, next: routeRef }, "releasing a domain claim whose owner is gone");
    await releaseClaim(deps, plan.claim.release);
    return result(plan);
  }
  if (plan.claim !== undefined) {
    try {
      await deps.api.create(DOMAIN_CLAIMS, plan.claim.create as unknown as KubeObject);
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
      // Someone claimed it since the cache was read: its event brings this route back; look again shortly regardless.
      return { requeueAfterMs: RELEASED_CLAIM_RETRY_MS };
    }
  }
  try {
    await writeApplies(deps, route.metadata.uid!, plan.objects.apply);
    for (const object of plan.objects.prune) await deleteOwned(deps.api, object);
  } catch (error) {
    const failed = replan({ ...input, applyError: errorText(error) });
    await writeStatus(deps, route, failed);
    throw error;
  }
  try {
    await writeApplies(deps, route.metadata.uid!, plan.observability.apply);
    for (const object of plan.observability.prune) await deleteOwned(deps.api, object);
  } catch (error) {
    const failed = replan({ ...input, observabilityError: errorText(error) });
    await writeStatus(deps, route, failed);
    throw error;
  }
  if (plan.refused !== undefined)
    deps.logger.warn({ route: routeRef, refused: plan.refused }, "a name this route renders is taken by an object that is not its own; nothing is served");
  await writeStatus(deps, route, plan);
  return result(plan);
}

function result(plan: RoutePlan): RouteReconcileResult {
  return plan.requeueAfterMs === undefined ? {} : { requeueAfterMs: plan.requeueAfterMs };
}

/**
 * The planned writes, through write-objects.ts, which judges every name again
 * before it writes. A name the plan found free is not read again: the create
 * is create-if-absent, so an object made there since is refused by the API
 * server (AlreadyExists), never taken over, and the next reconcile judges it.
 */
async function writeApplies(deps: ExecuteDeps, routeUid: string, applies: RoutePlan["objects"]["apply"]): Promise<void> {
  if (applies.length === 0) return;
  const desired = applies.map((a) => a.desired);
  // Only the objects being replaced: write-objects.ts then prunes nothing, the executor prunes what the plan says.
  const ours = applies.flatMap((a) => (a.current === undefined ? [] : [a.current]));
  const free = new Set(applies.filter((a) => a.current === undefined).map((a) => objectId(a.desired)));
  const isFree = (resource: ResourceRef, key: ObjectKey) =>
    free.has(objectId({ apiVersion: `${resource.group}/${resource.version}`, kind: resource.kind, metadata: { ...key } }));
  const api = withGet(deps.api, async (resource, key) => (isFree(resource, key) ? undefined : deps.api.get(resource, key)));
  const reader: ObjectReader = {
    get: (resource, key) => (isFree(resource, key) ? undefined : deps.reader.get(resource, key)),
    list: (resource) => deps.reader.list(resource),
  };
  const outcome = await writeObjects({ api, reader }, routeUid, desired, ours);
  if (outcome.refused.length > 0) throw new Error(`a name changed hands since it was read: ${outcome.refused.map((r) => r.message).join("; ")}`);
}

/** `api` with its reads answered by `get`; every other call goes to `api` unchanged. */
function withGet(api: ObjectApi, get: ObjectApi["get"]): ObjectApi {
  return new Proxy(api, {
    get(target, property) {
      if (property === "get") return get;
      const value: unknown = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function releaseClaim(deps: ExecuteDeps, release: NonNullable<Extract<RoutePlan["claim"], { release: unknown }>>["release"]): Promise<void> {
  try {
    await deps.api.delete(DOMAIN_CLAIMS, { name: release.name }, { uid: release.uid });
  } catch (error) {
    if (!(release.ignoreConflict && error instanceof KubeApiError && error.status === 409)) throw error;
  }
}

async function writeStatus(deps: ExecuteDeps, route: DomainRoute, plan: RoutePlan): Promise<void> {
  if (plan.status === undefined) return;
  await deps.api.updateStatus(DOMAIN_ROUTES, { ...route, status: plan.status } as unknown as KubeObject);
  for (const event of plan.events) await deps.events.record(route as unknown as KubeObject, event.type, event.reason, event.message);
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
