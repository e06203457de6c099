// What the DNS controller decided for each route (status/outcomes.ts): the
// route controller turns a route's outcome into DNSReady and status.dns
// (dns-condition.ts) and, for a route being deleted, waits for `released`
// before it drops its finalizer. An outcome names the route's uid as the DNS
// controller saw it: a route re-created under the same name must not take an
// outcome decided for the one before.
import { compareStrings } from "../../core/compare-strings.ts";
import type { DnsRecordStatus } from "../../crds/types.ts";
import { Outcomes } from "../status/outcomes.ts";
import type { DnsRefusalReason, RouteIntent } from "./desired-records.ts";
import type { GatewayIntent, GatewayRef } from "./gateway-records.ts";
import { gatewayResourceOwner } from "./gateway-records.ts";

export const DNS_FAILURE = {
  /** Route53 refused the route's change group (InvalidChangeBatch, InvalidInput) even on its own. */
  ChangeRejected: "ChangeRejected",
  /** Route53 could not be reached or kept throttling after the retries; the controller backs off. */
  Route53Unavailable: "Route53Unavailable",
} as const;
export type DnsFailureReason = (typeof DNS_FAILURE)[keyof typeof DNS_FAILURE];

/** A name held by a record hostgate does not own (or does not own for this route). */
export const RECORD_OWNED_ELSEWHERE = "RecordOwnedElsewhere";
/** The route's records are in place but the gateway record they point at is not (yet): see gatewayProblem. */
export const GATEWAY_ADDRESS_PENDING = "GatewayAddressPending";

export type DnsOutcome =
  /** Every record is in Route53 and Route53 reported the last change INSYNC. */
  | { readonly kind: "ready"; readonly uid: string; readonly records: readonly DnsRecordStatus[] }
  /** Changes sent (or about to be), Route53 not yet INSYNC. */
  | { readonly kind: "pending"; readonly uid: string; readonly records: readonly DnsRecordStatus[] }
  /**
   * The route's own records are written (or being written) but the gateway
   * record its CNAME points at is not published: no address yet, refused, held
   * by someone else, or not INSYNC. The name does not resolve until it is.
   */
  | {
      readonly kind: "waiting";
      readonly uid: string;
      readonly reason: typeof GATEWAY_ADDRESS_PENDING;
      readonly message: string;
      readonly records: readonly DnsRecordStatus[];
    }
  /** RegionBound to another region: that region's cluster publishes, this one holds nothing for the route. */
  | { readonly kind: "elsewhere"; readonly uid: string; readonly sourceRegion: string; readonly message: string }
  /** Nothing is written for the route: the reason says why and the message how to fix it. */
  | { readonly kind: "refused"; readonly uid: string; readonly reason: DnsRefusalReason | typeof RECORD_OWNED_ELSEWHERE; readonly message: string }
  | { readonly kind: "failed"; readonly uid: string; readonly reason: DnsFailureReason; readonly message: string }
  /** The route does not hold its DomainClaim: it gets no record. */
  | { readonly kind: "unclaimed"; readonly uid: string }
  /** The route has no pool member yet: it gets no record until it is placed (`message` says so). */
  | { readonly kind: "unplaced"; readonly uid: string; readonly message: string }
  /** Being deleted and something of it is still in DNS (its deletes are planned, in flight, or failed: `message`). */
  | { readonly kind: "releasing"; readonly uid: string; readonly message?: string }
  /** Being deleted and nothing of it is left in any zone: its finalizer may go. */
  | { readonly kind: "released"; readonly uid: string };

export class DnsOutcomes extends Outcomes<DnsOutcome> {}

/** What a pass learned about the zones, for the outcomes. */
export interface PassFindings {
  /** Zones whose read or send failed with Route53UnavailableError → the error's message (what failed and how to fix it). */
  readonly unavailable: ReadonlyMap<string, string>;
  /** resource → RecordOwnedElsewhere messages (all zones). */
  readonly conflicts: ReadonlyMap<string, readonly string[]>;
  /** resource → Route53's reasons for refusing its group in this pass. */
  readonly rejected: ReadonlyMap<string, readonly string[]>;
  /** Resources with a change Route53 has not reported INSYNC yet. */
  readonly pending: ReadonlySet<string>;
  /** Resources owning anything (a record or a registry TXT) in a zone, as the pass left it. */
  readonly owned: ReadonlySet<string>;
  /** Every managed zone has been read in this term: `owned` covers them all. */
  readonly allZonesKnown: boolean;
}

/** Each route's outcome, keyed by routeRef. `gateways`: the gateway records routes on two-step load balancers point at. */
export function routeOutcomes(intents: readonly RouteIntent[], findings: PassFindings, gateways: readonly GatewayIntent[] = []): Map<string, DnsOutcome> {
  const outcomes = new Map<string, DnsOutcome>();
  for (const intent of intents) outcomes.set(intent.routeRef, outcomeOf(intent, findings, gateways));
  return outcomes;
}

function outcomeOf(intent: RouteIntent, findings: PassFindings, gateways: readonly GatewayIntent[]): DnsOutcome {
  const { uid, resource } = intent;
  switch (intent.kind) {
    case "refused":
      return { kind: "refused", uid, reason: intent.reason, message: intent.message };
    case "elsewhere": {
      // Records of an earlier mode are deleted like any no longer wanted; until then the message says so.
      const leaving = findings.owned.has(resource) ? "; the records it held here before are being removed" : "";
      return { kind: "elsewhere", uid, sourceRegion: intent.sourceRegion, message: `${intent.message}${leaving}` };
    }
    case "unclaimed":
      return { kind: "unclaimed", uid };
    case "unplaced": {
      // Records it held on a member it has left are deleted like any no longer wanted; until then the message says so.
      const leaving = findings.owned.has(resource) ? "; the records it held before are being removed" : "";
      return { kind: "unplaced", uid, message: `${intent.message}${leaving}` };
    }
    case "deleting": {
      const rejected = findings.rejected.get(resource);
      if (rejected !== undefined) return { kind: "releasing", uid, message: `Route53 refused to delete the route's records: ${rejected.join("; ")}` };
      if (findings.allZonesKnown && !findings.owned.has(resource)) return { kind: "released", uid };
      return { kind: "releasing", uid };
    }
    case "records": {
      const failure = findings.unavailable.get(intent.zoneId);
      if (failure !== undefined) {
        const message = `Route53 failed for zone ${intent.zoneId}, so the route's records could not be checked or written: ${failure}`;
        return { kind: "failed", uid, reason: DNS_FAILURE.Route53Unavailable, message };
      }
      const conflicts = findings.conflicts.get(resource);
      if (conflicts !== undefined) {
        const message = `${conflicts.join("; ")}. Nothing is written for this route until the name is free`;
        return { kind: "refused", uid, reason: RECORD_OWNED_ELSEWHERE, message };
      }
      const rejected = findings.rejected.get(resource);
      if (rejected !== undefined) {
        const message = `Route53 refused the route's records: ${rejected.join("; ")}`;
        return { kind: "failed", uid, reason: DNS_FAILURE.ChangeRejected, message };
      }
      const records = recordStatuses(intent);
      // A gateway that will not publish by itself (no address, refused, taken) outranks the route's own wait for INSYNC; a gateway change in flight does not.
      const gateway = intent.gateway === undefined ? undefined : gatewayProblem(intent.gateway, gateways, findings);
      if (gateway !== undefined && !gateway.inFlight) return { kind: "waiting", uid, reason: GATEWAY_ADDRESS_PENDING, message: gateway.message, records };
      if (findings.pending.has(resource)) return { kind: "pending", uid, records };
      if (gateway !== undefined) return { kind: "waiting", uid, reason: GATEWAY_ADDRESS_PENDING, message: gateway.message, records };
      return { kind: "ready", uid, records };
    }
  }
}

/** Why the gateway record `ref` is not published and in sync, or undefined when it is; `inFlight`: only waiting for INSYNC. */
export function gatewayProblem(
  ref: GatewayRef,
  gateways: readonly GatewayIntent[],
  findings: PassFindings,
): { message: string; inFlight: boolean } | undefined {
  const intent = gateways.find((g) => g.resource === ref.resource && g.hostname === ref.hostname);
  const what = `the gateway record ${ref.hostname} (the address of ${gatewayResourceOwner(ref.resource)}), which the route's CNAME points at,`;
  const problem = (why: string, inFlight = false) => ({ message: `${what} ${why}; the route's own records are in place`, inFlight });
  if (intent === undefined) return problem("is not configured");
  const { state } = intent;
  if (state.kind === "no-address" || state.kind === "absent") return problem(`is not published: ${state.message}`);
  if (state.kind === "refused") return problem(`cannot be published (${state.reason}): ${state.message}`);
  const failure = findings.unavailable.get(state.zoneId);
  if (failure !== undefined) return problem(`could not be checked or written, Route53 failed for zone ${state.zoneId}: ${failure}`);
  const conflicts = findings.conflicts.get(intent.resource);
  if (conflicts !== undefined) return problem(`is not published: ${conflicts.join("; ")}`);
  const rejected = findings.rejected.get(intent.resource);
  if (rejected !== undefined) return problem(`was refused by Route53: ${rejected.join("; ")}`);
  if (findings.pending.has(intent.resource)) return problem("is being applied; waiting for Route53 to report INSYNC", true);
  return undefined;
}

/**
 * status.dns: one entry per record and platform region, sorted by name,
 * type, then region; the target is the alias DNS name or the first value.
 * A simple record a RegionBound source publishes for every region (Route53
 * has one zone, so one record serves them all) is listed once per region,
 * each with its region and no set identifier: the status then says per
 * region what this cluster publishes, as the external-dns back end's one
 * DNSEndpoint per region does, and a reader need not know Route53's routing
 * to see that every region is served. Latency records (Active) carry their
 * set identifier. A single-region platform lists each record once, with no region.
 */
export function recordStatuses(intent: Extract<RouteIntent, { kind: "records" }>): DnsRecordStatus[] {
  const regions: (string | undefined)[] = intent.regions.length === 0 ? [undefined] : [...intent.regions];
  return intent.records
    .flatMap((r) =>
      regions.map(
        (region): DnsRecordStatus => ({
          name: r.name,
          type: r.type,
          target: r.alias?.dnsName ?? r.values?.[0] ?? "",
          zoneId: intent.zoneId,
          ...(region === undefined ? {} : { region }),
          ...(r.setIdentifier === undefined ? {} : { setIdentifier: r.setIdentifier }),
        }),
      ),
    )
    .sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.type, b.type) || compareStrings(a.region ?? "", b.region ?? ""));
}
