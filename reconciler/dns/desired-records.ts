// What Route53 should hold, from the cluster and the config: for each
// DomainRoute that holds its claim, its record(s) pointing at its load
// balancer in the zone it may use; and the records other controllers request
// (ACM validation CNAMEs, record-requests.ts). Each desired record names its
// owner resource for the TXT registry. Pure.
//
// A route's records point at its pool member (reconciler/edge/placed-member.ts:
// the member status.edge names, or the one entry of a class without a pool);
// a route with no member yet gets none (`unplaced`, DNSReady Unknown
// WaitingForPlacement): nothing points at a load balancer it is not placed on.
// A route gets:
//   - recordType alias: an A alias to its member's load balancer (its canonical
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
// DomainLabelTooLong; external-dns issue 2839), a domain that is a two-step
// load balancer's gatewayHostname or where its gateway record's TXT owner
// record goes (ReservedName: first come would be first served there, and a
// tenant route written while the gateway has no address would keep the
// gateway record, and every route behind it, out for good).
//
// A route on a two-step member (a gateway Service, or a pooled Gateway on the
// Gateway API data plane) gets a CNAME to the member's gatewayHostname whatever dns.recordType says; the gateway record
// of every two-step member is desired too (gateway-records.ts), and the route's intent names it
// so its outcome can wait for it.
//
// Across regions (region-placement.ts decides, route over namespace over
// platform): Active publishes the same records as latency records
// (SetIdentifier = cluster.name, Region = the own region's route53Region);
// RegionBound publishes one simple record from the source region's cluster
// (Route53 has one zone for every region) and nothing elsewhere; a
// sourceRegion the config does not list is refused (UnknownSourceRegion).
import type { DomainConfig, PlatformConfig } from "../../core/config/platform-config.ts";
import { compareStrings } from "../../core/compare-strings.ts";
import { loadBalancerTarget } from "../../core/config/load-balancer-target.ts";
import type { DomainClaim, DomainRoute, RegionPolicy } from "../../crds/types.ts";
import { DEFAULT_DNS_TTL_SECONDS, REGION_POLICY_NAME } from "../../crds/types.ts";
import { apexOf } from "../../policies/engine/functions/hostname.ts";
import { placedMember } from "../edge/placed-member.ts";
import type { AddressObjects } from "./gateway-address.ts";
import type { GatewayIntent, GatewayRef, ServiceLookup } from "./gateway-records.ts";
import { gatewayIntents, gatewayOf, gatewayRegistryName } from "./gateway-records.ts";
import type { RecordRequest } from "./record-requests.ts";
import type { Publication } from "./region-placement.ts";
import { placementField, publicationFor, resolvePlacement } from "./region-placement.ts";
import { memberPath, waitingForPlacementMessage } from "./pool-member-records.ts";
import { registryNameTooLong } from "./registry-name-length.ts";
import { RESERVED_NAME_REASON, reservedName } from "./reserved-name.ts";
import type { LatencyIdentity } from "./plan-dns.ts";
import type { DnsRecord } from "./route53-port.ts";

export const DNS_REFUSAL = {
  ZoneNotAllowed: "ZoneNotAllowed",
  CnameAtApex: "CnameAtApex",
  DomainNotManaged: "DomainNotManaged",
  RecordNameTooLong: "RecordNameTooLong",
  /** RegionBound to a region the platform config does not list (publicationFor's message). */
  UnknownSourceRegion: "UnknownSourceRegion",
  /** Active on a region without route53Region (a config the checks refuse): no latency record can be written. */
  NoRoute53Region: "NoRoute53Region",
  /** The domain is the platform's gateway record (a gatewayHostname) or its TXT owner record's name (reserved-name.ts, gatewayRegistryName). */
  ReservedName: RESERVED_NAME_REASON,
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
    | {
        readonly kind: "records";
        readonly zoneId: string;
        readonly records: readonly DnsRecord[];
        /** The platform regions (config regions[].name, sorted) the records are published for; empty on a single-region platform. */
        readonly regions: readonly string[];
        /** On a two-step load balancer: the gateway record the route's CNAME points at. */
        readonly gateway?: GatewayRef;
      }
    | { readonly kind: "refused"; readonly reason: DnsRefusalReason; readonly message: string }
    /** RegionBound to another region: that region's cluster publishes, this one nothing; `message` says so. */
    | { readonly kind: "elsewhere"; readonly sourceRegion: string; readonly message: string }
    /** Another route holds the domain's claim (or none does yet): nothing for this one. */
    | { readonly kind: "unclaimed" }
    /** No pool member yet (placed-member.ts): no record, so nothing points at a load balancer the route is not on; `message` says so. */
    | { readonly kind: "unplaced"; readonly message: string }
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
  /** One per gateway record of a two-step load balancer entry, sorted by hostname. */
  readonly gateways: readonly GatewayIntent[];
  /** Owner resources whose records must stay though nothing wants them now (a gateway without an address yet). */
  readonly keep: ReadonlySet<string>;
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
  /** The namespaces' RegionPolicies (only those named `default` count); none: every namespace follows the platform's dns.regionMode. */
  readonly regionPolicies?: readonly RegionPolicy[];
  /** The gateway Services of two-step load balancer entries; absent: none is known (no gateway address). */
  readonly services?: ServiceLookup;
  /** The pooled Gateways (Gateway API data plane) in the gateway namespace; absent: none is known (no gateway address). */
  readonly gateways?: ServiceLookup;
  /** Whether a pooled Gateway is hostgate's, so its address may be published (gateway-address.ts; default ownPoolGateway). */
  readonly ownGateway?: AddressObjects["ownGateway"];
}

export function routeResource(route: Pick<DomainRoute, "metadata">): string {
  return `domainroute/${route.metadata.namespace}/${route.metadata.name}`;
}

export function desiredDns(input: DesiredDnsInput): DesiredDns {
  const zones = managedZones(input.config);
  const known = new Set(zones.map((z) => z.zoneId));
  const claimHolders = new Map(input.claims.map((c) => [c.metadata.name ?? c.spec.domain, c.spec.owner.uid]));
  const policies = regionPoliciesByNamespace(input.regionPolicies ?? []);
  const routes = input.routes
    .map((route) => {
      const publication = publicationFor(resolvePlacement(route, policies.get(route.metadata.namespace ?? ""), input.config), input.config);
      return routeIntent(route, input.config, claimHolders.get(route.spec.domain) === route.metadata.uid, publication);
    })
    .sort((a, b) => compareStrings(a.routeRef, b.routeRef));
  const records: DesiredRecord[] = [];
  for (const intent of routes) {
    if (intent.kind !== "records") continue;
    for (const record of intent.records) records.push({ zoneId: intent.zoneId, record, resource: intent.resource });
  }
  const none = () => undefined;
  const objects: AddressObjects = {
    service: input.services ?? none,
    gateway: input.gateways ?? none,
    ...(input.ownGateway ? { ownGateway: input.ownGateway } : {}),
  };
  const gateways = gatewayIntents(input.config, objects, input.routes);
  const keep = new Set<string>();
  for (const gateway of gateways) {
    if (gateway.state.kind === "no-address") keep.add(gateway.resource);
    if (gateway.state.kind !== "records") continue;
    for (const record of gateway.state.records) records.push({ zoneId: gateway.state.zoneId, record, resource: gateway.resource });
  }
  const ignoredRequests: string[] = [];
  for (const request of input.requests ?? []) {
    if (known.has(request.zoneId)) records.push({ zoneId: request.zoneId, record: request.record, resource: request.resource });
    else ignoredRequests.push(`${request.record.type} ${request.record.name} for ${request.resource} names zone ${request.zoneId}, which the config does not`);
  }
  records.sort((a, b) => compareStrings(a.zoneId, b.zoneId) || compareStrings(a.record.name, b.record.name) || compareStrings(a.record.type, b.record.type));
  return { zones, records, routes, gateways, keep, requestsComplete: input.requests !== undefined, ignoredRequests };
}

/** namespace → its RegionPolicy (the one named `default`; the CRD allows no other name, but a stray one must not count). */
export function regionPoliciesByNamespace(policies: readonly RegionPolicy[]): Map<string, RegionPolicy> {
  const byNamespace = new Map<string, RegionPolicy>();
  for (const policy of policies)
    if (policy.metadata.name === REGION_POLICY_NAME && policy.metadata.namespace !== undefined) byNamespace.set(policy.metadata.namespace, policy);
  return byNamespace;
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
 * domain names it (`hostgate render`, offline, assumes it does);
 * `publication`: what this cluster publishes for it (region-placement.ts).
 */
export function routeIntent(route: DomainRoute, config: PlatformConfig, holdsClaim: boolean, publication: Publication = { kind: "single" }): RouteIntent {
  const identity: RouteIdentity = {
    routeRef: `${route.metadata.namespace}/${route.metadata.name}`,
    uid: route.metadata.uid ?? "",
    resource: routeResource(route),
  };
  if (route.metadata.deletionTimestamp !== undefined) return { ...identity, kind: "deleting" };
  if (!holdsClaim || route.metadata.uid === undefined) return { ...identity, kind: "unclaimed" };
  // Before the region checks: the name is the platform's in every region, so the route is wrong wherever it is published.
  const reserved = reservedName(route.spec.domain, config)?.message ?? gatewayRegistryName(route.spec.domain, config);
  if (reserved !== undefined) return { ...identity, kind: "refused", reason: DNS_REFUSAL.ReservedName, message: reserved };
  if (publication.kind === "unknown-region") return { ...identity, kind: "refused", reason: DNS_REFUSAL.UnknownSourceRegion, message: publication.message };
  if (publication.kind === "elsewhere") {
    const own = config.cluster === undefined ? "" : ` (this cluster, ${config.cluster.name}, is in region ${config.cluster.region})`;
    const message =
      `the route is RegionBound to region ${publication.sourceRegion} (${placementField(publication.placement)}): ` +
      `the cluster in ${publication.sourceRegion} publishes its DNS records for every region, so this cluster publishes none${own}`;
    return { ...identity, kind: "elsewhere", sourceRegion: publication.sourceRegion, message };
  }
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
  const member = placedMember(route, config);
  if (member === undefined) return { ...identity, kind: "unplaced", message: waitingForPlacementMessage(route, "no DNS record is written for it") };
  const lbTarget = loadBalancerTarget(member.entry);
  const gateway = gatewayOf(member, config);
  let records: DnsRecord[];
  if (config.dns.recordType === "cname" || lbTarget.kind !== "fixed") {
    if (domain === apex) {
      const why =
        lbTarget.kind !== "fixed"
          ? `${memberPath(member, config)} is a ${lbTarget.kind === "service" ? "gateway Service" : "pooled Gateway"} published at ${lbTarget.gatewayHostname}, ` +
            "which routes reach through a CNAME, so no record is written (use a name under the apex)"
          : "the platform's dns.recordType is cname, so no record is written (recordType alias can point an apex at the load balancer)";
      return { ...identity, kind: "refused", reason: DNS_REFUSAL.CnameAtApex, message: `${domain} is the apex of its zone, where DNS allows no CNAME; ${why}` };
    }
    const ttl = route.spec.dns?.ttl ?? DEFAULT_DNS_TTL_SECONDS;
    records = [{ name: domain, type: "CNAME", ttl, values: [lbTarget.kind === "fixed" ? lbTarget.dnsName : lbTarget.gatewayHostname] }];
  } else {
    const alias = { hostedZoneId: lbTarget.hostedZoneId, dnsName: lbTarget.dnsName, evaluateTargetHealth: true };
    records = [{ name: domain, type: "A", alias }];
    if (member.entry.ipAddressType === "dualstack") records.push({ name: domain, type: "AAAA", alias });
  }
  const tooLong = registryNameTooLong(records, apex);
  if (tooLong !== undefined) return { ...identity, kind: "refused", reason: DNS_REFUSAL.RecordNameTooLong, message: tooLong };
  const placed = published(records, publication, config);
  if ("refusal" in placed) return { ...identity, kind: "refused", reason: DNS_REFUSAL.NoRoute53Region, message: placed.refusal };
  return { ...identity, kind: "records", zoneId: zone.zoneId, ...placed, ...(gateway === undefined ? {} : { gateway }) };
}

/**
 * The records as this cluster publishes them: as they are on a single-region
 * platform and from a RegionBound source (one simple record serves every
 * region), as latency records in Active mode.
 */
function published(records: DnsRecord[], publication: Publication, config: PlatformConfig): { records: DnsRecord[]; regions: string[] } | { refusal: string } {
  switch (publication.kind) {
    case "own-region": {
      const { region } = publication;
      // The config check requires route53Region on every region with dns.provider route53, so this is a config that skipped
      // it: refuse the route (a planner must not stop the controller, and every other route still gets its records).
      if (region.route53Region === undefined) {
        return {
          refusal:
            `the route is Active, so this cluster publishes it as a latency record for its region ${region.name}, but regions[${region.name}] in the ` +
            "platform config has no route53Region (the AWS region Route53 measures latency to); set it, e.g. route53Region: eu-west-1, " +
            "and no record is written until then",
        };
      }
      const latency = { setIdentifier: config.cluster!.name, region: region.route53Region } satisfies LatencyIdentity;
      return { records: records.map((r) => ({ ...r, ...latency })), regions: [region.name] };
    }
    case "every-region":
      return { records, regions: publication.regions.map((r) => r.name) };
    default:
      return { records, regions: [] };
  }
}

/**
 * This cluster's latency identity (its cluster name and its region's
 * route53Region: what its Active records carry), or undefined on a
 * single-region platform; the planner owns a latency set only under it (plan-dns.ts ownsEntry).
 */
export function latencyIdentity(config: PlatformConfig): LatencyIdentity | undefined {
  const { cluster } = config;
  if (cluster === undefined || config.regions.length === 0) return undefined;
  const aws = config.regions.find((r) => r.name === cluster.region)?.route53Region;
  return aws === undefined ? undefined : { setIdentifier: cluster.name, region: aws };
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
