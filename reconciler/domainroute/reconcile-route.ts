// One DomainRoute reconcile, level-triggered: re-read everything, decide,
// write only what differs. Steps (each safe to retry):
//   1. deleting → remove what the route produced, release its claim, drop the finalizer;
//   2. add the finalizer;
//   3. claim the domain (or stop: DomainTaken; an orphaned claim is released);
//   4. render, plan, apply in order, prune what is no longer rendered;
//   5. write the status when it changed, with Events on transitions.
// DNS and certificates plug in later as further steps between 4 and 5.
import type { Clock } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { ObjectApi } from "../../core/kube/object-api.ts";
import type { KubeObject, ObjectKey } from "../../core/kube/object-key.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { Condition, DomainClaim, DomainRoute, DomainRouteStatus } from "../../crds/types.ts";
import { planApply, withAppliedHash } from "../apply/plan-apply.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import type { EventRecorder } from "../cluster/event-recorder.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES, FIELD_MANAGER } from "../resources.ts";
import { sameConditions, setConditions } from "../status/conditions.ts";
import { renderClaim } from "./render/claim.ts";
import { gatewayRefFor } from "./render/gateway.ts";
import { routeSelector } from "./render/metadata.ts";
import { PRODUCED_RESOURCES } from "./render/produced-resources.ts";
import { renderRoute } from "./render/render-route.ts";
import type { RouteFindings } from "./route-conditions.ts";
import { routeConditions } from "./route-conditions.ts";

export const ROUTE_FINALIZER = "hostgate.dev/cleanup";
/** After releasing an orphaned claim, try to claim again this much later. */
export const RELEASED_CLAIM_RETRY_MS = 1000;

export interface RouteReconcilerDeps {
  api: ObjectApi;
  reader: ObjectReader;
  config: PlatformConfig;
  clock: Clock;
  logger: Logger;
  events: EventRecorder;
}

export interface RouteReconcileResult {
  requeueAfterMs?: number;
}

export async function reconcileRoute(deps: RouteReconcilerDeps, key: ObjectKey): Promise<RouteReconcileResult> {
  const cached = deps.reader.get(DOMAIN_ROUTES, key) as DomainRoute | undefined;
  if (cached === undefined) return {};
  if (cached.metadata.deletionTimestamp !== undefined) {
    await finalize(deps, cached);
    return {};
  }
  const route = await ensureFinalizer(deps, cached);
  const claim = await claimDomain(deps, route);
  // The claim's deletion event also brings this route back; the delay keeps a
  // cache that still shows the old claim from spinning this in a hot loop.
  if (claim.outcome === "released") return { requeueAfterMs: RELEASED_CLAIM_RETRY_MS };
  if (claim.outcome === "taken") {
    await pruneAll(deps, route);
    await writeStatus(deps, route, { claim: "taken", owner: claim.owner, domain: route.spec.domain });
    return {};
  }
  const rendered = renderRoute(route, deps.config);
  const findings: RouteFindings = { claim: "ours", domain: route.spec.domain, gateway: gatewayRefFor(route.spec.domain, deps.config), problems: rendered.problems, protected: route.spec.protection !== undefined };
  let failure: unknown;
  try {
    await applyRendered(deps, route, rendered.objects);
  } catch (error) {
    failure = error;
    findings.applyError = errorText(error);
  }
  await writeStatus(deps, route, findings);
  if (failure !== undefined) throw failure;
  return {};
}

async function ensureFinalizer(deps: RouteReconcilerDeps, route: DomainRoute): Promise<DomainRoute> {
  if (route.metadata.finalizers?.includes(ROUTE_FINALIZER)) return route;
  const updated = { ...route, metadata: { ...route.metadata, finalizers: [...(route.metadata.finalizers ?? []), ROUTE_FINALIZER] } };
  return (await deps.api.update(DOMAIN_ROUTES, updated as unknown as KubeObject)) as unknown as DomainRoute;
}

type ClaimOutcome = { outcome: "ours" } | { outcome: "taken"; owner: string } | { outcome: "released" };

/**
 * The DomainClaim named after the domain is the lock: the API server lets
 * only one create succeed. A claim whose owner is gone (deleted without
 * its finalizer running) is released, uid-preconditioned so that a claim
 * someone re-created meanwhile is never deleted.
 */
async function claimDomain(deps: RouteReconcilerDeps, route: DomainRoute): Promise<ClaimOutcome> {
  const domain = route.spec.domain;
  let claim = deps.reader.get(DOMAIN_CLAIMS, { name: domain }) as DomainClaim | undefined;
  if (claim === undefined) {
    try {
      claim = (await deps.api.create(DOMAIN_CLAIMS, renderClaim(route))) as unknown as DomainClaim;
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
      claim = (await deps.api.get(DOMAIN_CLAIMS, { name: domain })) as DomainClaim | undefined;
      if (claim === undefined) return { outcome: "released" }; // deleted in between: try again
    }
  }
  const owner = claim.spec.owner;
  if (owner.uid === route.metadata.uid) return { outcome: "ours" };
  const holder = deps.reader.get(DOMAIN_ROUTES, { namespace: owner.namespace, name: owner.name }) as DomainRoute | undefined;
  if (holder !== undefined && holder.metadata.uid === owner.uid && holder.spec.domain === domain) return { outcome: "taken", owner: `${owner.namespace}/${owner.name}` };
  deps.logger.info({ domain, owner: `${owner.namespace}/${owner.name}`, next: `${route.metadata.namespace}/${route.metadata.name}` }, "releasing a domain claim whose owner is gone");
  await deps.api.delete(DOMAIN_CLAIMS, { name: domain }, { uid: claim.metadata.uid! });
  return { outcome: "released" };
}

async function applyRendered(deps: RouteReconcilerDeps, route: DomainRoute, objects: readonly KubeObject[]): Promise<void> {
  const desired = objects.map(withAppliedHash);
  const plan = planApply(desired, producedBy(deps, route));
  for (const object of plan.apply) await deps.api.apply(resourceFor(object), object, { fieldManager: FIELD_MANAGER, force: true });
  for (const object of plan.prune) await deleteOwned(deps, object);
}

/** Everything of ours this route produced, found by its uid label (in its namespace and the gateway's alike). */
function producedBy(deps: RouteReconcilerDeps, route: DomainRoute): KubeObject[] {
  return PRODUCED_RESOURCES.flatMap((resource) => deps.reader.list({ ...resource, labelSelector: routeSelector(route.metadata.uid!) }));
}

async function pruneAll(deps: RouteReconcilerDeps, route: DomainRoute): Promise<void> {
  for (const object of producedBy(deps, route).reverse()) await deleteOwned(deps, object);
}

async function deleteOwned(deps: RouteReconcilerDeps, object: KubeObject): Promise<void> {
  const key = { namespace: object.metadata!.namespace!, name: object.metadata!.name! };
  // The uid precondition: only the incarnation we saw, never a same-named object someone else made since.
  try {
    await deps.api.delete(resourceFor(object), key, { uid: object.metadata!.uid! });
  } catch (error) {
    if (!(error instanceof KubeApiError && error.status === 409)) throw error;
  }
}

async function finalize(deps: RouteReconcilerDeps, route: DomainRoute): Promise<void> {
  if (!route.metadata.finalizers?.includes(ROUTE_FINALIZER)) return;
  await pruneAll(deps, route);
  const claim = deps.reader.get(DOMAIN_CLAIMS, { name: route.spec.domain }) as DomainClaim | undefined;
  if (claim !== undefined && claim.spec.owner.uid === route.metadata.uid) {
    try {
      await deps.api.delete(DOMAIN_CLAIMS, { name: route.spec.domain }, { uid: claim.metadata.uid! });
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
    }
  }
  const finalizers = route.metadata.finalizers.filter((f) => f !== ROUTE_FINALIZER);
  await deps.api.update(DOMAIN_ROUTES, { ...route, metadata: { ...route.metadata, finalizers } } as unknown as KubeObject);
  deps.logger.info({ route: `${route.metadata.namespace}/${route.metadata.name}`, domain: route.spec.domain }, "route deleted: its objects are removed and its domain released");
}

async function writeStatus(deps: RouteReconcilerDeps, route: DomainRoute, findings: RouteFindings): Promise<void> {
  const previous = route.status ?? {};
  const conditions = setConditions(previous.conditions, routeConditions(findings, previous.conditions), route.metadata.generation, new Date(deps.clock.now()));
  const status: DomainRouteStatus = {
    ...previous,
    observedGeneration: route.metadata.generation,
    conditions,
    ...(findings.claim === "ours" ? { claimedDomain: findings.domain, gateway: findings.gateway } : {}),
  };
  if (findings.claim === "taken") {
    delete status.claimedDomain;
    delete status.gateway;
  }
  if (status.observedGeneration === undefined) delete status.observedGeneration;
  if (sameStatus(previous, status)) return;
  await deps.api.updateStatus(DOMAIN_ROUTES, { ...route, status } as unknown as KubeObject);
  await recordTransitions(deps, route, previous.conditions, conditions);
}

function sameStatus(a: DomainRouteStatus, b: DomainRouteStatus): boolean {
  return a.observedGeneration === b.observedGeneration && a.claimedDomain === b.claimedDomain && a.gateway === b.gateway && sameConditions(a.conditions, b.conditions);
}

async function recordTransitions(deps: RouteReconcilerDeps, route: DomainRoute, before: readonly Condition[] | undefined, after: readonly Condition[]): Promise<void> {
  for (const condition of after) {
    const old = before?.find((c) => c.type === condition.type);
    if (old !== undefined && old.status === condition.status && old.reason === condition.reason) continue;
    if (condition.type === "Ready" || old !== undefined || condition.status !== "True") {
      await deps.events.record(route as unknown as KubeObject, condition.status === "False" ? "Warning" : "Normal", condition.reason, `${condition.type}: ${condition.message}`);
    }
  }
}

function resourceFor(object: KubeObject) {
  const resource = PRODUCED_RESOURCES.find((r) => r.kind === object.kind && object.apiVersion === `${r.group}/${r.version}`);
  if (resource === undefined) throw new Error(`no produced resource serves ${object.apiVersion} ${object.kind}`);
  return resource;
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
