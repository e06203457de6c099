// DNSReady and status.dns for `dns.provider: external-dns`, from the route's
// DNSEndpoints as cached (one, or one per region this cluster publishes the
// route in). Pure; the route controller writes them.
//
// What hostgate can know: external-dns's CRD source sets the DNSEndpoint's
// status.observedGeneration to its metadata.generation when it has read that
// generation and taken its endpoints into its plan (source/crd.go). That is
// the last thing external-dns reports: whether the DNS vendor accepted the
// change is in external-dns's log and metrics, not on the object. So
// DNSReady=True here means "handed to external-dns", said so in the message.
//
// Ownership of the record is external-dns's: it writes its own TXT registry
// record with its own --txt-owner-id and resource `crd/<namespace>/<name>`;
// hostgate's dns.ownerId does not apply.
//
// zoneId in status.dns is "": external-dns, not hostgate, chooses the zone
// (every zone it manages that the name falls in), and with a non-AWS vendor
// there is no Route53 zone id at all.
//
// On a platform with regions the placement (dns/region-placement.ts, the same
// answer rendering used) decides which endpoints there should be: DNSReady is
// True only when external-dns has read every one, and its message names any
// it waits for; a route RegionBound to another region is True
// (PublishedBySourceRegion: that region's cluster publishes), one bound to a
// region the config does not list is False (UnknownSourceRegion). A route on
// a two-step load balancer is Unknown (GatewayAddressPending) while this
// cluster's gateway record for a region it publishes in is not written.
//
// A route with no member of its load balancer pool yet (reconciler/edge/
// placed-member.ts) has no DNSEndpoint: Unknown, WaitingForPlacement.
import type { PlatformConfig, RegionConfig } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { loadBalancerTarget } from "../../../core/config/load-balancer-target.ts";
import type { DnsRecordStatus, DomainRoute, RegionPolicy } from "../../../crds/types.ts";
import { CONDITION_DNS_READY } from "../../../crds/types.ts";
import { compareStrings } from "../../../core/compare-strings.ts";
import type { ConditionInput } from "../../status/conditions.ts";
import { KIND_DNS_ENDPOINT } from "../../domainroute/render/produced-resources.ts";
import { placementField } from "../region-placement.ts";
import type { Publication } from "../region-placement.ts";
import { dnsEndpointName, dnsEndpointRecord, dnsEndpointRefusal, EXTERNAL_DNS_REASON, publishedRegions, routePublication } from "./render-dns-endpoint.ts";
import { gatewayEndpointNameIn } from "./render-gateway-endpoints.ts";
import type { PoolMember } from "../../../core/config/edge-pool.ts";
import { placedMember } from "../../edge/placed-member.ts";
import { memberName, WAITING_FOR_PLACEMENT, waitingForPlacementMessage } from "../pool-member-records.ts";

/** One entry of status.dns. */
export type DnsStatusRecord = DnsRecordStatus & { zoneId: string };

export interface ExternalDnsStatus {
  condition: ConditionInput;
  /** The records of the endpoints external-dns has taken up; sorted by name, type, region. */
  records?: DnsStatusRecord[];
}

/** This cluster's gateway record for the route's two-step load balancer, as cached (render-gateway-endpoints.ts). */
export interface GatewayRecordState {
  /** Names of the gateway DNSEndpoints this cluster holds for the route's load balancer. */
  readonly published: readonly string[];
  /** addressOf()'s reason when the gateway Service (or pooled Gateway) has no address now; undefined when it has one. */
  readonly pendingReason?: string;
}

export interface ExternalDnsContext {
  /** The route's namespace's RegionPolicy, as rendering read it. */
  readonly regionPolicy?: RegionPolicy;
  /** For a route on a two-step load balancer. */
  readonly gateway?: GatewayRecordState;
}

const type = CONDITION_DNS_READY;

/** DNSReady reasons beyond those of rendering (EXTERNAL_DNS_REASON); the same words the Route53 back end uses. */
export const EXTERNAL_DNS_REGION_REASON = {
  PublishedBySourceRegion: "PublishedBySourceRegion",
  UnknownSourceRegion: "UnknownSourceRegion",
  GatewayAddressPending: "GatewayAddressPending",
  WaitingForPlacement: WAITING_FOR_PLACEMENT,
} as const;

/**
 * The DNSReady condition (and, for the endpoints external-dns has read,
 * status.dns) of a route that holds its claim, given its DNSEndpoints as
 * cached (objects of other kinds, and endpoints at names it no longer
 * renders, are ignored). The caller decides the cases before this one: a
 * route without its claim, or one refused whole, has no record to report on.
 */
export function externalDnsStatus(
  route: DomainRoute,
  owned: readonly KubeObject[],
  config: PlatformConfig,
  context: ExternalDnsContext = {},
): ExternalDnsStatus {
  const refusal = dnsEndpointRefusal(route, config);
  if (refusal !== undefined) return { condition: { type, status: "False", reason: refusal.reason, message: refusal.message } };
  const domain = route.spec.domain;
  const publication = routePublication(route, config, context.regionPolicy);
  const elsewhere = notPublishedHere(publication, config);
  if (elsewhere !== undefined) return { condition: elsewhere };
  const member = placedMember(route, config);
  if (member === undefined) {
    const message = waitingForPlacementMessage(route, "hostgate writes no DNSEndpoint for it");
    return { condition: { type, status: "Unknown", reason: EXTERNAL_DNS_REGION_REASON.WaitingForPlacement, message } };
  }
  const regions = publishedRegions(publication);
  const endpoints = regions.map((region) => ({
    region,
    name: dnsEndpointName(route, config, region),
    endpoint: owned.find((o) => o.kind === KIND_DNS_ENDPOINT && o.metadata?.name === dnsEndpointName(route, config, region)),
  }));
  const namespace = route.metadata.namespace ?? "";
  const missing = endpoints.filter((e) => e.endpoint === undefined);
  if (missing.length > 0) {
    const names = missing.map((e) => `${namespace}/${e.name}${regionText(e.region)}`).join(", ");
    return {
      condition: {
        type,
        status: "Unknown",
        reason: EXTERNAL_DNS_REASON.EndpointPending,
        message: `the DNSEndpoint for ${domain} is not in the cluster yet (${names}); hostgate creates it in the route's namespace`,
      },
    };
  }
  const observed = endpoints.filter((e) => readByExternalDns(e.endpoint!));
  const records = observed.flatMap((e) => statusRecords(route, config, member, e.region)).sort(byNameTypeRegion);
  const withRecords = records.length > 0 ? { records } : {};
  const gateway = gatewayPending(route, config, member, regions, context.gateway);
  if (gateway !== undefined) return { condition: gateway, ...withRecords };
  const waiting = endpoints.filter((e) => !readByExternalDns(e.endpoint!));
  if (waiting.length > 0) {
    const what = waiting.map((e) => `${describeGeneration(e.endpoint!)}${regionText(e.region)}`).join("; ");
    return {
      condition: {
        type,
        status: "Unknown",
        reason: EXTERNAL_DNS_REASON.WaitingForExternalDns,
        message:
          `external-dns has not read ${what}. ` +
          `Check that external-dns runs with --source=crd, watches namespace ${namespace}, and that its --label-filter ` +
          `matches the platform config's dns.externalDns.labels${regions.some((r) => r !== undefined) ? " and the region's dnsControllerLabels" : ""}`,
      },
      ...withRecords,
    };
  }
  const listed = records.map((r) => `${r.type} ${r.name} -> ${r.target}${r.region === undefined ? "" : ` (${r.region})`}`).join(", ");
  const read = endpoints.map((e) => `generation ${e.endpoint!.metadata?.generation} of DNSEndpoint ${namespace}/${e.name}`).join(", ");
  return {
    condition: {
      type,
      status: "True",
      reason: EXTERNAL_DNS_REASON.HandedToExternalDns,
      message:
        `external-dns has read ${read} and writes ${listed} in its DNS provider, ` +
        "owned through its own TXT registry (its --txt-owner-id); whether the provider accepted the change is in external-dns's log",
    },
    records,
  };
}

/** The condition of a route this cluster publishes nothing for by its placement; undefined when it publishes. */
function notPublishedHere(publication: Publication, config: PlatformConfig): ConditionInput | undefined {
  if (publication.kind === "unknown-region") {
    return { type, status: "False", reason: EXTERNAL_DNS_REGION_REASON.UnknownSourceRegion, message: publication.message };
  }
  if (publication.kind !== "elsewhere") return undefined;
  const region = publication.sourceRegion;
  return {
    type,
    status: "True",
    reason: EXTERNAL_DNS_REGION_REASON.PublishedBySourceRegion,
    message:
      `the route is RegionBound to region ${region} (${placementField(publication.placement)}): the cluster in ${region} publishes its ` +
      `DNSEndpoints for every region, so this cluster writes none${config.cluster === undefined ? "" : ` (this cluster, ${config.cluster.name}, is in region ${config.cluster.region})`}`,
  };
}

/** Unknown GatewayAddressPending while a region's gateway record of the route's two-step member is not written here. */
function gatewayPending(
  route: DomainRoute,
  config: PlatformConfig,
  member: PoolMember,
  regions: readonly (RegionConfig | undefined)[],
  gateway: GatewayRecordState | undefined,
): ConditionInput | undefined {
  const target = loadBalancerTarget(member.entry);
  if (target.kind === "fixed") return undefined;
  const published = new Set(gateway?.published ?? []);
  const missing = regions.map((region) => gatewayEndpointNameIn(config, member.name, region)).filter((name) => !published.has(name));
  if (missing.length === 0) return undefined;
  const why =
    gateway?.pendingReason ??
    `hostgate has not written it yet (DNSEndpoint ${missing.map((name) => `${config.gateway.namespace}/${name}`).join(", ")}; ` +
      "if an object hostgate did not create holds that name, hostgate leaves it alone and the reconciler's log names it)";
  return {
    type,
    status: "Unknown",
    reason: EXTERNAL_DNS_REGION_REASON.GatewayAddressPending,
    message: `${route.spec.domain} is a CNAME to ${target.gatewayHostname}, the gateway of load balancer ${memberName(member, config)}, whose record is not published: ${why}`,
  };
}

/** external-dns's CRD source sets status.observedGeneration once it has read that generation (source/crd.go). */
function readByExternalDns(endpoint: KubeObject): boolean {
  const generation = endpoint.metadata?.generation;
  const observed = (endpoint.status as { observedGeneration?: unknown } | undefined)?.observedGeneration;
  return typeof generation === "number" && typeof observed === "number" && observed >= generation;
}

function describeGeneration(endpoint: KubeObject): string {
  const observed = (endpoint.status as { observedGeneration?: unknown } | undefined)?.observedGeneration;
  const seen = typeof observed === "number" ? `generation ${observed}` : "no generation";
  return `generation ${endpoint.metadata?.generation ?? "?"} of DNSEndpoint ${endpoint.metadata?.namespace}/${endpoint.metadata?.name} (it has read ${seen})`;
}

function regionText(region: RegionConfig | undefined): string {
  return region === undefined ? "" : ` for region ${region.name}`;
}

/** The records an endpoint asks for, as Route53 would hold them: an alias is an A record (and AAAA on a dualstack load balancer). */
function statusRecords(route: DomainRoute, config: PlatformConfig, member: PoolMember, region: RegionConfig | undefined): DnsStatusRecord[] {
  const record = dnsEndpointRecord(route, config, member);
  const target = record.targets[0]!;
  const name = record.dnsName;
  const placed = region === undefined ? {} : { region: region.name };
  if (record.providerSpecific === undefined) return [{ name, type: record.recordType, target, zoneId: "", ...placed }];
  const records: DnsStatusRecord[] = [{ name, type: "A", target, zoneId: "", ...placed }];
  if (member.entry.ipAddressType === "dualstack") records.push({ name, type: "AAAA", target, zoneId: "", ...placed });
  return records;
}

function byNameTypeRegion(a: DnsStatusRecord, b: DnsStatusRecord): number {
  return compareStrings(a.name, b.name) || compareStrings(a.type, b.type) || compareStrings(a.region ?? "", b.region ?? "");
}
