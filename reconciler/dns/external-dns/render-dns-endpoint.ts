// `dns.provider: external-dns`: the route's record as one external-dns
// DNSEndpoint (externaldns.k8s.io/v1alpha1) in the route's own namespace,
// instead of Route53 calls, so any DNS vendor external-dns supports works.
// external-dns (run with `--source=crd`) writes the record and its own TXT
// registry record; hostgate only declares what it wants. Pure.
//
// How the endpoint asks external-dns for each record kind (checked against
// external-dns's provider/aws/aws.go, AdjustEndpoints and isAWSAlias):
//   - cname: a CNAME to the load balancer's DNS name, TTL spec.dns.ttl;
//   - alias: a CNAME-typed endpoint with the provider-specific property
//     `alias: "true"`, the form every external-dns version's AWS provider
//     turns into an A alias record (v0.16 and later write an AAAA alias beside
//     it, for every load balancer). The target's canonical hosted zone is
//     looked up by external-dns from the ELB's DNS name. An alias may sit at a
//     zone apex; a CNAME may not, so a cname route at an apex gets no endpoint.
//   - a route on a two-step load balancer (a gateway Service published at
//     gatewayHostname): a plain CNAME to gatewayHostname, TTL spec.dns.ttl,
//     whatever dns.recordType says (an alias needs a cloud load balancer to
//     point at); refused at an apex, where DNS allows no CNAME.
// Targets carry no trailing dot: external-dns skips a CNAME target written
// with one as illegal.
//
// The load balancer is the route's pool member (reconciler/edge/placed-member.ts);
// a route with no member yet gets no DNSEndpoint (DNSReady Unknown,
// WaitingForPlacement): nothing points at a load balancer it is not placed on.
//
// On a platform that spans regions (config.regions), dns/region-placement.ts
// decides which regions the route is published in from this cluster: one
// DNSEndpoint per region, labelled with that region's dnsControllerLabels so
// only that region's external-dns instance picks it up, and with the
// cluster's name, so each cluster's objects are told apart by name and label.
import type { PoolMember } from "../../../core/config/edge-pool.ts";
import { loadBalancerTarget } from "../../../core/config/load-balancer-target.ts";
import type { PlatformConfig, RegionConfig } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { DomainRoute, RegionPolicy } from "../../../crds/types.ts";
import { LABEL_CLUSTER, LABEL_REGION, producedMetadata, sortedKeys } from "../../domainroute/render/metadata.ts";
import { objectNameFor, regionalObjectName } from "../../domainroute/render/names.ts";
import { publicationFor, resolvePlacement } from "../region-placement.ts";
import { RESERVED_NAME_REASON, reservedName } from "../reserved-name.ts";
import { gatewayRegistryName } from "../gateway-records.ts";
import { placedMember } from "../../edge/placed-member.ts";
import { memberName } from "../pool-member-records.ts";
import type { Publication } from "../region-placement.ts";
import { DNS_ENDPOINT_RESOURCE, KIND_DNS_ENDPOINT } from "../../domainroute/render/produced-resources.ts";

export const DNS_ENDPOINT_API_VERSION = `${DNS_ENDPOINT_RESOURCE.group}/${DNS_ENDPOINT_RESOURCE.version}`;
/** external-dns's AWS provider property that makes a CNAME endpoint an alias record. */
export const ALIAS_PROPERTY = "alias";
/** spec.dns.ttl's default (the CRD defaults it to 300 when spec.dns is present; a route without spec.dns gets the same). */
export const DEFAULT_TTL_SECONDS = 300;

export const EXTERNAL_DNS_REASON = {
  /** recordType cname, or a two-step load balancer (always a CNAME), for a name that is its zone's apex. */
  CnameAtApex: "CnameAtApex",
  /** spec.dns.zoneId names a zone other than the apex's: external-dns cannot be told which zone to write to. */
  ZoneNotSelectable: "ZoneNotSelectable",
  /** The domain is a two-step load balancer's gatewayHostname (dns/reserved-name.ts), or where its record's TXT owner record goes (gateway-records.ts). */
  ReservedName: RESERVED_NAME_REASON,
  /** The DNSEndpoint is not in the cluster (yet). */
  EndpointPending: "EndpointPending",
  /** external-dns has not read the DNSEndpoint's current generation. */
  WaitingForExternalDns: "WaitingForExternalDns",
  /** external-dns has read the current generation: the record is its to write. */
  HandedToExternalDns: "HandedToExternalDns",
} as const;

/** Why the route gets no DNSEndpoint although the provider is external-dns. */
export interface EndpointRefusal {
  reason: typeof EXTERNAL_DNS_REASON.CnameAtApex | typeof EXTERNAL_DNS_REASON.ZoneNotSelectable | typeof EXTERNAL_DNS_REASON.ReservedName;
  message: string;
}

/** One entry of DNSEndpoint spec.endpoints, as external-dns's CRD defines it. */
export interface DnsEndpointRecord {
  dnsName: string;
  recordType: "A" | "AAAA" | "CNAME";
  targets: string[];
  recordTTL?: number;
  providerSpecific?: { name: string; value: string }[];
}

/** The apex of the platform domain the route's domain is equal to or under; undefined when none is. */
function apexOf(domain: string, config: PlatformConfig) {
  return config.domains.find((d) => domain === d.apex || domain.endsWith(`.${d.apex}`));
}

/** Why the route's record cannot be handed to external-dns as configured; undefined when it can. */
export function dnsEndpointRefusal(route: DomainRoute, config: PlatformConfig): EndpointRefusal | undefined {
  const domain = route.spec.domain;
  const apex = apexOf(domain, config);
  const zoneId = route.spec.dns?.zoneId;
  // First: a second DNSEndpoint at the gateway's name would race the gateway record in external-dns's plan,
  // and a CNAME where external-dns keeps the gateway record's TXT owner record (its default format: a-, aaaa-,
  // cname- before the name, as hostgate's Route53 registry) would keep that record out of the zone.
  const reserved = reservedName(domain, config)?.message ?? gatewayRegistryName(domain, config);
  if (reserved !== undefined) return { reason: EXTERNAL_DNS_REASON.ReservedName, message: reserved };
  if (zoneId !== undefined && apex !== undefined && zoneId !== apex.zoneId) {
    // Fail closed: external-dns writes to every zone it manages that the name
    // falls in (for Route53, the closest public zone and each matching private
    // one), so a name meant for a private zone could be published publicly.
    return {
      reason: EXTERNAL_DNS_REASON.ZoneNotSelectable,
      message:
        `spec.dns.zoneId ${zoneId} names a zone other than ${apex.apex}'s (${apex.zoneId}), and with dns.provider external-dns ` +
        `hostgate cannot choose the zone: external-dns writes to every zone it manages that ${domain} falls in. ` +
        "Remove spec.dns.zoneId, or run an external-dns instance that manages only that zone and use dns.provider route53 for such routes",
    };
  }
  const member = placedMember(route, config);
  // A route with no member yet: whether its member is two-step is not known, and it gets no endpoint anyway.
  if (apex !== undefined && domain === apex.apex && member !== undefined && loadBalancerTarget(member.entry).kind !== "fixed") {
    return {
      reason: EXTERNAL_DNS_REASON.CnameAtApex,
      message:
        `${domain} is the apex of its zone, where DNS allows no CNAME, and load balancer ${memberName(member, config)} is published through its gateway's ` +
        "name (gatewayHostname), which routes reach by a CNAME. Route a name below the apex, or use a load balancer entry with dnsName " +
        "and hostedZoneId (an alias record may sit at an apex)",
    };
  }
  if (config.dns.recordType === "cname" && apex !== undefined && domain === apex.apex) {
    return {
      reason: EXTERNAL_DNS_REASON.CnameAtApex,
      message:
        `${domain} is the apex of its zone, where DNS allows no CNAME, and the platform config's dns.recordType is cname. ` +
        "Set dns.recordType to alias (an A alias record to the load balancer), or route a name below the apex",
    };
  }
  return undefined;
}

/** The endpoint external-dns should write for the route: its domain to its pool member (default: placedMember's; the caller checked it has one). */
export function dnsEndpointRecord(route: DomainRoute, config: PlatformConfig, member: PoolMember | undefined = placedMember(route, config)): DnsEndpointRecord {
  if (member === undefined)
    throw new Error(`DomainRoute ${route.metadata.namespace}/${route.metadata.name} has no pool member: it gets no DNSEndpoint (a caller's bug)`);
  const lbTarget = loadBalancerTarget(member.entry);
  const target = lbTarget.kind === "fixed" ? lbTarget.dnsName : lbTarget.gatewayHostname;
  const record: DnsEndpointRecord = { dnsName: route.spec.domain, recordType: "CNAME", targets: [target] };
  // Two-step: a plain CNAME to the gateway's name, which alone follows the gateway's address.
  if (config.dns.recordType === "cname" || lbTarget.kind !== "fixed") record.recordTTL = route.spec.dns?.ttl ?? DEFAULT_TTL_SECONDS;
  // An alias record has no TTL of its own (Route53 answers with the target's).
  else record.providerSpecific = [{ name: ALIAS_PROPERTY, value: "true" }];
  return record;
}

/**
 * The labels of a DNSEndpoint hostgate writes: dns.externalDns.labels (for
 * external-dns's --label-filter), then the region's dnsControllerLabels (for
 * that region's external-dns instance), then hostgate's own, which win: they
 * are what makes the object hostgate's. On a platform with regions also the
 * cluster's name and the region.
 */
export function endpointLabels(config: PlatformConfig, own: Readonly<Record<string, string>>, region?: RegionConfig): Record<string, string> {
  const placed: Record<string, string> =
    region === undefined || config.cluster === undefined ? {} : { [LABEL_CLUSTER]: config.cluster.name, [LABEL_REGION]: region.name };
  return sortedKeys({ ...config.dns.externalDns.labels, ...region?.dnsControllerLabels, ...own, ...placed });
}

/** The regions a publication writes in from this cluster; [undefined] for one endpoint on a single-region platform. */
export function publishedRegions(publication: Publication): (RegionConfig | undefined)[] {
  switch (publication.kind) {
    case "single":
      return [undefined];
    case "own-region":
      return [publication.region];
    case "every-region":
      return [...publication.regions];
    case "elsewhere":
    case "unknown-region":
      return [];
  }
}

/** What this cluster publishes for the route: the route's placement (dns/region-placement.ts) on this config. */
export function routePublication(route: DomainRoute, config: PlatformConfig, regionPolicy?: RegionPolicy): Publication {
  return publicationFor(resolvePlacement(route, regionPolicy, config), config);
}

/**
 * The name of the route's DNSEndpoint for a region: on a single-region
 * platform the route's usual name (after its domain, as before regions
 * existed, so an existing installation keeps its objects); with regions one
 * per cluster and region (names.ts regionalObjectName).
 */
export function dnsEndpointName(route: DomainRoute, config: PlatformConfig, region?: RegionConfig): string {
  return endpointNameFor(route.spec.domain, config, region);
}

function endpointNameFor(domain: string, config: Pick<PlatformConfig, "cluster">, region?: RegionConfig): string {
  if (region === undefined || config.cluster === undefined) return objectNameFor(domain);
  return regionalObjectName(domain, config.cluster.name, region.name);
}

/**
 * Every name a domain's DNSEndpoints can have on this config, whatever the
 * route's placement: one per region on a platform with regions, else the one
 * (event routing: an object at any of them may be in the route's way).
 */
export function dnsEndpointNames(domain: string, config: Pick<PlatformConfig, "cluster" | "regions">): string[] {
  if (config.cluster === undefined || config.regions.length === 0) return [endpointNameFor(domain, config)];
  return config.regions.map((region) => endpointNameFor(domain, config, region));
}

/**
 * The route's DNSEndpoints, in region order: none when the provider is not
 * external-dns, when dnsEndpointRefusal says why it gets none, when it has no
 * pool member yet (placed-member.ts), or when its
 * placement publishes nothing from this cluster (another region's cluster
 * does, or its source region is unknown). Named like the route's other
 * objects, labelled by endpointLabels.
 */
export function renderDnsEndpoints(route: DomainRoute, config: PlatformConfig, regionPolicy?: RegionPolicy): KubeObject[] {
  if (config.dns.provider !== "external-dns" || dnsEndpointRefusal(route, config) !== undefined) return [];
  const member = placedMember(route, config);
  if (member === undefined) return [];
  return publishedRegions(routePublication(route, config, regionPolicy)).map((region) => {
    const metadata = producedMetadata(route, dnsEndpointName(route, config, region), route.metadata.namespace ?? "");
    metadata.labels = endpointLabels(config, metadata.labels, region);
    return {
      apiVersion: DNS_ENDPOINT_API_VERSION,
      kind: KIND_DNS_ENDPOINT,
      metadata,
      spec: { endpoints: [dnsEndpointRecord(route, config, member)] },
    };
  });
}

/** The route's one DNSEndpoint on a single-region platform (renderDnsEndpoints' first), or undefined. */
export function renderDnsEndpoint(route: DomainRoute, config: PlatformConfig): KubeObject | undefined {
  return renderDnsEndpoints(route, config)[0];
}
