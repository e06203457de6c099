// The gateway records of two-step load balancers (config loadBalancers.<lb>:
// {service, gatewayHostname}, and each such member of a pool,
// loadBalancers.<lb>.members) as external-dns DNSEndpoints in the gateway
// namespace, one per member, named and labelled by the member's name (a class
// of one entry: the class's, as before pools). Pure; gateway-endpoints.ts
// keeps the cluster holding them.
//
// Routes on a two-step load balancer get a CNAME to gatewayHostname
// (render-dns-endpoint.ts); this is the record that name resolves through:
// gatewayHostname -> the gateway Service's address (dns/gateway-address.ts:
// an A record with its IPv4 addresses and an AAAA with its IPv6 ones, or a
// CNAME to its host name), TTL 60. A new gateway address changes this one
// object and no route's.
//
// On a platform with regions there is one per region: a RegionBound route in
// another region's zone CNAMEs to this cluster's gatewayHostname, so that
// zone needs the gateway record too. Each is labelled with its region's
// dnsControllerLabels and named and labelled with this cluster's name.
import type { LoadBalancerName, PlatformConfig, RegionConfig, ServiceRef } from "../../../core/config/platform-config.ts";
import { compareStrings } from "../../../core/compare-strings.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { ANNOTATION_DOMAIN, LABEL_MANAGED_BY, MANAGED_BY_HOSTGATE } from "../../domainroute/render/metadata.ts";
import { hashedName } from "../../domainroute/render/names.ts";
import { KIND_DNS_ENDPOINT } from "../../domainroute/render/produced-resources.ts";
import type { GatewayAddress } from "../gateway-address.ts";
import { twoStepMembers } from "../pool-member-records.ts";
import { GATEWAY_RECORD_TTL_SECONDS, gatewayAddress } from "../gateway-address.ts";
import type { DnsEndpointRecord } from "./render-dns-endpoint.ts";
import { DNS_ENDPOINT_API_VERSION, endpointLabels } from "./render-dns-endpoint.ts";

/** Marks a gateway record's DNSEndpoint; the value is the pool member's name (`alb-in` for a class of one entry). */
export const LABEL_GATEWAY_RECORD = "hostgate.dev/gateway-record";
/** `namespace/name` of the gateway Service the record publishes, for people reading the object. */
export const ANNOTATION_GATEWAY_SERVICE = "hostgate.dev/gateway-service";

/** A two-step load balancer whose gateway has no address: its record cannot be rendered now. */
export interface PendingGateway {
  loadBalancer: string;
  /** gatewayAddress()'s reason. */
  reason: string;
}

export interface GatewayEndpoints {
  /** One DNSEndpoint per two-step load balancer with an address and region, sorted by name. */
  endpoints: KubeObject[];
  /** The two-step load balancers without an address, sorted. */
  pending: PendingGateway[];
}

/** The two-step pool members of the config (`name`: the member's; `lbClass`: the class routes on it name in spec.lb), sorted by name. */
export function twoStepLoadBalancers(config: PlatformConfig): { name: string; lbClass: LoadBalancerName; service: ServiceRef; gatewayHostname: string }[] {
  return twoStepMembers(config)
    .map(({ member, service, gatewayHostname }) => ({ name: member.name, lbClass: member.lbClass, service, gatewayHostname }))
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

/**
 * The gateway records this cluster publishes (with dns.provider
 * external-dns), from the gateway Services as cached.
 * @param serviceOf the Service at a reference, undefined when there is none
 */
export function renderGatewayEndpoints(config: PlatformConfig, serviceOf: (ref: ServiceRef) => KubeObject | undefined): GatewayEndpoints {
  const endpoints: KubeObject[] = [];
  const pending: PendingGateway[] = [];
  if (config.dns.provider !== "external-dns") return { endpoints, pending };
  for (const lb of twoStepLoadBalancers(config)) {
    const address = gatewayAddress(serviceOf(lb.service), lb.service);
    if (address.kind === "none") {
      pending.push({ loadBalancer: lb.name, reason: address.reason });
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
          annotations: { [ANNOTATION_DOMAIN]: lb.gatewayHostname, [ANNOTATION_GATEWAY_SERVICE]: `${lb.service.namespace}/${lb.service.name}` },
        },
        spec: { endpoints: records.map((r) => ({ ...r, targets: [...r.targets] })) },
      });
    }
  }
  endpoints.sort((a, b) => compareStrings(a.metadata!.name!, b.metadata!.name!));
  return { endpoints, pending };
}
