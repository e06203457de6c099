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
import type { DnsRecord } from "./route53-port.ts";

export const DNS_FAILURE = {
  /** Route53 refused the route's change group (InvalidChangeBatch, InvalidInput) even on its own. */
  ChangeRejected: "ChangeRejected",
  /** Route53 could not be reached or kept throttling after the retries; the controller backs off. */
  Route53Unavailable: "Route53Unavailable",
} as const;
export type DnsFailureReason = (typeof DNS_FAILURE)[keyof typeof DNS_FAILURE];

/** A name held by a record hostgate does not own (or does not own for this route). */
export const RECORD_OWNED_ELSEWHERE = "RecordOwnedElsewhere";

export type DnsOutcome =
  /** Every record is in Route53 and Route53 reported the last change INSYNC. */
  | { readonly kind: "ready"; readonly uid: string; readonly records: readonly DnsRecordStatus[] }
  /** Changes sent (or about to be), Route53 not yet INSYNC. */
  | { readonly kind: "pending"; readonly uid: string; readonly records: readonly DnsRecordStatus[] }
  /** Nothing is written for the route: the reason says why and the message how to fix it. */
  | { readonly kind: "refused"; readonly uid: string; readonly reason: DnsRefusalReason | typeof RECORD_OWNED_ELSEWHERE; readonly message: string }
  | { readonly kind: "failed"; readonly uid: string; readonly reason: DnsFailureReason; readonly message: string }
  /** The route does not hold its DomainClaim: it gets no record. */
  | { readonly kind: "unclaimed"; readonly uid: string }
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

/** Each route's outcome, keyed by routeRef. */
export function routeOutcomes(intents: readonly RouteIntent[], findings: PassFindings): Map<string, DnsOutcome> {
  const outcomes = new Map<string, DnsOutcome>();
  for (const intent of intents) outcomes.set(intent.routeRef, outcomeOf(intent, findings));
  return outcomes;
}

function outcomeOf(intent: RouteIntent, findings: PassFindings): DnsOutcome {
  const { uid, resource } = intent;
  switch (intent.kind) {
    case "refused":
      return { kind: "refused", uid, reason: intent.reason, message: intent.message };
    case "unclaimed":
      return { kind: "unclaimed", uid };
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
      const records = recordStatuses(intent.records, intent.zoneId);
      return findings.pending.has(resource) ? { kind: "pending", uid, records } : { kind: "ready", uid, records };
    }
  }
}

/** status.dns: the records, sorted by name then type; the target is the alias DNS name or the first value. */
export function recordStatuses(records: readonly DnsRecord[], zoneId: string): DnsRecordStatus[] {
  return records
    .map((r) => ({ name: r.name, type: r.type, target: r.alias?.dnsName ?? r.values?.[0] ?? "", zoneId }))
    .sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.type, b.type));
}
