// A PlatformConfig for rendering tests, with only what rendering reads made
// adjustable: the gateway's namespace and selector and the providers.
import type { CertificatesConfig, ClusterConfig, DnsConfig, PlatformConfig, RegionConfig } from "../../../../core/config/platform-config.ts";

export interface ConfigOptions {
  gatewayNamespace?: string;
  gatewaySelector?: Record<string, string>;
  providers?: string[];
  dns?: Partial<DnsConfig>;
  certificates?: Partial<CertificatesConfig>;
  /** Listener ARNs of alb-out and alb-in (for certificates). */
  listenerArns?: { "alb-out"?: string; "alb-in"?: string };
  /** The platform's regions (default none: single-region). */
  regions?: RegionConfig[];
  cluster?: ClusterConfig;
}

export function aConfig(options: ConfigOptions = {}): PlatformConfig {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "PlatformConfig",
    domains: [{ apex: "example.com", zoneId: "Z0123456789ABC", additionalZoneIds: [] }],
    loadBalancers: {
      "alb-out": {
        dnsName: "public-1.us-east-1.elb.amazonaws.com",
        hostedZoneId: "Z35SXDOTRQ7X7K",
        ipAddressType: "ipv4",
        ...(options.listenerArns?.["alb-out"] === undefined ? {} : { listenerArn: options.listenerArns["alb-out"] }),
      },
      "alb-in": {
        dnsName: "internal-1.us-east-1.elb.amazonaws.com",
        hostedZoneId: "Z35SXDOTRQ7X7K",
        ipAddressType: "ipv4",
        ...(options.listenerArns?.["alb-in"] === undefined ? {} : { listenerArn: options.listenerArns["alb-in"] }),
      },
    },
    protection: { providers: options.providers ?? ["sso"], requireOnPublic: true, identityHeader: "x-app-id" },
    gateway: { provider: "istio", namespace: options.gatewayNamespace ?? "istio-system", selector: options.gatewaySelector ?? { istio: "ingressgateway" } },
    externalBackends: { deniedCidrs: ["169.254.0.0/16"] },
    serviceBackends: { allowCrossNamespace: true },
    dns: { provider: "none", recordType: "alias", resyncInterval: "5m", externalDns: { labels: {} }, regionMode: { mode: "Active" }, ...options.dns },
    certificates: { provider: "none", listenerCertificateLimit: 25, ...options.certificates },
    regions: options.regions ?? [],
    ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
  };
}
