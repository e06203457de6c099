// What Route53 should hold, from the cluster and the config: for each
// DomainRoute that holds its claim, its record(s) pointing at its load
// balancer in the zone it may use; and the records other controllers request
// (ACM validation CNAMEs, record-requests.ts). Each desired record names its
// owner resource for the TXT registry. Pure.
//
// A route gets:
//   - recordType alias: an A alias to loadBalancers[spec.lb] (its canonical
//     hosted zone, EvaluateTargetHealth true), and an AAAA alias beside it when
//     the load balancer is dualstack;
//   - recordType cname: a CNAME to the load balancer's DNS name, TTL spec.dns.ttl (300).
// in spec.dns.zoneId when that is the apex's zone or one of its
// additionalZoneIds, else in the apex's zone. Refused, with a reason the
// route's DNSReady shows: a zoneId the platform did not give the apex
// (ZoneNotAllowed: a tenant must not write records where the platform did not
// say), a CNAME at the apex (CnameAtApex: DNS forbids it, Route53 refuses the
// batch), a domain under no configured apex (DomainNotManaged), a domain
// whose TXT owner record's name would break DNS's length limits
// (RecordNameTooLong: `a-`, `aaaa-` or `cname-` before a first label of 58 to
// 63 characters makes it longer than 63, which Route53 refuses as
// DomainLabelTooLong; external-dns issue 2839).
import type { DomainConfig, PlatformConfig } from "../../core/config/platform-config.ts";
import { compareStrings } from "../../core/compare-strings.ts";
import { loadBalancerTarget } from "../../core/config/load-balancer-target.ts";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import { DEFAULT_DNS_TTL_SECONDS } from "../../crds/types.ts";
import { apexOf } from "../../policies/engine/functions/hostname.ts";
import type { RecordRequest } from "./record-requests.ts";
import type { DnsRecord } from "./route53-port.ts";
import { MAX_LABEL_CHARACTERS, MAX_NAME_CHARACTERS, nameLengthProblem } from "./route53/route53-names.ts";
import { registryName } from "./txt-registry.ts";

export const DNS_REFUSAL = {
  ZoneNotAllowed: "ZoneNotAllowed",
  CnameAtApex: "CnameAtApex",
  DomainNotManaged: "DomainNotManaged",
  RecordNameTooLong: "RecordNameTooLong",
} as const;
export type DnsRefusalReason = (typeof DNS_REFUSAL)[keyof typeof DNS_REFUSAL];

/** A record hostgate should hold, in a zone, for a resource (`domainroute/<ns>/<name>`, `certificate/…`). */
export interface DesiredRecord {
  readonly zoneId: string;
  readonly record: DnsRecord;
  readonly resource: string;
}

/** A hosted zone hostgate manages and the apex it serves (its name). */
export interface ManagedZone {
  readonly zoneId: string;
  readonly apex: string;
}

interface RouteIdentity {
  /** `namespace/name` */
  readonly routeRef: string;
  readonly uid: string;
  /** The TXT registry resource: `domainroute/<namespace>/<name>`. */
  readonly resource: string;
}

/** What a route asks of DNS. */
export type RouteIntent = RouteIdentity &
  (
    | { readonly kind: "records"; readonly zoneId: string; readonly records: readonly DnsRecord[] }
    | { readonly kind: "refused"; readonly reason: DnsRefusalReason; readonly message: string }
    /** Another route holds the domain's claim (or none does yet): nothing for this one. */
    | { readonly kind: "unclaimed" }
    /** Being deleted: nothing any more, and what it had goes. */
    | { readonly kind: "deleting" }
  );

export interface DesiredDns {
  /** Every zone the config names, sorted by id: each is read, so records no longer wanted anywhere are found. */
  readonly zones: readonly ManagedZone[];
  /** Sorted by zone, name, type. */
  readonly records: readonly DesiredRecord[];
  /** One per route, sorted by routeRef. */
  readonly routes: readonly RouteIntent[];
  /** False while RecordRequests has not published in this term: requested records must then not be deleted. */
  readonly requestsComplete: boolean;
  /** Requests that name a zone the config does not: left out, for the log. */
  readonly ignoredRequests: readonly string[];
}

export interface DesiredDnsInput {
  readonly routes: readonly DomainRoute[];
  readonly claims: readonly DomainClaim[];
  readonly config: PlatformConfig;
  /** RecordRequests.current(): undefined until the certificate controller publishes. */
  readonly requests: readonly RecordRequest[] | undefined;
}

export function routeResource(route: Pick<DomainRoute, "metadata">): string {
  return `domainroute/${route.metadata.namespace}/${route.metadata.name}`;
}

export function desiredDns(input: DesiredDnsInput): DesiredDns {
  const zones = managedZones(input.config);
  const known = new Set(zones.map((z) => z.zoneId));
  const claimHolders = new Map(input.claims.map((c) => [c.metadata.name ?? c.spec.domain, c.spec.owner.uid]));
  const routes = input.routes
    .map((route) => routeIntent(route, input.config, claimHolders.get(route.spec.domain) === route.metadata.uid))
    .sort((a, b) => compareStrings(a.routeRef, b.routeRef));
  const records: DesiredRecord[] = [];
  for (const intent of routes) {
    if (intent.kind !== "records") continue;
    for (const record of intent.records) records.push({ zoneId: intent.zoneId, record, resource: intent.resource });
  }
  const ignoredRequests: string[] = [];
  for (const request of input.requests ?? []) {
    if (known.has(request.zoneId)) records.push({ zoneId: request.zoneId, record: request.record, resource: request.resource });
    else ignoredRequests.push(`${request.record.type} ${request.record.name} for ${request.resource} names zone ${request.zoneId}, which the config does not`);
  }
  records.sort((a, b) => compareStrings(a.zoneId, b.zoneId) || compareStrings(a.record.name, b.record.name) || compareStrings(a.record.type, b.record.type));
  return { zones, records, routes, requestsComplete: input.requests !== undefined, ignoredRequests };
}

/** Every configured zone with its apex; a zone listed twice keeps the apex that lists it first (primary zones before additional ones). */
export function managedZones(config: PlatformConfig): ManagedZone[] {
  const byId = new Map<string, string>();
  for (const domain of config.domains) if (!byId.has(domain.zoneId)) byId.set(domain.zoneId, domain.apex);
  for (const domain of config.domains) for (const zoneId of domain.additionalZoneIds) if (!byId.has(zoneId)) byId.set(zoneId, domain.apex);
  return [...byId].map(([zoneId, apex]) => ({ zoneId, apex })).sort((a, b) => compareStrings(a.zoneId, b.zoneId));
}

/**
 * What one route asks of DNS. `holdsClaim`: whether the DomainClaim for its
 * domain names it (`hostgate render`, offline, assumes it does).
 */
export function routeIntent(route: DomainRoute, config: PlatformConfig, holdsClaim: boolean): RouteIntent {
  const identity: RouteIdentity = {
    routeRef: `${route.metadata.namespace}/${route.metadata.name}`,
    uid: route.metadata.uid ?? "",
    resource: routeResource(route),
  };
  if (route.metadata.deletionTimestamp !== undefined) return { ...identity, kind: "deleting" };
  if (!holdsClaim || route.metadata.uid === undefined) return { ...identity, kind: "unclaimed" };
  const domain = route.spec.domain;
  const apex = apexOf(
    domain,
    config.domains.map((d) => d.apex),
  );
  const domainConfig = config.domains.find((d) => d.apex === apex);
  if (apex === "" || domainConfig === undefined) {
    const apexes = config.domains.map((d) => d.apex).join(", ");
    return {
      ...identity,
      kind: "refused",
      reason: DNS_REFUSAL.DomainNotManaged,
      message: `${domain} is under none of the platform's domains (${apexes}), so hostgate has no zone to write its record in`,
    };
  }
  const zone = zoneFor(route, domainConfig);
  if (zone.refusal !== undefined) return { ...identity, kind: "refused", reason: DNS_REFUSAL.ZoneNotAllowed, message: zone.refusal };
  const lb = config.loadBalancers[route.spec.lb];
  const lbTarget = loadBalancerTarget(lb);
  const target = lbTarget.kind === "fixed" ? lbTarget.dnsName : lbTarget.gatewayHostname;
  if (config.dns.recordType === "cname" || lbTarget.kind === "service") {
    if (domain === apex) {
      return {
        ...identity,
        kind: "refused",
        reason: DNS_REFUSAL.CnameAtApex,
        message: `${domain} is the apex of its zone, where DNS allows no CNAME; the platform's dns.recordType is cname, so no record is written (recordType alias can point an apex at the load balancer)`,
      };
    }
    const ttl = route.spec.dns?.ttl ?? DEFAULT_DNS_TTL_SECONDS;
    return placed(identity, zone.zoneId, apex, [{ name: domain, type: "CNAME", ttl, values: [target] }]);
  }
  const alias = { hostedZoneId: lbTarget.hostedZoneId, dnsName: target, evaluateTargetHealth: true };
  const records: DnsRecord[] = [{ name: domain, type: "A", alias }];
  if (lb.ipAddressType === "dualstack") records.push({ name: domain, type: "AAAA", alias });
  return placed(identity, zone.zoneId, apex, records);
}

/** The route's records, or RecordNameTooLong when a TXT owner record's name would break DNS's length limits (Route53 would refuse the batch). */
function placed(identity: RouteIdentity, zoneId: string, apex: string, records: DnsRecord[]): RouteIntent {
  for (const record of records) {
    const txt = registryName(record.name, record.type, apex);
    const problem = nameLengthProblem(txt);
    if (problem === undefined) continue;
    const what = `the TXT owner record of ${record.type} ${record.name} would be named ${txt}`;
    const message =
      problem.kind === "label"
        ? `${what}, whose first label is ${problem.label.length} characters where Route53 allows ${MAX_LABEL_CHARACTERS}, so no record is written; ` +
          `use a domain whose first label has at most ${MAX_LABEL_CHARACTERS - (problem.label.length - record.name.split(".")[0]!.length)} characters`
        : `${what}, which is ${txt.length} characters where Route53 allows ${MAX_NAME_CHARACTERS}, so no record is written; ` +
          `use a domain of at most ${MAX_NAME_CHARACTERS - (txt.length - record.name.length)} characters`;
    return { ...identity, kind: "refused", reason: DNS_REFUSAL.RecordNameTooLong, message };
  }
  return { ...identity, kind: "records", zoneId, records };
}

function zoneFor(route: DomainRoute, domain: DomainConfig): { zoneId: string; refusal?: string } {
  const asked = route.spec.dns?.zoneId;
  if (asked === undefined || asked === domain.zoneId || domain.additionalZoneIds.includes(asked)) return { zoneId: asked ?? domain.zoneId };
  const allowed = [domain.zoneId, ...domain.additionalZoneIds].join(", ");
  return {
    zoneId: domain.zoneId,
    refusal: `spec.dns.zoneId ${asked} is not a zone the platform gives ${domain.apex} (it allows ${allowed}); remove spec.dns.zoneId or use one of those`,
  };
}
