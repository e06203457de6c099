// A platform config with `dns.provider: external-dns` for tests, and routes
// with the DNS-related fields the route builder does not set.
import type { ClusterConfig, DnsConfig, PlatformConfig, RegionConfig } from "../../../../core/config/platform-config.ts";
import type { DomainRoute, LoadBalancer, RegionPolicy } from "../../../../crds/types.ts";
import { aConfig } from "../../../domainroute/render/testing/platform-config.ts";
import { aRoute } from "../../../domainroute/render/testing/route-builder.ts";

export interface ExternalDnsConfigOptions {
  dns?: Partial<DnsConfig>;
  /** ipAddressType of both load balancers. */
  ipAddressType?: "ipv4" | "dualstack";
  /** More apexes beside example.com (zone Z0123456789ABC). */
  domains?: PlatformConfig["domains"];
  /** The platform's regions and this cluster (default none: single-region). */
  regions?: RegionConfig[];
  cluster?: ClusterConfig;
  /** alb-in as a two-step entry: Service istio-system/gw-internal published at GATEWAY_HOSTNAME. */
  twoStep?: boolean;
}

/** The two regions of the multi-region tests, each with its external-dns instance's label. */
export const WEU: RegionConfig = { name: "weu", dnsControllerLabels: { "router.io/region": "weu" } };
export const NEU: RegionConfig = { name: "neu", dnsControllerLabels: { "router.io/region": "neu" } };
/** The gateway name of alb-in when it is two-step. */
export const GATEWAY_HOSTNAME = "aks01-weu-internal.example.com";
export const GATEWAY_SERVICE = { namespace: "istio-system", name: "gw-internal" };

/** anExternalDnsConfig for cluster `name` in `region` of a platform spanning weu and neu. */
export function aRegionalConfig(name: string, region: string, options: ExternalDnsConfigOptions = {}): PlatformConfig {
  return anExternalDnsConfig({ regions: [WEU, NEU], cluster: { name, region }, ...options });
}

export function anExternalDnsConfig(options: ExternalDnsConfigOptions = {}): PlatformConfig {
  const base = aConfig({
    dns: { provider: "external-dns", ownerId: "hostgate-test", ...options.dns },
    ...(options.regions === undefined ? {} : { regions: options.regions }),
    ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
  });
  const ipAddressType = options.ipAddressType ?? "ipv4";
  const albIn = options.twoStep
    ? { service: GATEWAY_SERVICE, gatewayHostname: GATEWAY_HOSTNAME, ipAddressType }
    : { ...base.loadBalancers["alb-in"], ipAddressType };
  return {
    ...base,
    domains: [...base.domains, ...(options.domains ?? [])],
    loadBalancers: {
      "alb-out": { ...base.loadBalancers["alb-out"], ipAddressType },
      "alb-in": albIn,
    },
  };
}

export interface DnsRouteOptions {
  domain?: string;
  lb?: LoadBalancer;
  dns?: DomainRoute["spec"]["dns"];
}

/** The route builder's default route with the given domain, load balancer and spec.dns. */
export function aDnsRoute(options: DnsRouteOptions = {}): DomainRoute {
  const route = aRoute()
    .domain(options.domain ?? "shop.example.com")
    .build();
  if (options.lb !== undefined) route.spec.lb = options.lb;
  if (options.dns !== undefined) route.spec.dns = options.dns;
  return route;
}

/** The RegionPolicy `default` of `namespace` (team-a, the route builder's namespace, by default). */
export function aRegionPolicy(mode: "Active" | "RegionBound", sourceRegion?: string, namespace = "team-a"): RegionPolicy {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "RegionPolicy",
    metadata: { name: "default", namespace },
    spec: { mode, ...(sourceRegion === undefined ? {} : { sourceRegion }) },
  };
}
