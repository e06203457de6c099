// A platform config with `dns.provider: external-dns` for tests, and routes
// with the DNS-related fields the route builder does not set.
import type { DnsConfig, PlatformConfig } from "../../../../core/config/platform-config.ts";
import type { DomainRoute, LoadBalancer } from "../../../../crds/types.ts";
import { aConfig } from "../../../domainroute/render/testing/platform-config.ts";
import { aRoute } from "../../../domainroute/render/testing/route-builder.ts";

export interface ExternalDnsConfigOptions {
  dns?: Partial<DnsConfig>;
  /** ipAddressType of both load balancers. */
  ipAddressType?: "ipv4" | "dualstack";
  /** More apexes beside example.com (zone Z0123456789ABC). */
  domains?: PlatformConfig["domains"];
}

export function anExternalDnsConfig(options: ExternalDnsConfigOptions = {}): PlatformConfig {
  const base = aConfig({ dns: { provider: "external-dns", ownerId: "hostgate-test", ...options.dns } });
  const ipAddressType = options.ipAddressType ?? "ipv4";
  return {
    ...base,
    domains: [...base.domains, ...(options.domains ?? [])],
    loadBalancers: {
      "alb-out": { ...base.loadBalancers["alb-out"], ipAddressType },
      "alb-in": { ...base.loadBalancers["alb-in"], ipAddressType },
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
