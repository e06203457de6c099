// A route's DNSReady condition and status.dns, from the DNS controller's
// outcome for it (dns-outcomes.ts), and whether its finalizer may go as far as
// DNS is concerned. Pure. The route controller writes them; the DNS controller
// only publishes outcomes.
//
// Stable reasons of DNSReady:
//   True     NotManaged            dns.provider none: DNS is not hostgate's job
//   True     RecordsReady          the records are in Route53 and the last change is INSYNC
//   True     PublishedBySourceRegion  RegionBound to another region, whose cluster publishes; this one holds nothing
//   Unknown  DNSPending            the DNS controller has not decided for this route (this uid) yet
//   Unknown  WaitingForPlacement   the route has no member of its load balancer pool yet (EdgePlaced says why):
//                                  no record is written, so nothing points at a load balancer it is not placed on
//   Unknown  GatewayAddressPending the route's CNAME is in place but the gateway record it points at is not
//                                  published (no address yet, refused, taken, or not INSYNC): Unknown, since
//                                  whether the name resolves is up to the gateway, not the route; Ready is False
//   False    RecordsPending        changes sent (or about to be), Route53 not INSYNC yet
//   False    RecordOwnedElsewhere  a record hostgate does not own holds the name (the message names it)
//   False    ZoneNotAllowed        spec.dns.zoneId is not a zone the platform gives the apex
//   False    CnameAtApex           recordType cname at a zone apex
//   False    DomainNotManaged      the domain is under no configured apex
//   False    RecordNameTooLong     the TXT owner record's name would pass DNS's limits (63 a label, 253 in all)
//   False    ReservedName          the domain is a two-step load balancer's gatewayHostname or its TXT owner record's name
//   False    NoRoute53Region       Active on a region the config gives no route53Region (only a config that skipped its checks)
//   False    UnknownSourceRegion   RegionBound to a region the platform config does not list: nothing published
//   False    ChangeRejected        Route53 refused the route's change group on its own
//   False    Route53Unavailable    Route53 unreachable or throttling after retries; retried with backoff
//   False    NotClaimed            the route does not hold its DomainClaim
//   False    RecordsReleasing      being deleted, records still being removed
//   False    RecordsReleased       being deleted, nothing of it left in DNS
// Messages carry no time and no request id, so an unchanged situation writes nothing.
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DnsRecordStatus, DomainRoute } from "../../crds/types.ts";
import { CONDITION_DNS_READY } from "../../crds/types.ts";
import type { ConditionInput } from "../status/conditions.ts";
import { decidedCondition } from "../status/conditions.ts";
import type { OutcomeLookup } from "../status/outcomes.ts";
import type { DnsOutcome } from "./dns-outcomes.ts";
import { WAITING_FOR_PLACEMENT } from "./pool-member-records.ts";

export const DNS_REASON = {
  NotManaged: "NotManaged",
  RecordsReady: "RecordsReady",
  DNSPending: "DNSPending",
  RecordsPending: "RecordsPending",
  NotClaimed: "NotClaimed",
  RecordsReleasing: "RecordsReleasing",
  RecordsReleased: "RecordsReleased",
  PublishedBySourceRegion: "PublishedBySourceRegion",
  WaitingForPlacement: WAITING_FOR_PLACEMENT,
} as const;

export interface DnsStatus {
  condition: ConditionInput;
  /** status.dns; undefined leaves it out. */
  records?: DnsRecordStatus[];
}

const type = CONDITION_DNS_READY;

/**
 * DNSReady and status.dns for dns.provider route53 and none. Undefined for
 * provider external-dns, whose condition comes from its DNSEndpoint
 * (dns/external-dns/), not from this controller's outcomes.
 */
export function dnsStatus(route: DomainRoute, lookup: OutcomeLookup<DnsOutcome>, config: PlatformConfig): DnsStatus | undefined {
  return config.dns.provider === "external-dns" ? undefined : route53Status(route, lookup, config);
}

function route53Status(route: DomainRoute, lookup: OutcomeLookup<DnsOutcome>, config: PlatformConfig): DnsStatus {
  if (config.dns.provider === "none") {
    return {
      condition: { type, status: "True", reason: DNS_REASON.NotManaged, message: "the platform manages DNS records outside hostgate (dns.provider none)" },
    };
  }
  const previous = route.status?.dns;
  const keep = (condition: ConditionInput): DnsStatus => (previous === undefined ? { condition } : { condition, records: previous });
  const pending = keep({
    type,
    status: "Unknown",
    reason: DNS_REASON.DNSPending,
    message: `waiting for the DNS controller to place the records for ${route.spec.domain}`,
  });
  if (!lookup.known) {
    // The DNS controller has not finished a pass in this term (a restart): what the status says stays, so a restart writes nothing.
    const decided = decidedCondition(route.status?.conditions, type, DNS_REASON.NotManaged);
    return decided === undefined ? pending : keep(decided);
  }
  const outcome = lookup.outcome;
  // Decided for another incarnation of the route: the next pass decides for this one.
  if (outcome === undefined || outcome.uid !== route.metadata.uid) return pending;
  switch (outcome.kind) {
    case "ready":
      return {
        condition: { type, status: "True", reason: DNS_REASON.RecordsReady, message: `Route53 holds ${listed(outcome.records)}, in sync` },
        records: [...outcome.records],
      };
    case "pending":
      return {
        condition: { type, status: "False", reason: DNS_REASON.RecordsPending, message: `Route53 is applying ${listed(outcome.records)}; waiting for INSYNC` },
        records: [...outcome.records],
      };
    case "waiting":
      return { condition: { type, status: "Unknown", reason: outcome.reason, message: outcome.message }, records: [...outcome.records] };
    case "elsewhere":
      // Nothing of the route is in this cluster's zones: status.dns lists nothing (the source region's cluster lists its records).
      return { condition: { type, status: "True", reason: DNS_REASON.PublishedBySourceRegion, message: outcome.message } };
    case "refused":
      return { condition: { type, status: "False", reason: outcome.reason, message: outcome.message } };
    case "failed":
      // What Route53 holds is unknown or unchanged: status.dns stays as it was.
      return keep({ type, status: "False", reason: outcome.reason, message: outcome.message });
    case "unclaimed":
      return {
        condition: {
          type,
          status: "False",
          reason: DNS_REASON.NotClaimed,
          message: `the route does not hold the DomainClaim for ${route.spec.domain}, so no DNS record is written for it`,
        },
      };
    case "unplaced":
      // Nothing of the route is (or, once its old records are removed, will be) in DNS: status.dns lists nothing.
      return { condition: { type, status: "Unknown", reason: DNS_REASON.WaitingForPlacement, message: outcome.message } };
    case "releasing": {
      const why = outcome.message === undefined ? "" : `: ${outcome.message}`;
      return keep({
        type,
        status: "False",
        reason: DNS_REASON.RecordsReleasing,
        message: `the route is being deleted; its DNS records are being removed${why}`,
      });
    }
    case "released":
      return { condition: { type, status: "False", reason: DNS_REASON.RecordsReleased, message: "the route is being deleted; its DNS records are removed" } };
  }
}

/**
 * Whether DNS lets the route's finalizer go: the last pass shows nothing of
 * this route (this uid) left in any zone. Always true when hostgate writes no
 * records itself: provider none, and provider external-dns, where the
 * DNSEndpoint is one of the route's produced objects, deleted with them, and
 * external-dns removes the record.
 */
export function dnsReleased(route: DomainRoute, lookup: OutcomeLookup<DnsOutcome>, config: PlatformConfig): boolean {
  if (config.dns.provider !== "route53") return true;
  return lookup.known && lookup.outcome?.kind === "released" && lookup.outcome.uid === route.metadata.uid;
}

/**
 * `A shop.example.com → lb.elb.amazonaws.com in zone Z123`, records joined;
 * a record listed once per region is said once, with its regions
 * (`… for regions eus, weu`), and a latency record with its set identifier.
 */
function listed(records: readonly DnsRecordStatus[]): string {
  const byRecord = new Map<string, string[]>();
  for (const r of records) {
    const key = `${r.type} ${r.name} → ${r.target}${r.setIdentifier === undefined ? "" : ` (set ${r.setIdentifier})`}${r.zoneId === undefined ? "" : ` in zone ${r.zoneId}`}`;
    byRecord.set(key, [...(byRecord.get(key) ?? []), ...(r.region === undefined ? [] : [r.region])]);
  }
  return [...byRecord]
    .map(([text, regions]) => (regions.length === 0 ? text : `${text} for region${regions.length === 1 ? "" : "s"} ${regions.join(", ")}`))
    .join(", ");
}
