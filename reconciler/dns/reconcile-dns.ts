// The DNS controller's one reconcile (one queue key for the whole cluster,
// like the appId table): gather every DomainRoute, DomainClaim and requested
// record, plan each managed zone against its records, send the changes in as
// few Route53 requests as the limits allow, and publish each route's outcome
// for the route controller, which alone writes DomainRoute status.
//
// Route53 has no watch, so each zone's records are kept between passes
// (dns-state.ts) with what landed applied, and read again only when older
// than dns.resyncInterval (which is how a record deleted or edited by hand is
// restored) or after a send that failed or was refused. A pass where nothing
// changed sends no request at all. Changes are followed with GetChange on
// later passes (oldest first, stopping at the first still PENDING in a zone,
// since Route53 applies a zone's changes in order), and a route is `pending`
// until its last change is INSYNC. Route53UnavailableError in a zone fails
// that zone's routes with a message saying so, lets the other zones go on,
// and goes back to the controller after the outcomes are published, for
// backoff.
//
// Across regions each cluster reads its namespaces' RegionPolicies (which
// decide, with spec.dns.mode and the platform default, what it publishes)
// and the gateway Services of two-step load balancer entries, or on the
// Gateway API data plane the pooled Gateways (whose address is the gateway
// record). Clusters sharing a zone tell their records apart
// by owner id and, for Active's latency records, by set identifier.
import type { Clock } from "../../core/clock.ts";
import { durationMs } from "../../core/config/duration.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { Logger } from "../../core/logger.ts";
import type { DomainClaim, DomainRoute, RegionPolicy } from "../../crds/types.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES, GATEWAYS, REGION_POLICIES, SERVICES } from "../resources.ts";
import type { Outcomes } from "../status/outcomes.ts";
import { batchChanges } from "./batch-changes.ts";
import type { DesiredDns, ManagedZone } from "./desired-records.ts";
import { desiredDns, latencyIdentity } from "./desired-records.ts";
import type { DnsOutcome } from "./dns-outcomes.ts";
import { routeOutcomes } from "./dns-outcomes.ts";
import type { DnsState } from "./dns-state.ts";
import { heldForWaitingGateways } from "./gateway-records.ts";
import { ownedResources, planZone } from "./plan-dns.ts";
import type { RecordRequests } from "./record-requests.ts";
import type { Route53Port } from "./route53-port.ts";
import { Route53UnavailableError } from "./route53-port.ts";
import { sendZoneChanges } from "./route53/send-batches.ts";

/** The single queue key: any change anywhere plans every zone again. */
export const DNS_KEY = "dns";
/** While a change is not INSYNC, look again this much later. */
export const CHANGE_POLL_MS = 5000;
/** After Route53 refused a group, read the zone and try again this much later. */
export const REJECTED_RETRY_MS = 30_000;

export interface DnsReconcilerDeps {
  reader: ObjectReader;
  config: PlatformConfig;
  route53: Route53Port;
  /** Records other controllers (certificates) ask DNS to hold. */
  records: RecordRequests;
  outcomes: Outcomes<DnsOutcome>;
  clock: Clock;
  logger: Logger;
}

export interface DnsReconcileResult {
  /** When to run again: a pending change to poll, a refused group to retry, the next resync. */
  requeueAfterMs?: number;
  /** Routes (`namespace/name`) whose outcome changed, sorted: the route controller reconciles them. */
  changed: string[];
}

interface ZoneInput {
  readonly zone: ManagedZone;
  readonly ownerId: string;
  readonly desired: DesiredDns;
  readonly resyncMs: number;
}

interface PassState {
  /** zone → the message of the Route53UnavailableError that stopped it. */
  readonly unavailable: Map<string, string>;
  readonly conflicts: Map<string, readonly string[]>;
  readonly rejected: Map<string, readonly string[]>;
  error?: Route53UnavailableError;
}

/** @throws Route53UnavailableError after publishing the outcomes, when a zone could not be read or written */
export async function reconcileDns(deps: DnsReconcilerDeps, state: DnsState): Promise<DnsReconcileResult> {
  const { config } = deps;
  if (config.dns.provider !== "route53") return { changed: [] };
  const ownerId = config.dns.ownerId;
  // Without an owner id no record could be told apart from anyone else's: fail closed (the config check requires it for route53).
  if (ownerId === undefined || ownerId === "") throw new Error("dns.ownerId is required with dns.provider route53: set it in the platform config");
  const desired = desiredDns({
    routes: deps.reader.list(DOMAIN_ROUTES) as unknown as DomainRoute[],
    claims: deps.reader.list(DOMAIN_CLAIMS) as unknown as DomainClaim[],
    config,
    requests: deps.records.current(),
    regionPolicies: deps.reader.list(REGION_POLICIES) as unknown as RegionPolicy[],
    services: (ref) => deps.reader.get(SERVICES, ref),
    gateways: (ref) => deps.reader.get(GATEWAYS, ref),
  });
  if (state.noteIgnored(desired.ignoredRequests))
    deps.logger.warn({ requests: desired.ignoredRequests }, "requested DNS records name zones the config does not manage");
  const resyncMs = durationMs(config.dns.resyncInterval);
  state.keepOnly(new Set(desired.zones.map((z) => z.zoneId)));
  const pass: PassState = { unavailable: new Map(), conflicts: new Map(), rejected: new Map() };
  await pollChanges(deps, state, pass);
  for (const zone of desired.zones) {
    if (pass.unavailable.has(zone.zoneId)) continue;
    try {
      await reconcileZone(deps, state, { zone, ownerId, desired, resyncMs }, pass);
    } catch (error) {
      if (!(error instanceof Route53UnavailableError)) throw error;
      unavailable(deps, state, pass, zone.zoneId, error);
    }
  }
  const owned = new Set<string>();
  const latency = latencyIdentity(config);
  for (const zone of desired.zones) for (const resource of ownedResources(state.known(zone.zoneId) ?? [], zone, ownerId, latency)) owned.add(resource);
  const findings = {
    unavailable: pass.unavailable,
    conflicts: pass.conflicts,
    rejected: pass.rejected,
    pending: state.pendingResources(),
    owned,
    allZonesKnown: desired.zones.every((z) => state.known(z.zoneId) !== undefined),
  };
  const changed = deps.outcomes.publish(routeOutcomes(desired.routes, findings, desired.gateways));
  if (pass.error !== undefined) throw pass.error;
  const requeueAfterMs = nextPass(state, desired.zones, resyncMs, deps.clock.now());
  return requeueAfterMs === undefined ? { changed } : { requeueAfterMs, changed };
}

/** Read the zone when due, plan it, send the plan, and keep what landed. */
async function reconcileZone(deps: DnsReconcilerDeps, state: DnsState, input: ZoneInput, pass: PassState): Promise<void> {
  const { zone, ownerId, desired, resyncMs } = input;
  const { zoneId } = zone;
  let current = state.fresh(zoneId, deps.clock.now(), resyncMs);
  if (current === undefined) {
    current = await deps.route53.listRecords(zoneId);
    state.read(zoneId, current, deps.clock.now());
  }
  // A gateway's record stays while its Service (or pooled Gateway) has no address, and so does an earlier Service's at that hostname (gateway-records.ts).
  const held = heldForWaitingGateways(desired.gateways, current, zone.apex, ownerId);
  const latency = latencyIdentity(deps.config);
  const plan = planZone({
    zone,
    ownerId,
    ...(latency === undefined ? {} : { latency }),
    desired: desired.records.filter((d) => d.zoneId === zoneId),
    current,
    // Requested records are deleted only once the requests are known in this term (RecordRequests.current()).
    deletable: (resource) =>
      !desired.keep.has(resource) &&
      !held.has(resource) &&
      (resource.startsWith("domainroute/") || resource.startsWith("gateway/") || desired.requestsComplete),
  });
  for (const [resource, messages] of plan.conflicts) pass.conflicts.set(resource, [...(pass.conflicts.get(resource) ?? []), ...messages]);
  if (plan.groups.length === 0) return;
  const byKey = new Map(plan.groups.map((g) => [g.key, g]));
  const result = await sendZoneChanges(deps.route53, zoneId, batchChanges(plan.groups), deps.logger);
  for (const { changeId, groups } of result.sent) {
    const sent = groups.map((key) => byKey.get(key)!);
    state.landed(
      zoneId,
      sent.flatMap((g) => g.changes),
    );
    state.addPending({ changeId, zoneId, resources: [...new Set(sent.flatMap((g) => g.resources))] });
  }
  for (const { group, reasons } of result.rejected) for (const resource of byKey.get(group)?.resources ?? []) pass.rejected.set(resource, reasons);
  if (result.rejected.length > 0) state.invalidate(zoneId);
}

/** GetChange for the changes not yet INSYNC, oldest first; a zone's later changes wait while an earlier one is PENDING. */
async function pollChanges(deps: DnsReconcilerDeps, state: DnsState, pass: PassState): Promise<void> {
  const waiting = new Set<string>();
  for (const change of [...state.pending()]) {
    if (waiting.has(change.zoneId) || pass.unavailable.has(change.zoneId)) continue;
    try {
      if ((await deps.route53.changeStatus(change.changeId)) === "INSYNC") state.insync(change.changeId);
      else waiting.add(change.zoneId);
    } catch (error) {
      if (!(error instanceof Route53UnavailableError)) throw error;
      if (error.code === "NoSuchChange") {
        // Route53 forgot the change (it keeps them for a while only): read the zone again instead of waiting for it.
        state.insync(change.changeId);
        state.invalidate(change.zoneId);
      } else unavailable(deps, state, pass, change.zoneId, error);
    }
  }
}

function unavailable(deps: DnsReconcilerDeps, state: DnsState, pass: PassState, zoneId: string, error: Route53UnavailableError): void {
  deps.logger.warn({ zoneId, code: error.code, error: error.message }, "Route53 unavailable for a zone; its routes wait for the next pass");
  pass.unavailable.set(zoneId, error.message);
  pass.error ??= error;
  state.invalidate(zoneId);
}

/** The soonest of: polling a pending change, reading a zone again after a refusal, the next zone resync. */
function nextPass(state: DnsState, zones: readonly ManagedZone[], resyncMs: number, now: number): number | undefined {
  const delays: number[] = [];
  if (state.pending().length > 0) delays.push(CHANGE_POLL_MS);
  for (const zone of zones) {
    const due = state.dueAt(zone.zoneId, resyncMs);
    // A zone to read again (a refused or lost change) is read after the retry delay, not at once: no hot loop on a refusal.
    delays.push(due === undefined ? REJECTED_RETRY_MS : Math.max(0, due - now));
  }
  return delays.length === 0 ? undefined : Math.min(...delays);
}
