// Step 2 of a route reconcile: decide. A pure function of the gathered input
// (gather-route.ts) that returns one plan: the finalizer to add or remove,
// the claim to create or release, the objects to apply and to prune, the
// status to write and the Events to record, and when to look again. The
// executor (execute-route-plan.ts) carries it out. A plan computed from the
// state its own execution produced is empty: a second reconcile writes nothing.
//
//   1. deleting → remove what the route produced, release its claim, and drop
//      the finalizer once the DNS and certificate controllers hold nothing
//      more of the route (edge-status.ts; until then the status says what is left);
//   2. add the finalizer;
//   3. claim the domain (or stop: DomainTaken; an orphaned claim is released);
//   4. refuse to serve a route whose provider the platform does not list, that
//      the Gateway API implementation cannot protect (gatewayApiRefusal), or
//      whose backend Service is an ExternalName (serve nothing, prune all);
//   5. render, apply what differs, prune what is no longer rendered; never
//      write or delete an object that is not the route's (occupancy.ts): a
//      name taken by one means nothing is served and the status says which;
//   6. the status, when it changed, with Events on transitions.
// On the Gateway API data plane a protected route's login (SecurityPolicy,
// AuthorizationPolicy) is pruned last and only once no pooled Gateway lists
// the route's listener (holdLogins): the pool Gateways controller removes the
// listener of a deleting or refused route, and a listener admits the team's
// own HTTPRoutes, so the login must outlive it. Until then the rest is
// pruned, the claim and the finalizer stay, and the route looks again.
// DNS records and certificates are the DNS and certificate controllers' work
// (wholesale: Route53 batches and shared wildcards span routes); the plan
// reads their outcomes into DNSReady and CertificateReady (edge-status.ts).
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { DomainClaim, DomainRouteStatus } from "../../crds/types.ts";
import { contains, objectId, planApply, withAppliedHash } from "../apply/plan-apply.ts";
import { backendRejection } from "./backend-service.ts";
import { edgeReleased, edgeStatus, releaseConditions } from "./edge-status.ts";
import type { RenderRoute, RouteInput } from "./gather-route.ts";
import { unknownProviderProblem } from "./known-provider.ts";
import { refusalAt } from "./occupancy.ts";
import { withPlacement } from "./placed-route.ts";
import { protectionStatus } from "./protection-condition.ts";
import { renderClaim } from "./render/claim.ts";
import { gatewayApiRefusal } from "./render/gateway-api/data-plane-refusal.ts";
import { isLoginPart } from "./render/gateway-api/route-login.ts";
import { renderRoute } from "./render/render-route.ts";
import type { Refusal, RouteFindings } from "./route-conditions.ts";
import { REASON } from "./route-conditions.ts";
import type { RouteEvent } from "./route-status.ts";
import { sameConditions, setConditions } from "../status/conditions.ts";
import { routeStatus } from "./route-status.ts";
import { servingGateway } from "./serving-gateway.ts";
import { planObservability } from "./observability-plan.ts";
import { isMonitoringObject } from "./render/produced-resources.ts";

export const ROUTE_FINALIZER = "hostgate.dev/cleanup";
/** After releasing an orphaned claim (or losing the race to create one), look again this much later. */
export const RELEASED_CLAIM_RETRY_MS = 1000;
/**
 * A name taken by an object that is not the route's is looked at again this
 * much later: an object hostgate did not label is outside its watches, so
 * its removal brings no event.
 */
export const REFUSED_RECHECK_MS = 30_000;
/**
 * A deleting route waiting for its DNS records and certificate to go is
 * looked at again this much later, besides the outcome change that normally
 * brings it back.
 */
export const RELEASE_RECHECK_MS = 30_000;
/** A login held until the pool Gateways controller removes the route's listener is looked at again this much later (besides the Gateway's events). */
export const LOGIN_HOLD_RECHECK_MS = 2000;

export interface RoutePlan {
  finalizer?: "add" | "remove";
  claim?: { create: DomainClaim } | { release: ClaimRelease };
  objects: {
    /** Objects to write, in apply order, each with the object it replaces (judged the route's) or undefined to create it. */
    apply: { desired: KubeObject; current?: KubeObject }[];
    /** The route's own objects to delete, in order. */
    prune: KubeObject[];
  };
  /**
   * The route's monitoring objects (observability-plan.ts), written after
   * `objects`: a failure to write them is reported in ObservabilityReady and
   * never keeps the route from serving. Pruned with `objects` when the route
   * serves nothing or is deleted.
   */
  observability: { apply: { desired: KubeObject; current?: KubeObject }[]; prune: KubeObject[] };
  status?: DomainRouteStatus;
  events: RouteEvent[];
  requeueAfterMs?: number;
  /** The objects that made the route refuse its names, `Kind namespace/name`: for the log. */
  refused?: string[];
}

export interface ClaimRelease {
  name: string;
  /** Delete only this incarnation: a claim someone re-created meanwhile is never deleted. */
  uid: string;
  /** `namespace/name` of the route the claim names. */
  owner: string;
  /** On deletion a claim changed under us is left alone (409 ignored); an orphan's release is retried. */
  ignoreConflict: boolean;
}

const NOTHING = (): RoutePlan => ({ objects: { apply: [], prune: [] }, observability: { apply: [], prune: [] }, events: [] });

export function planRoute(input: RouteInput, render: RenderRoute = renderRoute): RoutePlan {
  const { route } = input;
  const hasFinalizer = route.metadata.finalizers?.includes(ROUTE_FINALIZER) ?? false;
  if (route.metadata.deletionTimestamp !== undefined) return hasFinalizer ? planDeletion(input) : NOTHING();
  const plan = NOTHING();
  if (!hasFinalizer) plan.finalizer = "add";
  const domain = route.spec.domain;
  const protectionOutcome = protectionStatus(route, input.appId, input.config);
  const protection = protectionOutcome.condition;
  const claim = input.claim;
  if (claim === undefined) plan.claim = { create: renderClaim(route) as unknown as DomainClaim };
  else if (claim.spec.owner.uid !== route.metadata.uid) {
    const owner = claim.spec.owner;
    const ownerRef = `${owner.namespace}/${owner.name}`;
    const holder = input.claimHolder;
    if (holder === undefined || holder.uid !== owner.uid || holder.domain !== domain) {
      // The claim's deletion event also brings this route back; the delay keeps a
      // cache that still shows the old claim from spinning this in a hot loop.
      plan.claim = { release: { name: domain, uid: claim.metadata.uid!, owner: ownerRef, ignoreConflict: false } };
      plan.requeueAfterMs = RELEASED_CLAIM_RETRY_MS;
      return plan;
    }
    plan.objects.prune = pruneAll(input);
    const observability = observabilityOf(input, false).condition;
    return withStatus(plan, input, { claim: "taken", owner: ownerRef, domain, protection, edge: edgeStatus(input, "taken"), observability });
  }
  const edge = edgeStatus(input, "serving");
  // On the Gateway API the member this pass writes to status.edge: none while the route is not placed.
  const serving = servingGateway(withPlacement(route, edge.placement), input.config);
  const findings: RouteFindings = {
    claim: "ours",
    domain,
    ...(serving === undefined ? {} : { gateway: serving.gateway }),
    ...(serving?.listener === undefined ? {} : { gatewayListener: serving.listener }),
    problems: [],
    protection,
    edge,
    dataPlane: input.config.gateway.provider,
  };
  if (input.applyError !== undefined) findings.applyError = input.applyError;
  const refusal = routeRefusal(input);
  if (refusal !== undefined) {
    // Fail closed: nothing that serves the domain stays, not even objects of an earlier, accepted spec.
    findings.refusal = refusal;
    findings.edge = edgeStatus(input, refusal);
    findings.observability = observabilityOf(input, false).condition;
    plan.objects.prune = holdLogins(plan, input, pruneAll(input));
    return withStatus(plan, input, findings);
  }
  // On the member this pass writes to status.edge: the first reconcile after placement renders its DNSEndpoint already.
  const rendered = render(withPlacement(route, findings.edge.placement), input.config, input.regionPolicy, protectionOutcome.effectiveAppId);
  findings.problems = rendered.problems;
  const desired = rendered.objects.map(withAppliedHash);
  const occupied = occupiedNames(input, desired);
  if (occupied.refusals.length > 0) {
    // A route is served whole or not at all: half of it, say without its
    // AuthorizationPolicy, could serve the domain without its login.
    findings.refusal = {
      reason: occupied.refusals[0]!.reason,
      message: `${occupied.refusals.map((r) => r.message).join("; ")}. Nothing is served for this domain until the name is free`,
    };
    findings.edge = edgeStatus(input, findings.refusal);
    findings.observability = observabilityOf(input, false).condition;
    plan.refused = occupied.refusals.map((r) => r.object);
    plan.requeueAfterMs = REFUSED_RECHECK_MS;
    plan.objects.prune = holdLogins(plan, input, pruneAll(input));
    return withStatus(plan, input, findings);
  }
  plan.objects.apply = desired.flatMap((object) => {
    const current = occupied.current.get(objectId(object));
    if (current !== undefined && contains(current, object)) return [];
    return [current === undefined ? { desired: object } : { desired: object, current }];
  });
  // The monitoring objects are the observability section's: neither desired nor pruned here.
  plan.objects.prune = holdLogins(
    plan,
    input,
    planApply(
      desired,
      input.owned.filter((o) => !isMonitoringObject(o)),
    ).prune,
  );
  const observability = observabilityOf(input, true);
  plan.observability = { apply: observability.apply, prune: observability.prune };
  findings.observability = observability.condition;
  return withStatus(plan, input, findings);
}

function planDeletion(input: RouteInput): RoutePlan {
  const { route, claim } = input;
  const plan = NOTHING();
  plan.objects.prune = holdLogins(plan, input, pruneAll(input));
  if (plan.requeueAfterMs !== undefined) {
    // The login waits for the listener to go: the claim stays (no other route gets a listener of this name meanwhile), and so does the finalizer.
    return plan;
  }
  if (claim !== undefined && claim.spec.owner.uid === route.metadata.uid) {
    plan.claim = {
      release: { name: route.spec.domain, uid: claim.metadata.uid!, owner: `${route.metadata.namespace}/${route.metadata.name}`, ignoreConflict: true },
    };
  }
  if (edgeReleased(input)) {
    plan.finalizer = "remove";
    return plan;
  }
  // DNS records or a certificate of the route are still out there: the finalizer stays, and the status says what is left.
  plan.requeueAfterMs = RELEASE_RECHECK_MS;
  const conditions = setConditions(route.status?.conditions, releaseConditions(input), route.metadata.generation, new Date(input.nowMs));
  if (!sameConditions(route.status?.conditions, conditions)) plan.status = { ...route.status, conditions };
  return plan;
}

function observabilityOf(input: RouteInput, serving: boolean) {
  const { route, config, monitoring, owned, occupants, observabilityError } = input;
  return planObservability(
    { route, config, monitoring, owned, occupants, ...(observabilityError === undefined ? {} : { applyError: observabilityError }) },
    serving,
  );
}

/** Why nothing may be served for the route whatever it renders; undefined when it may be. */
function routeRefusal(input: RouteInput): Refusal | undefined {
  const provider = unknownProviderProblem(input.route, input.config);
  if (provider !== undefined) return { reason: REASON.UnknownProvider, message: provider };
  // The Gateway API implementation cannot protect it (no external authorization): never served unprotected.
  const dataPlane = input.config.gateway.provider === "gateway-api" ? gatewayApiRefusal(input.route, input.config) : undefined;
  if (dataPlane !== undefined) return { reason: dataPlane.reason, message: dataPlane.message };
  const backend = input.backendService === undefined ? undefined : backendRejection(input.route, input.backendService);
  if (backend !== undefined) return { reason: REASON.BackendRejected, message: backend };
  return undefined;
}

/**
 * `prune` without the login objects while the route is protected on the
 * Gateway API data plane and a pooled Gateway still lists its listener (they
 * then go on a later pass, once it does not); asks to look again when it holds one.
 */
function holdLogins(plan: RoutePlan, input: RouteInput, prune: KubeObject[]): KubeObject[] {
  if (input.config.gateway.provider !== "gateway-api" || input.route.spec.protection === undefined || input.listenerListed !== true) return prune;
  const kept = prune.filter((object) => !isLoginPart(object));
  if (kept.length === prune.length) return prune;
  plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? LOGIN_HOLD_RECHECK_MS, LOGIN_HOLD_RECHECK_MS);
  return kept;
}

/** Everything the route serves, in reverse apply order (what routes traffic goes before the login). */
function pruneAll(input: RouteInput): KubeObject[] {
  return [...input.owned].reverse();
}

/** The object each desired one would replace (the route's own), and the names held by objects that are not the route's. */
function occupiedNames(input: RouteInput, desired: readonly KubeObject[]) {
  const uid = input.route.metadata.uid!;
  const current = new Map(input.owned.map((o) => [objectId(o), o]));
  const occupants = new Map(input.occupants.map((o) => [objectId(o), o]));
  const refusals = [];
  for (const object of desired) {
    const id = objectId(object);
    const occupant = current.has(id) ? undefined : occupants.get(id);
    if (occupant === undefined) continue;
    const refusal = refusalAt(object, occupant, uid);
    if (refusal === undefined)
      current.set(id, occupant); // the route's: a cache a moment behind our own write
    else refusals.push(refusal);
  }
  return { current, refusals };
}

function withStatus(plan: RoutePlan, input: RouteInput, findings: RouteFindings): RoutePlan {
  const { status, events } = routeStatus(input, findings, findings.edge);
  if (status !== undefined) plan.status = status;
  plan.events = events;
  return plan;
}
