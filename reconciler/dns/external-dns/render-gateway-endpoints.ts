// The gateway records of two-step load balancers (config loadBalancers.<lb>:
// {service, gatewayHostname}, and each such member of a pool,
// loadBalancers.<lb>.members; on the Gateway API data plane each pooled
// Gateway in use, configured or autoscaled: pool-member-records.ts
// publishedTwoStepMembers, whose Gateway exists and is hostgate's:
// gateway-address.ts) as external-dns DNSEndpoints in the gateway
// namespace, one per member, named and labelled by the member's name (a class
// of one entry: the class's, as before pools). Pure; gateway-endpoints.ts
// keeps the cluster holding them.
//
// Routes on a two-step load balancer get a CNAME to gatewayHostname
// (render-dns-endpoint.ts); this is the record that name resolves through:
// gatewayHostname -> the gateway Service's (or Gateway's) address (dns/gateway-address.ts:
// an A record with its IPv4 addresses and an AAAA with its IPv6 ones, or a
// CNAME to its host name), TTL 60. A new gateway address changes this one
// object and no route's.
//
// On a platform with regions there is one per region: a RegionBound route in
// another region's zone CNAMEs to this cluster's gatewayHostname, so that
// zone needs the gateway record too. Each is labelled with its region's
// dnsControllerLabels and named and labelled with this cluster's name.
import type { LoadBalancerName, PlatformConfig, RegionConfig, ServiceRef } from "../../../core/config/platform-config.ts";
import type { DomainRoute } from "../../../crds/types.ts";
import { compareStrings } from "../../../core/compare-strings.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { ANNOTATION_DOMAIN, LABEL_MANAGED_BY, MANAGED_BY_HOSTGATE } from "../../domainroute/render/metadata.ts";
import { hashedName } from "../../domainroute/render/names.ts";
import { KIND_DNS_ENDPOINT } from "../../domainroute/render/produced-resources.ts";
import type { AddressSource, GatewayAddress } from "../gateway-address.ts";
import { publishedTwoStepMembers, twoStepMembers } from "../pool-member-records.ts";
import { addressOf, GATEWAY_RECORD_TTL_SECONDS } from "../gateway-address.ts";
import type { DnsEndpointRecord } from "./render-dns-endpoint.ts";
import { DNS_ENDPOINT_API_VERSION, endpointLabels } from "./render-dns-endpoint.ts";

/** Marks a gateway record's DNSEndpoint; the value is the pool member's name (`alb-in` for a class of one entry). */
export const LABEL_GATEWAY_RECORD = "hostgate.dev/gateway-record";
/** `namespace/name` of the gateway Service the record publishes, for people reading the object. */
export const ANNOTATION_GATEWAY_SERVICE = "hostgate.dev/gateway-service";
/** `namespace/name` of the pooled Gateway (Gateway API data plane) the record publishes, for people reading the object. */
export const ANNOTATION_POOLED_GATEWAY = "hostgate.dev/pooled-gateway";

/** A two-step load balancer whose gateway has no address: its record cannot be rendered now. */
export interface PendingGateway {
  loadBalancer: string;
  /** gatewayAddress()'s reason. */
  reason: string;
  /**
   * Whether its endpoints stay as they are (the fail-safe: its Service, or its pooled Gateway, has no address now);
   * false when its pooled Gateway does not exist or is not hostgate's: then nothing may keep pointing at that address.
   */
  keep: boolean;
}

export interface GatewayEndpoints {
  /** One DNSEndpoint per two-step load balancer with an address and region, sorted by name. */
  endpoints: KubeObject[];
  /** The two-step load balancers in use without an address, sorted. */
  pending: PendingGateway[];
}

/** A two-step pool member whose gateway record is a DNSEndpoint (`name`: the member's; `lbClass`: the class routes on it name in spec.lb). */
export interface GatewayRecordMember {
  readonly name: string;
  readonly lbClass: LoadBalancerName;
  readonly source: AddressSource;
  readonly gatewayHostname: string;
}

/** The pool members of the config published through a gateway Service (whose events concern their records), sorted by name. */
export function twoStepLoadBalancers(config: PlatformConfig): { name: string; lbClass: LoadBalancerName; service: ServiceRef; gatewayHostname: string }[] {
  return twoStepMembers(config)
    .flatMap(({ member, source, gatewayHostname }) =>
      source.kind === "service"
        ? [{ name: member.name, lbClass: member.lbClass, service: { namespace: source.namespace, name: source.name }, gatewayHostname }]
        : [],
    )
    .sort((a, b) => compareStrings(a.name, b.name));
}

/** The members whose gateway record is published (publishedTwoStepMembers: pooled Gateways while a route is placed there), sorted by name. */
export function gatewayRecordMembers(config: PlatformConfig, routes: readonly DomainRoute[]): GatewayRecordMember[] {
  return publishedTwoStepMembers(config, routes)
    .map(({ member, source, gatewayHostname }) => ({ name: member.name, lbClass: member.lbClass, source, gatewayHostname }))
    .sort((a, b) => compareStrings(a.name, b.name));
}

/** The regions a gateway record is published in: every region, or [undefined] on a single-region platform. */
export function gatewayRegions(config: PlatformConfig): (RegionConfig | undefined)[] {
  if (config.regions.length === 0 || config.cluster === undefined) return [undefined];
  return [...config.regions].sort((a, b) => compareStrings(a.name, b.name));
}

/**
 * `hostgate-gateway-alb-in` on a single-region platform; with regions
 * `hostgate-gateway-alb-in-weu-<hash>`, the hash over cluster, region and
 * load balancer (names.ts), so two clusters' records never share a name.
 */
export function gatewayEndpointName(loadBalancer: string, placed?: { cluster: string; region: string }): string {
  const readable = `hostgate-gateway-${loadBalancer}`;
  if (placed === undefined) return readable;
  return hashedName(`${readable}-${placed.region}`, `gateway\n${placed.cluster}\n${placed.region}\n${loadBalancer}`);
}

/** gatewayEndpointName for this cluster and a region of gatewayRegions. */
export function gatewayEndpointNameIn(config: PlatformConfig, loadBalancer: string, region: RegionConfig | undefined): string {
  if (region === undefined || config.cluster === undefined) return gatewayEndpointName(loadBalancer);
  return gatewayEndpointName(loadBalancer, { cluster: config.cluster.name, region: region.name });
}

/** The records at gatewayHostname for an address (none for no address). */
export function gatewayRecords(gatewayHostname: string, address: GatewayAddress): DnsEndpointRecord[] {
  const record = (recordType: DnsEndpointRecord["recordType"], targets: readonly string[]): DnsEndpointRecord => ({
    dnsName: gatewayHostname,
    recordType,
    targets: [...targets],
    recordTTL: GATEWAY_RECORD_TTL_SECONDS,
  });
  switch (address.kind) {
    case "none":
      return [];
    case "hostname":
      return [record("CNAME", [address.hostname])];
    case "ips":
      return [...(address.ipv4.length > 0 ? [record("A", address.ipv4)] : []), ...(address.ipv6.length > 0 ? [record("AAAA", address.ipv6)] : [])];
  }
}

/** What else the gateway records are rendered from on the Gateway API data plane. */
export interface GatewayCluster {
  /** The pooled Gateway at a reference (gateway namespace), undefined when there is none. */
  readonly gatewayOf?: (ref: { namespace: string; name: string }) => KubeObject | undefined;
  /** Whether a pooled Gateway is hostgate's, so its address may be published (gateway-address.ts; default ownPoolGateway). */
  readonly ownGateway?: (gateway: KubeObject) => boolean;
  /** Every route as cached: which pooled Gateways are in use (their status.edge). */
  readonly routes?: readonly DomainRoute[];
}

/**
 * The gateway records this cluster publishes (with dns.provider
 * external-dns), from the gateway Services (and pooled Gateways) as cached.
 * @param serviceOf the Service at a reference, undefined when there is none
 */
export function renderGatewayEndpoints(
  config: PlatformConfig,
  serviceOf: (ref: ServiceRef) => KubeObject | undefined,
  cluster: GatewayCluster = {},
): GatewayEndpoints {
  const endpoints: KubeObject[] = [];
  const pending: PendingGateway[] = [];
  if (config.dns.provider !== "external-dns") return { endpoints, pending };
  const objects = { service: serviceOf, gateway: cluster.gatewayOf ?? (() => undefined), ...(cluster.ownGateway ? { ownGateway: cluster.ownGateway } : {}) };
  for (const lb of gatewayRecordMembers(config, cluster.routes ?? [])) {
    const address = addressOf(lb.source, objects);
    if (address.kind === "none") {
      pending.push({ loadBalancer: lb.name, reason: address.reason, keep: address.why === "pending" });
      continue;
    }
    const records = gatewayRecords(lb.gatewayHostname, address);
    for (const region of gatewayRegions(config)) {
      const own = { [LABEL_MANAGED_BY]: MANAGED_BY_HOSTGATE, [LABEL_GATEWAY_RECORD]: lb.name };
      endpoints.push({
        apiVersion: DNS_ENDPOINT_API_VERSION,
        kind: KIND_DNS_ENDPOINT,
        metadata: {
          name: gatewayEndpointNameIn(config, lb.name, region),
          namespace: config.gateway.namespace,
          labels: endpointLabels(config, own, region),
          annotations: {
            [ANNOTATION_DOMAIN]: lb.gatewayHostname,
            [lb.source.kind === "service" ? ANNOTATION_GATEWAY_SERVICE : ANNOTATION_POOLED_GATEWAY]: `${lb.source.namespace}/${lb.source.name}`,
          },
        },
        spec: { endpoints: records.map((r) => ({ ...r, targets: [...r.targets] })) },
      });
    }
  }
  endpoints.sort((a, b) => compareStrings(a.metadata!.name!, b.metadata!.name!));
  return { endpoints, pending };
}
