// One DomainRoute reconcile, level-triggered: re-read everything, decide,
// write only what differs. Steps (each safe to retry):
//   1. deleting → remove what the route produced, release its claim, drop the finalizer;
//   2. add the finalizer;
//   3. claim the domain (or stop: DomainTaken; an orphaned claim is released);
//   4. refuse to serve a route whose provider the platform does not list, or
//      whose backend Service is an ExternalName (serve nothing, prune all);
//   5. render, write in order, prune what is no longer rendered; never write
//      or delete an object that is not the route's (apply/ownership.ts): a
//      name taken by one means nothing is served and the status says which;
//   6. write the status when it changed, with Events on transitions.
// DNS and certificates plug in later as further steps between 5 and 6.
import type { Clock } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { ObjectApi } from "../../core/kube/object-api.ts";
import type { KubeObject, ObjectKey } from "../../core/kube/object-key.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { Condition, DomainClaim, DomainRoute, DomainRouteStatus } from "../../crds/types.ts";
import { withAppliedHash } from "../apply/plan-apply.ts";
import { ownedByRoute } from "../apply/ownership.ts";
import { deleteOwned, writeObjects } from "../apply/write-objects.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import type { EventRecorder } from "../cluster/event-recorder.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES } from "../resources.ts";
import { sameConditions, setConditions } from "../status/conditions.ts";
import { renderClaim } from "./render/claim.ts";
import { gatewayRefFor } from "./render/gateway.ts";
import { routeSelector } from "./render/metadata.ts";
import { PRODUCED_RESOURCES } from "./render/produced-resources.ts";
import { renderRoute } from "./render/render-route.ts";
import type { RenderedRoute } from "./render/render-route.ts";
import { backendRejection } from "./backend-service.ts";
import { unknownProviderProblem } from "./known-provider.ts";
import type { Refusal, RouteFindings } from "./route-conditions.ts";
import { REASON, routeConditions } from "./route-conditions.ts";

export const ROUTE_FINALIZER = "hostgate.dev/cleanup";
/** After releasing an orphaned claim, try to claim again this much later. */
export const RELEASED_CLAIM_RETRY_MS = 1000;
/**
 * A name taken by an object that is not the route's is looked at again this
 * much later: an object hostgate did not label is outside its watches, so
 * its removal brings no event.
 */
export const REFUSED_RECHECK_MS = 30_000;

export interface RouteReconcilerDeps {
  api: ObjectApi;
  reader: ObjectReader;
  config: PlatformConfig;
  clock: Clock;
  logger: Logger;
  events: EventRecorder;
  /** What the route renders to; renderRoute, or a test's stand-in (for example one with colliding names). */
  render?: (route: DomainRoute, config: PlatformConfig) => RenderedRoute;
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
  const findings: RouteFindings = { claim: "ours", domain: route.spec.domain, gateway: gatewayRefFor(route.spec.domain, deps.config), problems: [], protected: route.spec.protection !== undefined };
  const refusal = routeRefusal(deps, route);
  let failure: unknown;
  let result: RouteReconcileResult = {};
  try {
    if (refusal !== undefined) {
      // Fail closed: nothing that serves the domain stays, not even objects of an earlier, accepted spec.
      findings.refusal = refusal;
      await pruneAll(deps, route);
    } else {
      const rendered = (deps.render ?? renderRoute)(route, deps.config);
      findings.problems = rendered.problems;
      const refused = await applyRendered(deps, route, rendered.objects);
      if (refused !== undefined) {
        findings.refusal = refused;
        result = { requeueAfterMs: REFUSED_RECHECK_MS };
      }
    }
  } catch (error) {
    failure = error;
    findings.applyError = errorText(error);
  }
  await writeStatus(deps, route, findings);
  if (failure !== undefined) throw failure;
  return result;
}

/** Why nothing may be served for the route whatever it renders; undefined when it may be. */
function routeRefusal(deps: RouteReconcilerDeps, route: DomainRoute): Refusal | undefined {
  const provider = unknownProviderProblem(route, deps.config);
  if (provider !== undefined) return { reason: REASON.UnknownProvider, message: provider };
  const backend = backendRejection(route, deps.reader);
  if (backend !== undefined) return { reason: REASON.BackendRejected, message: backend };
  return undefined;
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

/**
 * Writes the rendered objects; when a name is taken by an object that is not
 * the route's, writes nothing, removes what the route serves (a route is
 * served whole or not at all: half of it, say without its AuthorizationPolicy,
 * could serve the domain without its login) and returns the refusal.
 */
async function applyRendered(deps: RouteReconcilerDeps, route: DomainRoute, objects: readonly KubeObject[]): Promise<Refusal | undefined> {
  const outcome = await writeObjects(deps, route.metadata.uid!, objects.map(withAppliedHash), producedBy(deps, route));
  if (outcome.refused.length === 0) return undefined;
  await pruneAll(deps, route);
  const refused = outcome.refused.map((r) => r.object);
  deps.logger.warn({ route: `${route.metadata.namespace}/${route.metadata.name}`, refused }, "a name this route renders is taken by an object that is not its own; nothing is served");
  return { reason: outcome.refused[0]!.reason, message: `${outcome.refused.map((r) => r.message).join("; ")}. Nothing is served for this domain until the name is free` };
}

/**
 * The route's own objects (apply/ownership.ts): labelled with its uid and
 * written by the reconciler, and only where the route's objects of that kind
 * live (its own namespace, or the gateway's). An object that only carries the
 * labels is not among them: never updated, never deleted. Nor is one in any
 * other namespace: a tenant can write hostgate's labels and field manager in
 * its own namespace, and must not thereby get another team's route to delete
 * it (or fail on it, reconcile after reconcile, by changing it under the delete).
 */
function producedBy(deps: RouteReconcilerDeps, route: DomainRoute): KubeObject[] {
  const uid = route.metadata.uid!;
  return PRODUCED_RESOURCES.flatMap((resource) => {
    const namespace = resource.scope === "gateway" ? deps.config.gateway.namespace : route.metadata.namespace!;
    return deps.reader.list({ ...resource, namespace, labelSelector: routeSelector(uid) });
  }).filter((o) => ownedByRoute(o, uid));
}

/** Removes everything the route serves, in reverse apply order (what routes traffic goes before the login). */
async function pruneAll(deps: RouteReconcilerDeps, route: DomainRoute): Promise<void> {
  for (const object of producedBy(deps, route).reverse()) await deleteOwned(deps.api, object);
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
  // A refused route is served by no gateway.
  if (findings.claim === "ours" && findings.refusal !== undefined) delete status.gateway;
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

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
