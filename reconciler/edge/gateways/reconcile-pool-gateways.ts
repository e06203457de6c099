// The pool Gateways controller's one reconcile (one queue key for the
// cluster), with gateway.provider gateway-api: keeps one Gateway API Gateway
// per pool member that serves routes, in the gateway namespace
// (render-pool-gateways.ts), recomputed wholesale from every route and claim.
// Written (created, else server-side applied over hostgate's own copy,
// apply/owned-objects.ts, the steps gateway-endpoints.ts takes) only when its content differs from the
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
//
// On Envoy Gateway each pooled Gateway has its identity-header
// ClientTrafficPolicy, written before it and deleted after it
// (identity-header-strips.ts): a Gateway never serves without it.
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { ObjectApi } from "../../../core/kube/object-api.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { Logger } from "../../../core/logger.ts";
import type { DomainClaim, DomainRoute } from "../../../crds/types.ts";
import { deleteOwnedObjects, writeOwnedObjects } from "../../apply/owned-objects.ts";
import type { CertificateOutcome } from "../../certificates/certificate-outcomes.ts";
import { listenerGate } from "../../certificates/discovery-listener-gate.ts";
import type { Clock } from "../../../core/clock.ts";
import type { ObjectReader } from "../../cluster/object-reader.ts";
import type { OutcomeReader } from "../../status/outcomes.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES, FIELD_MANAGER, GATEWAYS, MANAGED_SELECTOR } from "../../resources.ts";
import type { HeldMember, SkippedRoute } from "./render-pool-gateways.ts";
import { memberObjectMadeHere, ownMemberObject } from "./member-object-ownership.ts";
import { REASON_LISTENER_UNSUPPORTED, REASON_NO_CERTIFICATE, renderPoolGateways } from "./render-pool-gateways.ts";
import { loginInPlace } from "./route-login-gate.ts";
import { holdClassChanges } from "./class-change-hold.ts";
import { deleteIdentityHeaderStrips, identityHeaderStripsNeeded, writeIdentityHeaderStrips } from "./identity-header-strips.ts";

/** The single queue key: any route, claim or pooled Gateway change recomputes them all. */
export const POOL_GATEWAYS_KEY = "pool-gateways";

export interface PoolGatewaysDeps {
  /** The certificate controller's outcomes: with the AWS Load Balancer Controller a listener waits for its certificate. */
  certificates: OutcomeReader<CertificateOutcome>;
  /** Writes: create, apply, get after a create that found the name taken, delete. */
  api: ObjectApi;
  /**
   * The caches: DomainRoutes, DomainClaims, the Gateways in gateway.namespace labelled managed-by=hostgate, and the
   * routes' logins (SecurityPolicy / AuthorizationPolicy, the route controller's produced objects): a protected route's
   * listener waits for its login (route-login-gate.ts).
   */
  reader: ObjectReader;
  config: PlatformConfig;
  logger: Logger;
  /** With the AWS Load Balancer Controller a new listener waits until its certificate is old enough for the controller to see. */
  clock: Clock;
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
  /** `namespace/name` of each identity-header ClientTrafficPolicy written or deleted (Envoy Gateway), sorted. */
  identityHeaderStrips: { written: string[]; deleted: string[] };
  /** A listener waits for the AWS Load Balancer Controller to see its certificate: run again after this many ms. */
  requeueAfterMs?: number;
}

/** Whether this controller runs under the config: the Gateway API data plane only (with istio the Gateway API's CRDs may not exist). */
export function poolGatewaysNeeded(config: Pick<PlatformConfig, "gateway">): boolean {
  return config.gateway.provider === "gateway-api";
}

export async function reconcilePoolGateways(deps: PoolGatewaysDeps): Promise<PoolGatewaysOutcome> {
  const { config, reader } = deps;
  const outcome: PoolGatewaysOutcome = {
    written: [],
    deleted: [],
    held: [],
    skipped: [],
    changedMembers: [],
    identityHeaderStrips: { written: [], deleted: [] },
  };
  if (!poolGatewaysNeeded(config)) return outcome;
  const namespace = config.gateway.namespace;
  const routes = reader.list(DOMAIN_ROUTES) as unknown as DomainRoute[];
  const claims = reader.list(DOMAIN_CLAIMS) as unknown as DomainClaim[];
  // What each member's cached Gateway lists now: before the certificate controller's first pass those listeners stay.
  const listed = (member: string, listener: string) =>
    ((reader.get(GATEWAYS, { namespace, name: member })?.spec as { listeners?: { name?: unknown }[] } | undefined)?.listeners ?? []).some(
      (l) => l.name === listener,
    );
  const now = deps.clock.now();
  let opensAt: number | undefined;
  const rendered = renderPoolGateways(
    routes,
    claims,
    config,
    (route, member, listener) => {
      const lookup = deps.certificates.lookup(`${route.metadata.namespace}/${route.metadata.name}`);
      const gate = listenerGate(route, lookup, config, listed(member, listener), now);
      if (gate.opensAt !== undefined) opensAt = Math.min(opensAt ?? gate.opensAt, gate.opensAt);
      return gate.open;
    },
    (route, member) => loginInPlace(reader, config, route, member),
  );
  if (opensAt !== undefined) outcome.requeueAfterMs = Math.max(0, opensAt - now);
  // A member whose Gateway is of another class keeps it as it is (class-change-hold.ts).
  const classes = holdClassChanges(rendered.gateways, (name) => reader.get(GATEWAYS, { namespace, name }), ownPoolGateway, config);
  outcome.held = [...rendered.held, ...classes.held];
  outcome.skipped = [...rendered.skipped];
  const namesOf = (objects: readonly KubeObject[]) => objects.map((o) => o.metadata!.name!);
  // A held member keeps the Gateway it has (fail-safe): only members serving no route lose theirs.
  const wanted = new Set([...namesOf(rendered.gateways), ...rendered.held.map((h) => h.member)]);
  // Envoy Gateway: each Gateway's identity-header policy first; a Gateway whose policy is not in place is not written.
  const strips = identityHeaderStripsNeeded(config) ? await writeIdentityHeaderStrips(deps.api, reader, config, [...wanted].sort()) : undefined;
  const gateways = strips === undefined ? classes.write : classes.write.filter((g) => strips.inPlace.has(g.metadata!.name!));
  const writes = await writeOwnedObjects(deps.api, GATEWAYS, gateways, {
    current: (key) => reader.get(GATEWAYS, key),
    owns: ownPoolGateway,
    notOwned: (desired) =>
      `Gateway ${namespace}/${desired.metadata!.name} exists and hostgate did not create it (its metadata.managedFields name no write by ${FIELD_MANAGER}), ` +
      `so it is left as it is and pool member ${desired.metadata!.name}'s routes get no listener; delete it (or give it another name) so hostgate can write the member's Gateway`,
  });
  const ours = reader.list({ ...GATEWAYS, namespace, labelSelector: MANAGED_SELECTOR }).filter((o) => madeHere(o, config));
  const deletes = await deleteOwnedObjects(
    deps.api,
    GATEWAYS,
    ours.filter((o) => !wanted.has(o.metadata!.name!)),
  );
  outcome.written = namesOf(writes.written).map((name) => `${namespace}/${name}`);
  outcome.deleted = namesOf(deletes.deleted).map((name) => `${namespace}/${name}`);
  // A policy goes only once its Gateway has: deleted in this pass, or in no cache (a failed delete keeps both).
  const gone = new Set(namesOf(deletes.deleted));
  const kept = (name: string) => wanted.has(name) || (!gone.has(name) && reader.get(GATEWAYS, { namespace, name }) !== undefined);
  const stripDeletes = strips === undefined ? { deleted: [], failures: [] } : await deleteIdentityHeaderStrips(deps.api, reader, config, kept);
  outcome.identityHeaderStrips = {
    written: [...(strips?.written ?? [])].sort(),
    deleted: namesOf(stripDeletes.deleted)
      .map((name) => `${namespace}/${name}`)
      .sort(),
  };
  const changed = new Set([...namesOf(writes.written), ...namesOf(deletes.deleted)]);
  const failures = [...outcome.held.map((h) => h.message), ...(strips?.failures ?? []), ...writes.failures, ...deletes.failures, ...stripDeletes.failures];
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
  const strips = outcome.identityHeaderStrips;
  if (strips.written.length > 0 || strips.deleted.length > 0) {
    logger.info({ written: strips.written, deleted: strips.deleted }, "pool Gateways' identity-header ClientTrafficPolicies updated");
  }
  // Refused routes are the route controller's to report (their condition); a listener TLS cannot be given only this controller sees.
  const unserved = outcome.skipped.filter((s) => s.reason === REASON_LISTENER_UNSUPPORTED || s.reason === REASON_NO_CERTIFICATE);
  for (const { routeRef, member, message } of unserved) logger.warn({ route: routeRef, member }, `route ${routeRef} gets no listener on ${member}: ${message}`);
}

/**
 * True when the Gateway at a member's name may be applied over: the
 * reconciler's field manager wrote it (labels alone prove nothing) and it is
 * no route's. Its labels may be gone (a hand edit that took it out of the
 * cache): the name is the member's, so the write puts them back.
 */
export function ownPoolGateway(object: KubeObject): boolean {
  return ownMemberObject(object);
}

/** True for a pooled Gateway this controller made: in the gateway namespace, its labels, its field manager, named after its member. */
export function madeHere(object: KubeObject, config: Pick<PlatformConfig, "gateway">): boolean {
  return memberObjectMadeHere(object, config, (member) => member);
}
